/**
 * The English base model's alphabet (printable ASCII, newline, tab and one unknown symbol), the
 * typographic folding offered before fine-tuning, and how much of a text the alphabet covers.
 * Pure: no tfjs.
 */
import { UNKNOWN } from './vocab';

/** Tab, newline, the 95 printable ASCII characters and UNKNOWN, in code-point order (98 symbols). */
export const BASE_ALPHABET: readonly string[] = [
  '\t',
  '\n',
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  UNKNOWN,
];

/** Typographic characters and their plain-ASCII spelling. */
const FOLDS: [RegExp, string][] = [
  [/\r\n?/g, '\n'], // Windows and old Mac line ends
  [/[\u2018\u2019\u201A\u201B\u2032]/g, "'"], // curly single quotes, prime
  [/[\u201C\u201D\u201E\u201F\u2033]/g, '"'], // curly double quotes, double prime
  [/[\u2013\u2012\u2010\u2011\u2212]/g, '-'], // en dash, figure dash, hyphens, minus
  [/[\u2014\u2015]/g, '--'], // em dash and horizontal bar, as Gutenberg texts spell them
  [/\u2026/g, '...'], // ellipsis
  [/[\u00A0\u2007\u202F\u2009\u200A]/g, ' '], // no-break and thin spaces
  [/[\u00AB\u00BB]/g, '"'], // guillemets
  [/[\u200B\uFEFF]/g, ''], // zero-width space, stray byte-order marks
];

/** Replaces typographic quotes, dashes, ellipses and special spaces with their ASCII spelling. */
export function foldTypography(text: string): string {
  return FOLDS.reduce((t, [pattern, ascii]) => t.replace(pattern, ascii), text);
}

/** How a text fits an alphabet. */
export interface Coverage {
  total: number; // characters in the text
  outside: number; // of those, characters not in the alphabet
  newChars: string[]; // the distinct characters not in the alphabet, most frequent first
  foldable: number; // characters outside the alphabet that foldTypography would turn into ASCII
}

export function coverage(text: string, alphabet: readonly string[]): Coverage {
  const known = new Set(alphabet);
  const counts = new Map<string, number>();
  let total = 0;
  for (const ch of text) {
    total++;
    if (!known.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  const newChars = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
  const outside = [...counts.values()].reduce((a, b) => a + b, 0);
  let foldable = 0;
  for (const ch of newChars) if ([...foldTypography(ch)].every((c) => known.has(c))) foldable += counts.get(ch)!;
  return { total, outside, newChars, foldable };
}
