/**
 * The training loss on the fused path: the embedding and input projection, each LSTM layer and
 * the output layer with the loss are each one op with a hand-written backward, and the layers stay
 * time-major throughout (the targets are reordered instead of the activations). The same number
 * as the reference path's loss (model.ts `forward` + tfjs' softmaxCrossEntropy) within float error.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batching';
import { denseXent, embedProject, project } from './fused-ops';
import { lstmSequence } from './lstm-sequence';
import { zeroState, type CharModel, type LstmState } from './model';

/** Row-major [B, T] ids as time-major [T, B]: position t of row b goes to t·B + b. */
export function timeMajor(ids: Int32Array, B: number, T: number): Int32Array {
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t * B + b] = ids[b * T + t];
  return out;
}

/** Mean softmax cross-entropy in nats over every position of the batch. Call inside tf.tidy. */
export function fusedBatchLoss(
  model: CharModel,
  batch: Batch,
  dropoutSeed?: number,
  carry?: { state?: LstmState }, // train.ts's Carry
): tf.Scalar {
  const { batchSize: B, seqLen: T } = batch;
  const { units: U, dropout } = model.config;
  const start = carry?.state ?? zeroState(model, B);
  const final: { h: tf.Tensor2D[]; c: tf.Tensor2D[] } = { h: [], c: [] };
  let rows: tf.Tensor2D | null = null; // [T·B, U]: the layer below's output, time-major rows
  model.lstm.forEach((w, l) => {
    const kernel = w.kernel as tf.Tensor2D;
    const bias = w.bias as tf.Tensor1D;
    const z = rows
      ? project(rows, kernel, bias)
      : embedProject(tf.tensor1d(timeMajor(batch.inputs, B, T), 'int32'), model.embedding as tf.Tensor2D, kernel, bias);
    const layer = lstmSequence(tf.reshape(z, [T, B, 4 * U]), w.recurrentKernel as tf.Tensor2D, start.h[l], start.c[l]);
    let out = layer.out;
    if (dropoutSeed !== undefined && dropout > 0)
      out = tf.dropout(out, dropout, undefined, dropoutSeed + l) as tf.Tensor3D;
    rows = tf.reshape(out, [T * B, U]);
    if (carry) [final.h[l], final.c[l]] = [tf.keep(layer.h), tf.keep(layer.c)];
  });
  if (carry) carry.state = final;
  const targets = tf.tensor1d(timeMajor(batch.targets, B, T), 'int32');
  return denseXent(rows!, model.denseKernel as tf.Tensor2D, model.denseBias as tf.Tensor1D, targets);
}
