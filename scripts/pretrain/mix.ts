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

/** A row's place: a source picked by share, then an offset uniformly within it; `end`: where its text stops. */
function drawRow(ids: Int32Array, stretches: Stretch[], seqLen: number, rng: Rng): { offset: number; end: number } {
  let u = rng.next();
  const s = stretches.find((x) => (u -= x.share) < 0) ?? stretches[stretches.length - 1];
  const end = Math.min(s.end + 1, ids.length); // a row may end on the separator
  return { offset: s.start + rng.int(Math.max(1, end - seqLen - s.start)), end };
}

/** A batch whose rows each pick a source by share, then an offset uniformly within it. */
export function mixedBatch(ids: Int32Array, stretches: Stretch[], seqLen: number, batchSize: number, rng: Rng): Batch {
  const offsets = Array.from({ length: batchSize }, () => drawRow(ids, stretches, seqLen, rng).offset);
  return batchAt(ids, offsets, seqLen);
}

/**
 * Rows that read on (`--carry`): each row continues where its last step stopped, so the LSTM state
 * it ended with can start its next step, as the held-out figure carries the state through each
 * stretch of the book. A row reads up to `laneChars` characters this way, then starts afresh (from
 * a zero state) at a new place drawn as mixedBatch draws one; it also starts afresh where its
 * source ends. The rows' first stretches are cut to random lengths, so their fresh starts spread
 * over the steps rather than coming all at once.
 */
export class Lanes {
  readonly #ids: Int32Array;
  readonly #stretches: Stretch[];
  readonly #seqLen: number;
  readonly #laneChars: number;
  readonly #rows: { offset: number; end: number; left: number }[] = [];

  constructor(ids: Int32Array, stretches: Stretch[], seqLen: number, batchSize: number, laneChars: number) {
    if (laneChars < seqLen)
      throw new RangeError(`lanes of ${laneChars} characters are shorter than a row of ${seqLen}`);
    [this.#ids, this.#stretches, this.#seqLen, this.#laneChars] = [ids, stretches, seqLen, laneChars];
    this.#rows = Array.from({ length: batchSize }, () => ({ offset: 0, end: 0, left: 0 }));
  }

  /** The next batch, and which of its rows start afresh (their carried state must be zeroed). */
  next(rng: Rng): { batch: Batch; fresh: boolean[] } {
    const seq = this.#seqLen;
    const first = this.#rows.every((r) => r.end === 0);
    const fresh = this.#rows.map((row) => {
      if (row.left >= seq && row.offset + seq < row.end) return false;
      Object.assign(row, drawRow(this.#ids, this.#stretches, seq, rng));
      row.left = first ? seq + rng.int(this.#laneChars - seq + 1) : this.#laneChars;
      return true;
    });
    const batch = batchAt(
      this.#ids,
      this.#rows.map((r) => r.offset),
      seq,
    );
    for (const row of this.#rows) [row.offset, row.left] = [row.offset + seq, row.left - seq];
    return { batch, fresh };
  }
}
