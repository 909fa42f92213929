/**
 * What a settings link asked for that the page refused, in one notice: each refused value named,
 * with the limit it broke and what was kept instead ("The link asked for 1,000,000,000 units; the
 * most is 1,024: kept 128."). fromQuery (share.ts) keeps the defaults for these silently; the
 * person who opened a shared link must be able to tell that it is not what was sent. Pure.
 */
import { isBackendName } from '../config/backends';
import { DEFAULT_BASE, baseEntry, isBaseId } from '../config/bases';
import { quoted } from '../config/words';
import { DEFAULT_TEMPERATURES, FINE_TUNE_MODES, checkSetting, defaultSettings, specOf } from '../config/settings';
import type { ModelField, TrainField } from '../config/settings';

/** URL parameter -> the setting it sets, and how a sentence names a value of it. */
const NUMBERS: Record<string, [ModelField | TrainField, (v: string) => string]> = {
  layers: ['layers', (v) => `${v} LSTM layers`],
  units: ['units', (v) => `${v} units`],
  embed: ['embedDim', (v) => `an embedding size of ${v}`],
  dropout: ['dropout', (v) => `a dropout of ${v}`],
  seq: ['seqLen', (v) => `a sequence length of ${v}`],
  batch: ['batchSize', (v) => `a batch size of ${v}`],
  lr: ['learningRate', (v) => `a learning rate of ${v}`],
  epochs: ['epochs', (v) => `${v} epochs`],
  seed: ['seed', (v) => `the seed ${v}`],
};

const MAX_SHOWN = 40; // characters of a refused value repeated in the notice

const number = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 12 });
const raw = (v: string) => quoted(v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN)}…` : v);

/** Why one numeric value is refused (null: it is fine), and the value as the sentence shows it. */
function refusal(key: ModelField | TrainField, text: string): { shown: string; why: string } | null {
  const spec = specOf(key);
  const value = Number(text);
  if (checkSetting(spec, value) === null) return null;
  if (!Number.isFinite(value)) return { shown: raw(text), why: 'that is not a number' };
  const shown = number(value);
  if (value > spec.max) return { shown, why: `the most is ${number(spec.max)}` };
  if (value < spec.min) return { shown, why: `the least is ${number(spec.min)}` };
  return { shown, why: 'it must be a whole number' };
}

/**
 * One sentence per refused value of the query, joined into one notice; null when the link asked
 * for nothing the page refused. `texts`: the built-in texts (id and title); the first is the default.
 */
export function linkNotice(query: string, texts: readonly { id: string; title: string }[]): string | null {
  const q = new URLSearchParams(query);
  const d = defaultSettings();
  const kept = (key: ModelField | TrainField) => {
    const spec = specOf(key);
    return number(spec.group === 'model' ? d.model[spec.key] : d.train[spec.key]);
  };
  const said: string[] = [];
  for (const [param, [key, phrase]] of Object.entries(NUMBERS)) {
    const text = q.get(param);
    if (text === null || text.trim() === '') continue;
    const refused = refusal(key, text);
    if (refused) said.push(`The link asked for ${phrase(refused.shown)}; ${refused.why}: kept ${kept(key)}.`);
  }
  const opt = q.get('opt');
  if (opt !== null && opt !== 'adam' && opt !== 'rmsprop') {
    said.push(`The link asked for the optimizer ${raw(opt)}; the page has adam and rmsprop: kept adam.`);
  }
  const t = q.get('t');
  if (t !== null && t !== '') {
    const temps = t.split(',').filter(Boolean).map(Number);
    const ok = temps.length >= 1 && temps.length <= 8 && temps.every((x) => x >= 0 && x <= 10);
    if (!ok) {
      said.push(
        `The link asked for the temperatures ${raw(t)}; each must be a number from 0 to 10, one to eight of them: ` +
          `kept ${DEFAULT_TEMPERATURES.map(number).join(', ')}.`,
      );
    }
  }
  const backend = q.get('backend');
  if (backend !== null && backend !== 'auto' && !isBackendName(backend)) {
    said.push(`The link asked for the backend ${raw(backend)}, which this page does not know: kept Auto.`);
  }
  const text = q.get('text');
  if (text !== null && text !== '' && !texts.some((c) => c.id === text)) {
    const title = texts[0]?.title.replace(/ \([^)]*\)$/, '') ?? 'the default text'; // without its size
    said.push(`The link asked for the text ${raw(text)}, which this page does not have: loaded ${title} instead.`);
  }
  const start = q.get('start');
  const mode = /^base(?:-(\w+))?$/.exec(start ?? '');
  if (start !== null && start !== '' && (!mode || (mode[1] && !FINE_TUNE_MODES.some((m) => m === mode[1])))) {
    const instead = mode ? 'starts from the base, all layers trained' : 'starts from scratch';
    said.push(`The link asked to start from ${raw(start)}, which this page does not know: it ${instead}.`);
  }
  const base = q.get('base');
  if (base !== null && base !== '' && !isBaseId(base)) {
    said.push(
      `The link asked for the base ${raw(base)}, which this page does not have: it uses ${baseEntry(DEFAULT_BASE).noun}.`,
    );
  }
  return said.length > 0 ? said.join(' ') : null;
}
