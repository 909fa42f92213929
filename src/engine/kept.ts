/**
 * Tensors that the hand-written backwards (lstm-sequence.ts, fused-ops.ts) keep past the
 * forward's tidy. A backward frees what it kept. One that never runs (the op is below every weight
 * being trained: gradual unfreezing's first epoch, a frozen LSTM) would leak them, so whoever
 * computes gradients calls `releaseUnused()` once they are in.
 */
import * as tf from '@tensorflow/tfjs';

const pending = new Set<tf.Tensor[]>();

/**
 * Whether a backward may come for an op made now: the tape is on. Ask before tf.customGrad runs
 * the op's forward, which it runs with the tape paused.
 */
export const tapeIsOn = () => (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

/**
 * Holds tensors for a backward, only when one may come (`taping`, from tapeIsOn). `own`: made inside the
 * op, kept as they are; `theirs`: the caller's, kept as clones (the caller's tidy may free them
 * first). `release()` frees them once the backward is done.
 */
export function keepForBackward(taping: boolean, own: tf.Tensor[], theirs: tf.Tensor[] = []) {
  if (!taping) return { kept: [] as tf.Tensor[], release: () => {} };
  const kept = [...own.map((t) => tf.keep(t)), ...theirs.map((t) => tf.keep(tf.clone(t)))];
  pending.add(kept);
  const release = () => {
    if (pending.delete(kept)) tf.dispose(kept);
  };
  return { kept, release };
}

/** Frees what backwards that never ran still hold. Call after each gradient computation. */
export function releaseUnused(): void {
  for (const kept of pending) tf.dispose(kept);
  pending.clear();
}
