/**
 * Pure helpers of the Look inside panel: the colour scales (each with its words, so no colour is
 * the only way to read a value), how characters are shown and spoken, the next-character list,
 * arrow-key movement across the probe, and when a refresh may run while training. Unit-tested.
 */
import { TOP_K, type InsideView } from '../engine/inside-types';

/** Views of the model, one per activity; the address carries the current one (`?view=`). */
export const VIEWS = ['train', 'race', 'classify', 'inside'] as const;
export type ViewId = (typeof VIEWS)[number];
export const VIEW_NAMES: Record<ViewId, string> = {
  train: 'Train',
  race: 'Race',
  classify: 'Classify',
  inside: 'Look inside',
};
export const isView = (value: unknown): value is ViewId => VIEWS.includes(value as ViewId);

// Translucent tints over the panel's own background: at most MAX_ALPHA, so the text on them keeps
// its contrast in both themes (dark text on a light tint, light text on a dark one).
const MAX_ALPHA = 0.6;
const BLUE = [37, 99, 235] as const; // below zero
const RED = [220, 38, 38] as const; // above zero
const SURPRISE = [234, 88, 12] as const; // bits spent
const MEMORY = [124, 58, 237] as const; // what the prediction looked back at

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const tint = ([r, g, b]: readonly number[], strength: number) =>
  `rgba(${r}, ${g}, ${b}, ${(clamp(strength, 0, 1) * MAX_ALPHA).toFixed(3)})`;

/** A value in -1..1 as a blue (negative) to red (positive) tint; 0 is no tint. Non-numbers are 0. */
export function diverging(v: number): string {
  const x = Number.isFinite(v) ? clamp(v, -1, 1) : 0;
  return x < 0 ? tint(BLUE, -x) : tint(RED, x);
}

/** Bits beyond which a character counts as wholly surprising (about 1 in 256). */
export const SURPRISE_CAP_BITS = 8;

/** Bits spent on a character as an orange tint, full at SURPRISE_CAP_BITS. */
export const surpriseColor = (bits: number) => tint(SURPRISE, Number.isFinite(bits) ? bits / SURPRISE_CAP_BITS : 1);

/** A memory weight (0..1) as a violet tint. */
export const memoryColor = (weight: number) => tint(MEMORY, Number.isFinite(weight) ? weight : 0);

/**
 * A unit's value scaled to -1..1 for the diverging scale: gates (0..1) around 0.5; c and h around
 * 0 when the probe's values cross it (the sign is what Karpathy's pictures show), else around the
 * middle of their range, since a cell state that stays on one side (it can drift to hundreds) would
 * otherwise colour every character alike.
 */
export function unitScale(value: number, kind: string, min: number, max: number): number {
  if (kind === 'i' || kind === 'f' || kind === 'o') return clamp((value - 0.5) * 2, -1, 1);
  if (!crossesZero(min, max)) return clamp((value - (min + max) / 2) / Math.max((max - min) / 2, 1e-6), -1, 1);
  const reach = Math.max(Math.abs(min), Math.abs(max), 1e-6);
  return clamp(value / reach, -1, 1);
}

const crossesZero = (min: number, max: number) => min <= 0 && max >= 0;

/** The legend's two ends for a unit's scale (see unitScale). */
export function scaleEnds(kind: string, min: number, max: number): [string, string] {
  if (kind === 'i' || kind === 'f' || kind === 'o') return ['0', '1'];
  return crossesZero(min, max) ? ['negative', 'positive'] : ['lowest here', 'highest here'];
}

/** How a character is drawn in the probe: whitespace made visible. */
export function glyph(ch: string): string {
  if (ch === ' ') return '␣';
  if (ch === '\n') return '↵';
  if (ch === '\t') return '⇥';
  if (ch === '\r') return '␍';
  return ch;
}

/** How a character is spoken: whitespace and punctuation in words, other characters quoted. */
export function spoken(ch: string | undefined): string {
  if (ch === undefined) return 'nothing';
  const names: Record<string, string> = {
    ' ': 'space',
    '\n': 'new line',
    '\t': 'tab',
    '\r': 'carriage return',
    '"': 'double quote',
    "'": 'apostrophe',
    '.': 'full stop',
    ',': 'comma',
  };
  return names[ch] ?? `“${ch}”`;
}

/** A probability as a percentage for people: '41%', '0.3%', '<0.1%'. */
export function percent(p: number): string {
  if (!(p > 0)) return '0%';
  const x = p * 100;
  if (x < 0.1) return '<0.1%';
  return x < 10 ? `${x.toFixed(1)}%` : `${Math.round(x)}%`;
}

/** A surprise in words, so the orange is never the only way to read it. */
export function surpriseWords(bits: number): string {
  if (bits < 1) return 'expected';
  if (bits < 3) return 'somewhat expected';
  if (bits < 6) return 'surprising';
  return 'very surprising';
}

/** A unit's value in words for its tint; `ends` from scaleEnds. */
export function valueWords(scaled: number, ends: [string, string] = ['negative', 'positive']): string {
  const a = Math.abs(scaled);
  const relative = ends[0] !== 'negative';
  if (a < 0.15) return relative ? 'middling' : 'near zero';
  const side = relative ? (scaled < 0 ? 'low' : 'high') : scaled < 0 ? 'negative' : 'positive';
  return a < 0.6 ? `${side}` : relative ? `very ${side}` : `strongly ${side}`;
}

export interface NextGuess {
  char: string;
  p: number;
  came: boolean; // the probe's next character
}

/** The model's top next characters after reading character `t`, best first, marking the one that came. */
export function nextGuesses(view: Pick<InsideView, 'topIds' | 'topProbs' | 'vocab' | 'probe'>, t: number): NextGuess[] {
  const next = view.probe[t + 1];
  const out: NextGuess[] = [];
  for (let k = 0; k < TOP_K; k++) {
    const id = view.topIds[t * TOP_K + k];
    if (id === undefined || id < 0) break;
    const char = view.vocab[id] ?? '';
    out.push({ char, p: view.topProbs[t * TOP_K + k], came: next !== undefined && char === next });
  }
  return out;
}

/** The text equivalent of one probe character in the surprise view. */
export function surpriseLabel(
  view: Pick<InsideView, 'topIds' | 'topProbs' | 'vocab' | 'probe' | 'bits'>,
  t: number,
): string {
  const bits = view.bits[t];
  const guesses = nextGuesses(view, t)
    .map((g) => `${spoken(g.char)} ${percent(g.p)}`)
    .join(', ');
  const next = view.probe[t + 1];
  const came = next === undefined ? 'the probe ends here' : `then came ${spoken(next)}`;
  return `${spoken(view.probe[t])}: ${bits.toFixed(1)} bits, ${surpriseWords(bits)}. Expected next: ${guesses}; ${came}.`;
}

/** The position a key moves to in a row of `count` characters, or null for keys it leaves alone. */
export function moveKey(key: string, at: number, count: number, page = 40): number | null {
  if (count <= 0) return null;
  const last = count - 1;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return Math.min(last, at + 1);
    case 'ArrowLeft':
    case 'ArrowUp':
      return Math.max(0, at - 1);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageDown':
      return Math.min(last, at + page);
    case 'PageUp':
      return Math.max(0, at - page);
    default:
      return null;
  }
}

/**
 * Whether a refresh may start while training: refreshing may cost at most a tenth of the time, so
 * after a view that took `lastMs` the next waits at least nine times as long from when it ended.
 */
export const REFRESH_SHARE = 0.1;
export function mayRefresh(now: number, lastEndedAt: number | null, lastMs: number): boolean {
  if (lastEndedAt === null) return true;
  return now - lastEndedAt >= lastMs * (1 / REFRESH_SHARE - 1);
}

/** Gate saturation in words: how many units are mostly below 0.1 ('left') or above 0.9 ('right'). */
export function saturationWords(gate: string, low: Float32Array, high: Float32Array): string {
  let left = 0;
  let right = 0;
  for (let u = 0; u < low.length; u++) {
    if (low[u] > 0.5) left++;
    if (high[u] > 0.5) right++;
  }
  const name = { i: 'input', f: 'forget', o: 'output' }[gate] ?? gate;
  return `${name} gate: ${right} of ${low.length} units above 0.9 most of the time, ${left} below 0.1 most of the time`;
}
