/**
 * How the pretraining sampler weighs its sources. `uniform`: every character equally likely, so
 * the State of the Union (half the text) dominates. `books`: speeches and the Bible get fixed
 * shares and the other books the rest, each in proportion to its length, so the base sees prose
 * of the kind people bring (hard-wrapped fiction) far more often.
 */
import { batchAt, type Batch } from '../../src/data/batching';
import type { Rng } from '../../src/data/rng';

export type Mix = 'uniform' | 'books';
export const MIXES: readonly Mix[] = ['uniform', 'books'];

/** A source's ids within the joined text, and its share of the rows drawn. */
export interface Stretch {
  start: number; // first id
  end: number; // one past the last id
  share: number; // fraction of rows drawn from it; the shares sum to 1
}

const FIXED_SHARES: Record<string, number> = { speeches: 0.2, bible: 0.15 }; // the books share the other 0.65

function group(name: string): string {
  if (name.startsWith('State of the Union')) return 'speeches';
  return name.startsWith('bible') ? 'bible' : 'books';
}

/** Stretches for sources joined by a `gap`-character separator, as the pretraining text is. */
export function stretchesOf(sources: { name: string; chars: number }[], gap: number, mix: Mix): Stretch[] {
  const total = sources.reduce((n, s) => n + s.chars, 0);
  const bookChars = sources.filter((s) => group(s.name) === 'books').reduce((n, s) => n + s.chars, 0);
  const bookShare = 1 - Object.values(FIXED_SHARES).reduce((a, b) => a + b, 0);
  let start = 0;
  return sources.map((s) => {
    const g = group(s.name);
    const share =
      mix === 'uniform' ? s.chars / total : g === 'books' ? (bookShare * s.chars) / bookChars : FIXED_SHARES[g];
    const stretch = { start, end: start + s.chars, share };
    start += s.chars + gap;
    return stretch;
  });
}

/** A batch whose rows each pick a source by share, then an offset uniformly within it. */
export function mixedBatch(ids: Int32Array, stretches: Stretch[], seqLen: number, batchSize: number, rng: Rng): Batch {
  const offsets = Array.from({ length: batchSize }, () => {
    let u = rng.next();
    const s = stretches.find((x) => (u -= x.share) < 0) ?? stretches[stretches.length - 1];
    const span = Math.min(s.end + 1, ids.length) - seqLen - s.start; // a row may end on the separator
    return s.start + rng.int(Math.max(1, span));
  });
  return batchAt(ids, offsets, seqLen);
}
