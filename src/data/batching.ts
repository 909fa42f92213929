/** Cutting a text's ids into training rows where every position is a target. */
import type { Rng } from './rng';

export interface Batch {
  inputs: Int32Array; // [batch * seqLen], row-major: ids[o : o + seqLen] per row
  targets: Int32Array; // [batch * seqLen], the same rows shifted by one: ids[o + 1 : o + seqLen + 1]
  batchSize: number;
  seqLen: number;
}

export interface Split {
  train: Int32Array;
  val: Int32Array; // the last `valFraction` of the text, one contiguous block
}

export function splitTrainVal(ids: Int32Array, valFraction: number): Split {
  const valLen = Math.max(1, Math.round(ids.length * valFraction));
  const cut = ids.length - valLen;
  return { train: ids.subarray(0, cut), val: ids.subarray(cut) };
}

/** Fills one batch from the given row offsets. */
export function batchAt(ids: Int32Array, offsets: number[], seqLen: number): Batch {
  const inputs = new Int32Array(offsets.length * seqLen);
  const targets = new Int32Array(offsets.length * seqLen);
  offsets.forEach((o, row) => {
    if (o < 0 || o + seqLen + 1 > ids.length) throw new RangeError(`row offset ${o} out of range`);
    inputs.set(ids.subarray(o, o + seqLen), row * seqLen);
    targets.set(ids.subarray(o + 1, o + seqLen + 1), row * seqLen);
  });
  return { inputs, targets, batchSize: offsets.length, seqLen };
}

/** A batch of rows at uniformly random offsets, drawn from the seeded RNG. */
export function randomBatch(ids: Int32Array, seqLen: number, batchSize: number, rng: Rng): Batch {
  const span = ids.length - seqLen; // valid offsets: 0 .. span - 1
  if (span < 1) throw new RangeError(`text of ${ids.length} ids is too short for rows of ${seqLen + 1}`);
  const offsets = Array.from({ length: batchSize }, () => rng.int(span));
  return batchAt(ids, offsets, seqLen);
}

/**
 * Deterministic evaluation batches: `count` batches of rows evenly spread over the ids, the same
 * every time, so successive validation estimates are comparable.
 */
export function evalBatches(ids: Int32Array, seqLen: number, batchSize: number, count: number): Batch[] {
  const span = ids.length - seqLen;
  if (span < 1) throw new RangeError(`text of ${ids.length} ids is too short for rows of ${seqLen + 1}`);
  const rows = batchSize * count;
  const stride = rows > 1 ? (span - 1) / (rows - 1) : 0;
  const offsets = Array.from({ length: rows }, (_, r) => Math.round(r * stride));
  return Array.from({ length: count }, (_, b) =>
    batchAt(ids, offsets.slice(b * batchSize, (b + 1) * batchSize), seqLen),
  );
}

/** Steps for one epoch: enough rows that, in expectation, every training character is a target once. */
export function stepsPerEpoch(trainLength: number, seqLen: number, batchSize: number): number {
  return Math.max(1, Math.ceil(trainLength / (seqLen * batchSize)));
}

/**
 * Stateful truncated BPTT: `batchSize` contiguous lanes laid end to end over the ids; step k
 * takes the k-th `seqLen` slice of every lane, so each row continues the previous batch's row
 * and the LSTM state can be carried across. Derived from the step count alone (no extra state).
 */
export class StatefulBatcher {
  readonly laneLength: number;
  readonly stepsPerPass: number;

  constructor(
    private readonly ids: Int32Array,
    private readonly seqLen: number,
    private readonly batchSize: number,
  ) {
    this.laneLength = Math.floor((ids.length - 1) / batchSize);
    this.stepsPerPass = Math.floor(this.laneLength / seqLen);
    if (this.stepsPerPass < 1)
      throw new RangeError(`text of ${ids.length} ids is too short for ${batchSize} lanes of ${seqLen + 1}`);
  }

  /** The batch for a global step; `fresh` when the lanes restart (carried state must reset). */
  at(step: number): { batch: Batch; fresh: boolean } {
    const k = step % this.stepsPerPass;
    const offsets = Array.from({ length: this.batchSize }, (_, b) => b * this.laneLength + k * this.seqLen);
    return { batch: batchAt(this.ids, offsets, this.seqLen), fresh: k === 0 };
  }
}
