/**
 * Simple features of a text, one number per character, that a unit of a character model may come
 * to track (Karpathy, Johnson & Fei-Fei 2015 found quote, bracket and line-length cells). Each
 * value describes the text as read up to and including that character, the moment the unit's
 * value is taken. "Cells worth a look" ranks units by their correlation with each feature; to
 * add a feature, add a row to FEATURES.
 */

export interface TextFeature {
  id: string;
  label: string; // in words, as the panel lists it
  absent: string; // why the probe cannot show it, when the feature never varies there
  values: (text: string) => Float32Array;
}

const isLetter = (ch: string) => /\p{L}/u.test(ch);
const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const OPEN = '([{';
const CLOSE = ')]}';

/** One value per UTF-16 unit of `text` from a per-character rule with a running state. */
function scan(text: string, rule: (ch: string, i: number) => number): Float32Array {
  const out = new Float32Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = rule(text[i], i);
  return out;
}

export const FEATURES: readonly TextFeature[] = [
  {
    id: 'quotes',
    label: 'inside quotes',
    absent: 'no double quotes in this text',
    values: (text) => {
      let inside = 0;
      return scan(text, (ch) => (ch === '"' ? (inside = 1 - inside) : inside));
    },
  },
  {
    id: 'brackets',
    label: 'inside brackets',
    absent: 'no brackets in this text',
    values: (text) => {
      let depth = 0;
      return scan(text, (ch) => {
        if (OPEN.includes(ch)) depth++;
        else if (CLOSE.includes(ch)) depth = Math.max(0, depth - 1);
        return depth > 0 ? 1 : 0;
      });
    },
  },
  {
    id: 'line',
    label: 'position in the line',
    absent: 'no line breaks in this text',
    values: (text) => {
      let column = 0;
      return scan(text, (ch) => (ch === '\n' ? (column = 0) : ++column));
    },
  },
  {
    id: 'space',
    label: 'a space or line break',
    absent: 'no spaces in this text',
    values: (text) => scan(text, (ch) => (ch === ' ' || ch === '\n' ? 1 : 0)),
  },
  {
    id: 'word-start',
    label: 'start of a word',
    absent: 'no words in this text',
    values: (text) => scan(text, (ch, i) => (isLetter(ch) && (i === 0 || !isLetter(text[i - 1])) ? 1 : 0)),
  },
  {
    id: 'sentence-end',
    label: 'after the end of a sentence',
    absent: 'no sentence ends in this text',
    values: (text) => {
      let after = 0; // from a . ! or ? until the next letter
      return scan(text, (ch) => {
        if (ch === '.' || ch === '!' || ch === '?') after = 1;
        else if (isLetter(ch) || isDigit(ch)) after = 0;
        return after;
      });
    },
  },
  {
    id: 'number',
    label: 'inside a number',
    absent: 'no numbers in this text',
    values: (text) =>
      scan(text, (ch, i) => {
        if (isDigit(ch)) return 1;
        const between = (ch === '.' || ch === ',') && isDigit(text[i - 1] ?? '') && isDigit(text[i + 1] ?? '');
        return between ? 1 : 0;
      }),
  },
  {
    id: 'capital',
    label: 'a capital letter',
    absent: 'no capital letters in this text',
    values: (text) => scan(text, (ch) => (isLetter(ch) && ch !== ch.toLowerCase() ? 1 : 0)),
  },
];

/**
 * Pearson correlation of `x` (read with a stride: x[offset + t·stride]) with `y`, both of length
 * `n`; 0 where either does not vary.
 */
export function correlation(x: Float32Array, offset: number, stride: number, y: Float32Array, n = y.length): number {
  let sx = 0;
  let sy = 0;
  for (let t = 0; t < n; t++) {
    sx += x[offset + t * stride];
    sy += y[t];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let t = 0; t < n; t++) {
    const dx = x[offset + t * stride] - mx;
    const dy = y[t] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 1e-12 && syy > 1e-12 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Whether a feature's values vary over the text (a constant feature says nothing of any unit). */
export function varies(values: Float32Array): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return true;
  return false;
}
