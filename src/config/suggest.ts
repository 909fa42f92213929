/**
 * Settings that fit a text's size, proposed before Train. char-rnn's guidance: keep the model's
 * parameters and the text's characters within an order of magnitude of each other, and use dropout
 * when the model has more parameters than the text has characters (it can learn the text by
 * heart), as the transfer suite shows the old default 1×128 doing on 50 KB (tests/bench/RESULTS.md).
 * A browser has a laptop's compute, so the largest proposal is 2×256. Epochs are set so that a run
 * sees about five million characters (about 2,500 steps of the default batch), at most 200 passes:
 * on a small text stop at the best ends the run well before, keeping the best model. Fine-tuning
 * the English base gets no dropout: the base learned without it, and with dropout every fine-tune
 * mode fell behind the base at once and never caught up (tests/bench/RESULTS.md, 2026-12-05). Pure.
 *
 * | characters   | model | dropout | epochs                       |
 * | under 100 K  | 1×128 | 0.25    | 5 M ÷ characters, at most 200 |
 * | 100 K–300 K  | 1×128 | 0.1     | 5 M ÷ characters             |
 * | 300 K–1 M    | 1×256 | 0.1     | 5 M ÷ characters             |
 * | 1 M and more | 2×256 | 0       | 5 M ÷ characters, at least 1 |
 */

export interface Suggestion {
  layers: number;
  units: number;
  dropout: number;
  epochs: number;
}

/** Characters a suggested run trains on, summed over its epochs. */
export const SUGGESTED_CHARS_SEEN = 5_000_000;
const MAX_EPOCHS = 200;

/** The settings proposed for a text of `chars` characters (Unicode code points); fromBase: fine-tuning the base. */
export function suggestSettings(chars: number, fromBase = false): Suggestion {
  const n = Math.max(1, chars);
  const epochs = Math.min(MAX_EPOCHS, Math.max(1, Math.round(SUGGESTED_CHARS_SEEN / n)));
  if (fromBase) return { ...suggestSettings(chars), dropout: 0 };
  if (n < 100_000) return { layers: 1, units: 128, dropout: 0.25, epochs };
  if (n < 300_000) return { layers: 1, units: 128, dropout: 0.1, epochs };
  if (n < 1_000_000) return { layers: 1, units: 256, dropout: 0.1, epochs };
  return { layers: 2, units: 256, dropout: 0, epochs };
}

const size = (bytes: number) =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`;

/** The form's line: what was proposed for this text, and which fields kept the values a person or a link set. */
export function describeSuggestion(s: Suggestion, bytes: number, kept: (keyof Suggestion)[]): string {
  let line = `Suggested for ${size(bytes)} of text: ${s.layers}×${s.units}, dropout ${s.dropout}, ${s.epochs} epochs.`;
  if (kept.length > 0) line += ` Kept as set: ${kept.join(', ')}.`;
  return line;
}
