/**
 * Settings in the page's address, so a link carries them: model size, sequence, batch, learning
 * rate, dropout, epochs, optimizer, temperatures, backend choice, start (scratch or a base and
 * its mode), which base (config/bases.ts; the small one unsaid), which built-in text, and the
 * view on screen (train, race, classify, look inside).
 * Only values that differ from the defaults are written; a person's own text never is. Reading
 * ignores what it does not understand. Pure, unit-tested.
 */
import { isBackendName, type BackendChoice } from '../config/backends';
import {
  DEFAULT_TEMPERATURES,
  FINE_TUNE_MODES,
  defaultSettings,
  validateSettings,
  type FineTuneMode,
  type Settings,
} from '../config/settings';
import { isView, type ViewId } from './inside-helpers';
import { DEFAULT_BASE, isBaseId, type BaseId } from '../config/bases';

export interface Shared {
  settings: Settings;
  temperatures: number[];
  backend: BackendChoice;
  text: string | null; // a built-in text's id
  start: 'scratch' | 'base';
  mode: FineTuneMode;
  base: BaseId; // the page's base: Start from's when it starts from one, the race's and the classifier's
  view: ViewId; // the activity on screen
}

/** URL parameter -> where the number lives. */
const NUMBERS = {
  layers: ['model', 'layers'],
  units: ['model', 'units'],
  embed: ['model', 'embedDim'],
  dropout: ['model', 'dropout'],
  seq: ['train', 'seqLen'],
  batch: ['train', 'batchSize'],
  lr: ['train', 'learningRate'],
  epochs: ['train', 'epochs'],
  seed: ['train', 'seed'],
  patience: ['train', 'patience'],
} as const;

export function defaultShared(): Shared {
  const temperatures = [...DEFAULT_TEMPERATURES];
  return {
    settings: defaultSettings(),
    temperatures,
    backend: 'auto',
    text: null,
    start: 'scratch',
    mode: 'all',
    base: DEFAULT_BASE,
    view: 'train',
  };
}

/** The query string (without '?') for `s`: only what differs from the defaults. */
export function toQuery(s: Shared): string {
  const d = defaultShared();
  const q = new URLSearchParams();
  for (const [key, [group, field]] of Object.entries(NUMBERS)) {
    const value = (s.settings[group] as Record<string, number>)[field];
    if (value !== (d.settings[group] as Record<string, number>)[field]) q.set(key, String(value));
  }
  if (s.settings.train.optimizer !== d.settings.train.optimizer) q.set('opt', s.settings.train.optimizer);
  if (!s.settings.train.stopAtBest) q.set('stop', '0'); // stop at the best is on by default
  if (s.temperatures.join() !== d.temperatures.join()) q.set('t', s.temperatures.join(','));
  if (s.backend !== 'auto') q.set('backend', s.backend);
  if (s.text) q.set('text', s.text);
  if (s.start === 'base') q.set('start', s.mode === 'all' ? 'base' : `base-${s.mode}`);
  if (s.base !== d.base) q.set('base', s.base);
  if (s.view !== d.view) q.set('view', s.view);
  return q.toString();
}

/** Settings from a query string, on top of the defaults; values that do not check out are left at theirs. */
export function fromQuery(query: string, textIds: readonly string[]): Shared {
  const q = new URLSearchParams(query);
  const s = defaultShared();
  for (const [key, [group, field]] of Object.entries(NUMBERS)) {
    const raw = q.get(key);
    if (raw === null || raw.trim() === '') continue;
    const before = (s.settings[group] as Record<string, number>)[field];
    (s.settings[group] as Record<string, number>)[field] = Number(raw);
    if (validateSettings(s.settings).some((e) => e.field === field)) {
      (s.settings[group] as Record<string, number>)[field] = before;
    }
  }
  const opt = q.get('opt');
  if (opt === 'adam' || opt === 'rmsprop') s.settings.train.optimizer = opt;
  if (q.get('stop') === '0') s.settings.train.stopAtBest = false;
  const temps = (q.get('t') ?? '').split(',').filter(Boolean).map(Number);
  if (temps.length >= 1 && temps.length <= 8 && temps.every((t) => t >= 0 && t <= 10)) s.temperatures = temps;
  const backend = q.get('backend');
  if (backend && isBackendName(backend)) s.backend = backend;
  const text = q.get('text');
  if (text && textIds.includes(text)) s.text = text;
  const start = /^base(?:-(\w+))?$/.exec(q.get('start') ?? '');
  if (start) {
    s.start = 'base';
    s.mode = FINE_TUNE_MODES.find((m) => m === start[1]) ?? 'all';
  }
  const base = q.get('base');
  if (isBaseId(base)) s.base = base;
  const view = q.get('view');
  if (isView(view)) s.view = view;
  return s;
}
