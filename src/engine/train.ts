/** Loss, gradient clipping and the training step. */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../config/settings';
import { batchAt, type Batch } from '../data/batching';
import { FusedAdam, isFusedAdam } from './fused-adam';
import { currentLstmPath, forward, namedWeights, type CharModel, type LstmState } from './model';
import { fusedBatchLoss } from './fused-loss';
import { releaseUnused } from './kept';

export const LN2 = Math.log(2);

/**
 * Carried LSTM state for stateful (truncated BPTT) training: the step starts from `state` and
 * leaves its final state there, kept outside tf.tidy; gradients stop at the batch boundary.
 */
export interface Carry {
  state?: LstmState;
}

/**
 * Mean softmax cross-entropy in nats over every position of the batch: fused-loss.ts on the fused
 * path, tfjs' autodiff of stock ops on the reference path. Call inside tf.tidy.
 */
export function batchLoss(model: CharModel, batch: Batch, dropoutSeed?: number, carry?: Carry): tf.Scalar {
  if (currentLstmPath() === 'fused') return fusedBatchLoss(model, batch, dropoutSeed, carry);
  const ids = tf.tensor2d(batch.inputs, [batch.batchSize, batch.seqLen], 'int32');
  const { logits, state } = forward(model, ids, { dropoutSeed, state: carry?.state });
  if (carry) carry.state = { h: state.h.map((t) => tf.keep(t)), c: state.c.map((t) => tf.keep(t)) };
  const targets = tf.oneHot(tf.tensor1d(batch.targets, 'int32'), model.config.vocabSize);
  return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
}

/** The global L2 norm of all gradients, and min(1, maxNorm / norm): the factor clipping applies. */
export function clipScale(grads: tf.NamedTensorMap, maxNorm: number) {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  return { norm, scale: tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))) as tf.Scalar };
}

/**
 * Rescales every gradient by min(1, maxNorm / globalNorm), as torch.nn.utils.clip_grad_norm_.
 * Stays on the device: no readback. Returns the scaled grads and the norm before clipping.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number) {
  const { norm, scale } = clipScale(grads, maxNorm);
  const clipped: tf.NamedTensorMap = {};
  for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
  return { grads: clipped, norm };
}

/**
 * Optimizers with an explicit epsilon: tfjs-backend-webgl reports float precision 16 and would
 * otherwise pick 1e-4, training differently from the other backends.
 */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  return name === 'adam' ? new FusedAdam(learningRate, 0.9, 0.999, 1e-7) : tf.train.rmsprop(learningRate, 0.9, 0, 1e-7);
}

/** Disposes a carried state (at a stream restart, or at the end of a run). */
export function dropCarry(carry: Carry): void {
  if (carry.state) tf.dispose([...carry.state.h, ...carry.state.c]);
  carry.state = undefined;
}

/**
 * Zeroes the carried state of the rows marked `fresh` (each row a lane of its own, some starting
 * afresh) and keeps the others'. Every row fresh: the same as dropCarry.
 */
export function resetCarryRows(carry: Carry, fresh: boolean[]): void {
  const state = carry.state;
  if (!state || !fresh.some(Boolean)) return;
  if (fresh.every(Boolean)) return dropCarry(carry);
  carry.state = tf.tidy(() => {
    const keep = tf.tensor2d(
      fresh.map((f) => (f ? 0 : 1)),
      [fresh.length, 1],
    );
    return {
      h: state.h.map((t) => tf.mul(t, keep) as tf.Tensor2D),
      c: state.c.map((t) => tf.mul(t, keep) as tf.Tensor2D),
    };
  });
  tf.dispose([...state.h, ...state.c]);
}

/**
 * One step: forward, backward, clip, update. Returns the loss (nats) before the update. With a
 * carry, starts from its state and replaces it with the final state (the old one is disposed).
 * With `rates` (per weight, namedWeights order; see finetune.ts), weights at 0 get no gradient
 * and stay bit-identical, and the others learn at their share of the rate (Adam only).
 */
export function trainStep(
  model: CharModel,
  optimizer: tf.Optimizer,
  batch: Batch,
  clipNorm: number,
  dropoutSeed: number,
  carry?: Carry,
  rates?: number[],
): tf.Scalar {
  const previous = carry?.state;
  const named = namedWeights(model);
  if (rates && !isFusedAdam(optimizer) && rates.some((r) => r !== 0 && r !== 1)) {
    throw new Error('per-layer learning rates need the Adam optimizer');
  }
  const trained = rates ? named.filter((_, i) => rates[i] > 0) : named;
  return tf.tidy(() => {
    const loss = () => batchLoss(model, batch, dropoutSeed, carry);
    const { value, grads } = tf.variableGrads(
      loss,
      trained.map(([, v]) => v),
    );
    releaseUnused(); // what ops below every trained weight kept for a backward that did not come
    if (previous) tf.dispose([...previous.h, ...previous.c]);
    const layout = rates && { names: named.map(([, v]) => v.name), rates };
    if (isFusedAdam(optimizer)) optimizer.applyScaled(grads, clipScale(grads, clipNorm).scale, layout);
    else optimizer.applyGradients(clipByGlobalNorm(grads, clipNorm).grads);
    return value;
  });
}

/** Mean loss in bits per character over the given batches, without dropout or updates. */
export async function estimateBpc(model: CharModel, batches: Batch[]): Promise<number> {
  // One running sum, each batch in its own tidy: a single tidy around every batch would hold every
  // batch's activations until the end (a large base's held-out rows then outgrow the WASM heap).
  let total: tf.Tensor = tf.scalar(0);
  for (const b of batches) {
    const next = tf.tidy(() => total.add(batchLoss(model, b)));
    total.dispose();
    total = next;
  }
  const [sum] = await total.data();
  total.dispose();
  return sum / batches.length / LN2;
}

/**
 * Bits per character with the LSTM state carried through the text, the way character models'
 * figures are usually quoted: `lanes` contiguous stretches of `laneLength` characters, spread
 * evenly over `ids`, read in rows of `seqLen`, each row starting from the state the previous
 * one left. Only the first row of each stretch starts from zeros.
 */
export async function streamBpc(model: CharModel, ids: Int32Array, lanes: number, laneLength: number, seqLen: number) {
  const span = ids.length - laneLength - 1;
  if (span < 0) throw new RangeError(`text of ${ids.length} ids is too short for stretches of ${laneLength + 1}`);
  const starts = Array.from({ length: lanes }, (_, i) => Math.round((i * span) / Math.max(1, lanes - 1)));
  const carry: Carry = {};
  let sum = 0;
  let rows = 0;
  for (let at = 0; at + seqLen <= laneLength; at += seqLen) {
    const previous = carry.state;
    const loss = tf.tidy(() =>
      batchLoss(
        model,
        batchAt(
          ids,
          starts.map((s) => s + at),
          seqLen,
        ),
        undefined,
        carry,
      ),
    );
    if (previous) tf.dispose([...previous.h, ...previous.c]);
    sum += (await loss.data())[0];
    loss.dispose();
    rows++;
  }
  dropCarry(carry);
  return sum / rows / LN2;
}

/** Changes an optimizer's step size in place (schedules); tfjs optimizers read it at every update. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
