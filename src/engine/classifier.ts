/**
 * ULMFiT's classifier: the language model's encoder (embedding and LSTMs), concat pooling over
 * the real positions of each text (the last hidden state, the max and the mean over time), a
 * dense ReLU block with dropout, and logits over the classes.
 */
import * as tf from '@tensorflow/tfjs';
import type { TextBatch } from '../data/text-batches';
import { embed, lstmLayer, zeroState, type CharModel } from './model';

export interface HeadConfig {
  classes: number; // output classes
  hidden: number; // units of the dense block between the pooled features and the logits
  dropout: number; // on the pooled features, training only
}

export const DEFAULT_HEAD = { hidden: 50, dropout: 0.2 }; // ULMFiT's head: 50 units

export interface Classifier {
  encoder: CharModel; // its language-model output layer stays for fine-tuning the language model
  head: HeadConfig;
  normGamma: tf.Variable; // [3U] batch normalisation of the pooled features (ULMFiT's head starts so)
  normBeta: tf.Variable; // [3U]
  movingMean: tf.Variable; // [3U], not trained: the features' mean, for inference
  movingVariance: tf.Variable; // [3U], not trained
  normUpdates: number; // batches the moving statistics have seen
  hiddenKernel: tf.Variable; // [3U, hidden]
  hiddenBias: tf.Variable; // [hidden]
  outKernel: tf.Variable; // [hidden, classes]
  outBias: tf.Variable; // [classes]
}

let count = 0;

/** A fresh head (Glorot-uniform, seeded) on `encoder`, which the classifier now owns. */
export function createClassifier(encoder: CharModel, head: HeadConfig, seed: number): Classifier {
  const prefix = `inklingclassifier${++count}`;
  const U = encoder.config.units;
  const v = (name: string, init: () => tf.Tensor) => tf.tidy(() => tf.variable(init(), true, `${prefix}/${name}`));
  const glorot = (shape: number[], s: number) =>
    tf.initializers.glorotUniform({ seed: seed + s }).apply(shape) as tf.Tensor;
  const fixed = (name: string, init: () => tf.Tensor) => tf.tidy(() => tf.variable(init(), false, `${prefix}/${name}`));
  return {
    encoder,
    head: { ...head },
    normGamma: v('pool_norm/gamma', () => tf.ones([3 * U])),
    normBeta: v('pool_norm/beta', () => tf.zeros([3 * U])),
    movingMean: fixed('pool_norm/moving_mean', () => tf.zeros([3 * U])),
    movingVariance: fixed('pool_norm/moving_variance', () => tf.ones([3 * U])),
    normUpdates: 0,
    hiddenKernel: v('pool_dense/kernel', () => glorot([3 * U, head.hidden], 1)),
    hiddenBias: v('pool_dense/bias', () => tf.zeros([head.hidden])),
    outKernel: v('classes/kernel', () => glorot([head.hidden, head.classes], 2)),
    outBias: v('classes/bias', () => tf.zeros([head.classes])),
  };
}

/**
 * The classifier's weights, bottom to top, with their depth below the output (0: the head; the
 * top LSTM 1; the embedding layers + 1): the order of gradual unfreezing, bottom last.
 */
export function classifierWeights(c: Classifier): { name: string; variable: tf.Variable; depth: number }[] {
  const L = c.encoder.lstm.length;
  const out = [{ name: 'embedding/embeddings', variable: c.encoder.embedding, depth: L + 1 }];
  c.encoder.lstm.forEach((w, i) => {
    const depth = L - i;
    out.push({ name: `lstm_${i + 1}/kernel`, variable: w.kernel, depth });
    out.push({ name: `lstm_${i + 1}/recurrent_kernel`, variable: w.recurrentKernel, depth });
    out.push({ name: `lstm_${i + 1}/bias`, variable: w.bias, depth });
  });
  out.push(
    { name: 'pool_norm/gamma', variable: c.normGamma, depth: 0 },
    { name: 'pool_norm/beta', variable: c.normBeta, depth: 0 },
    { name: 'pool_dense/kernel', variable: c.hiddenKernel, depth: 0 },
    { name: 'pool_dense/bias', variable: c.hiddenBias, depth: 0 },
    { name: 'classes/kernel', variable: c.outKernel, depth: 0 },
    { name: 'classes/bias', variable: c.outBias, depth: 0 },
  );
  return out;
}

export function disposeClassifier(c: Classifier): void {
  tf.dispose([c.hiddenKernel, c.hiddenBias, c.outKernel, c.outBias, c.normGamma, c.normBeta]);
  tf.dispose([c.movingMean, c.movingVariance]);
  for (const v of [c.encoder.embedding, c.encoder.denseKernel, c.encoder.denseBias]) v.dispose();
  for (const w of c.encoder.lstm) tf.dispose([w.kernel, w.recurrentKernel, w.bias]);
}

/** Time-major masks: real positions (1/0) and each row's last real position (one-hot), [T, B, 1]. */
function masks(batch: TextBatch) {
  const { batchSize: B, seqLen: T, lengths } = batch;
  const real = new Float32Array(T * B);
  const last = new Float32Array(T * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) real[t * B + b] = 1;
    last[(lengths[b] - 1) * B + b] = 1;
  }
  return { real: tf.tensor3d(real, [T, B, 1]), last: tf.tensor3d(last, [T, B, 1]) };
}

/** ids [B, T] of a batch as a tensor. */
export const batchIds = (batch: TextBatch) => tf.tensor2d(batch.ids, [batch.batchSize, batch.seqLen], 'int32');

/**
 * Runs LSTM layers [from, to) over x ([T, B, In], time-major) from zero state; returns every
 * position's output of the last one ([T, B, U]). Call inside tf.tidy.
 */
export function encodeLayers(encoder: CharModel, x: tf.Tensor3D, from: number, to: number): tf.Tensor3D {
  const B = x.shape[1];
  const zero = zeroState(encoder, B);
  let out = x;
  for (let l = from; l < to; l++) out = lstmLayer(out, encoder.lstm[l], zero.h[l], zero.c[l]).out;
  return out;
}

/**
 * Concat pooling over the real positions: out [T, B, U] -> [B, 3U] (last hidden state, max over
 * time, mean over time). h is in (-1, 1), so padded positions set to -2 never win the max.
 */
export function concatPool(out: tf.Tensor3D, batch: TextBatch): tf.Tensor2D {
  const { real, last } = masks(batch);
  const lastH = tf.sum(tf.mul(out, last), 0);
  const maxH = tf.max(tf.add(tf.mul(out, real), tf.mul(tf.sub(real, 1), 2)), 0);
  const lengths = tf.tensor2d(Float32Array.from(batch.lengths), [batch.batchSize, 1]);
  const meanH = tf.div(tf.sum(tf.mul(out, real), 0), lengths);
  return tf.concat([lastH, maxH, meanH], 1) as tf.Tensor2D;
}

export const NORM_EPSILON = 1e-3; // as Keras' BatchNormalization

/**
 * Batch normalisation of the pooled features: with the batch's own statistics when `batchStats`
 * is given (training: it receives them, to update the moving ones after the step), else with
 * the moving statistics (validation, Try it, export).
 */
function normalise(c: Classifier, features: tf.Tensor2D, batchStats?: { mean?: tf.Tensor; variance?: tf.Tensor }) {
  let mean: tf.Tensor = c.movingMean;
  let variance: tf.Tensor = c.movingVariance;
  if (batchStats) {
    ({ mean, variance } = tf.moments(features, 0));
    batchStats.mean = tf.keep(mean);
    batchStats.variance = tf.keep(variance);
  }
  return tf.batchNorm(features, mean, variance, c.normBeta, c.normGamma, NORM_EPSILON) as tf.Tensor2D;
}

/**
 * Moves the moving statistics toward a training batch's: the first batch's are taken whole, then
 * a running average, up to momentum 0.9.
 */
export function updateMovingStats(c: Classifier, stats: { mean?: tf.Tensor; variance?: tf.Tensor }): void {
  if (!stats.mean || !stats.variance) return;
  const keep = Math.min(0.9, c.normUpdates / (c.normUpdates + 1));
  tf.tidy(() => {
    c.movingMean.assign(tf.add(tf.mul(c.movingMean, keep), tf.mul(stats.mean!, 1 - keep)));
    c.movingVariance.assign(tf.add(tf.mul(c.movingVariance, keep), tf.mul(stats.variance!, 1 - keep)));
  });
  tf.dispose([stats.mean, stats.variance]);
  c.normUpdates++;
}

/**
 * Pooled features [B, 3U] -> logits [B, classes]: batch normalisation, dropout (training, when a
 * seed is given), a dense ReLU block, the output layer.
 */
export function headLogits(
  c: Classifier,
  features: tf.Tensor2D,
  dropoutSeed?: number,
  batchStats?: { mean?: tf.Tensor; variance?: tf.Tensor },
): tf.Tensor2D {
  const normed = normalise(c, features, batchStats);
  const dropped =
    dropoutSeed !== undefined && c.head.dropout > 0
      ? tf.dropout(normed, c.head.dropout, undefined, dropoutSeed)
      : normed;
  const hidden = tf.relu(tf.add(tf.matMul(dropped, c.hiddenKernel), c.hiddenBias));
  return tf.add(tf.matMul(hidden, c.outKernel), c.outBias) as tf.Tensor2D;
}

/** A batch's class probabilities, [B, classes], inference only. Call inside tf.tidy. */
export function classify(c: Classifier, batch: TextBatch): tf.Tensor2D {
  const x = embed(c.encoder, batchIds(batch));
  const out = encodeLayers(c.encoder, x, 0, c.encoder.lstm.length);
  return tf.softmax(headLogits(c, concatPool(out, batch)));
}

/**
 * Sets the moving statistics to the exact mean and variance of the pooled features of `batches`
 * (training texts) under the encoder as it is now. Run before validation: an encoder that is
 * still training moves its features faster than a running average follows, and a fresh encoder's
 * features differ little between texts, so a small lag would swamp them. `between` runs between
 * batches (the worker answers its messages there).
 */
export async function recalibrate(
  c: Classifier,
  batches: TextBatch[],
  between: () => Promise<void> = async () => {},
): Promise<void> {
  if (batches.length === 0) return;
  const L = c.encoder.lstm.length;
  const features: tf.Tensor2D[] = [];
  for (const b of batches) {
    if (features.length) await between();
    features.push(tf.tidy(() => concatPool(encodeLayers(c.encoder, embed(c.encoder, batchIds(b)), 0, L), b)));
  }
  tf.tidy(() => {
    const { mean, variance } = tf.moments(tf.concat(features, 0), 0);
    c.movingMean.assign(mean);
    c.movingVariance.assign(variance);
  });
  tf.dispose(features);
  c.normUpdates = Math.max(c.normUpdates, 1);
  await c.movingVariance.data(); // done before the caller reads anything
}
