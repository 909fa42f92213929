/**
 * Whole texts as classifier batches: encoded, cut at a maximum length, grouped with texts of
 * similar length (fewer padded steps) and right-padded, so every real position sees exactly the
 * characters before it. Pure: no tfjs.
 */
import type { Rng } from './rng';
import { encode, vocabIndex, type Vocab } from './vocab';

/** A batch of texts, row-major and right-padded with id 0 (masked out by the model). */
export interface TextBatch {
  ids: Int32Array; // [batchSize, seqLen]
  lengths: Int32Array; // [batchSize]: real characters in each row, at least 1
  rows: number[]; // the examples' indices
  batchSize: number;
  seqLen: number; // the longest row, rounded up (fewer distinct shapes for GPU kernels)
}

/** Encodes every text, keeping its first `maxLen` characters; counts the texts cut. */
export function encodeTexts(texts: string[], vocab: Vocab, maxLen: number) {
  const index = vocabIndex(vocab);
  let truncated = 0;
  const seqs = texts.map((text) => {
    const ids = encode(vocab, text, index);
    if (ids.length > maxLen) truncated++;
    const cut = ids.subarray(0, maxLen);
    return cut.length > 0 ? cut : Int32Array.of(Math.max(0, vocab.unknownId));
  });
  return { seqs, truncated };
}

/**
 * Pads the given examples into one batch; seqLen is a multiple of `roundTo`. `examples` are the
 * rows' indices in the labeled set (default: `rows`; windowBatch pads stretches, not the set's texts).
 */
export function padBatch(seqs: Int32Array[], rows: number[], roundTo = 16, examples = rows): TextBatch {
  const longest = Math.max(...rows.map((r) => seqs[r].length));
  const seqLen = Math.ceil(longest / roundTo) * roundTo;
  const ids = new Int32Array(rows.length * seqLen);
  const lengths = new Int32Array(rows.length);
  rows.forEach((r, b) => {
    ids.set(seqs[r], b * seqLen);
    lengths[b] = seqs[r].length;
  });
  return { ids, lengths, rows: examples, batchSize: rows.length, seqLen };
}

/**
 * Like padBatch, but each text longer than `window` is replaced by a random stretch of `window`
 * characters of it (a fresh draw each time): a classifier trained on such stretches cannot learn
 * its few hundred texts by heart, and still reads whole texts when it validates.
 */
export function windowBatch(seqs: Int32Array[], rows: number[], window: number, rng: Rng, roundTo = 16): TextBatch {
  const stretches = rows.map((r) => {
    const s = seqs[r];
    if (s.length <= window) return s;
    const at = rng.int(s.length - window + 1);
    return s.subarray(at, at + window);
  });
  return padBatch(stretches, [...stretches.keys()], roundTo, rows);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * One epoch's batches (fastai's sortish sampler): shuffled, then sorted by length within pools of
 * 20 batches, cut into batches, and the batches shuffled again.
 */
export function epochBatches(rows: number[], seqs: Int32Array[], batchSize: number, rng: Rng): number[][] {
  const order = [...rows];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const batches = chunk(order, batchSize * 20).flatMap((pool) =>
    chunk(
      pool.sort((a, b) => seqs[b].length - seqs[a].length),
      batchSize,
    ),
  );
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [batches[i], batches[j]] = [batches[j], batches[i]];
  }
  return batches;
}

/** Evaluation batches: sorted by length, always the same. */
export function sortedBatches(rows: number[], seqs: Int32Array[], batchSize: number): number[][] {
  return chunk(
    [...rows].sort((a, b) => seqs[a].length - seqs[b].length || a - b),
    batchSize,
  );
}
