/** The classifier's training step and its explanations (gradient × input). */
import * as tf from '@tensorflow/tfjs';
import type { TextBatch } from '../data/text-batches';
import {
  batchIds,
  classifierWeights,
  concatPool,
  encodeLayers,
  headLogits,
  updateMovingStats,
  type Classifier,
} from './classifier';
import type { FusedAdam } from './fused-adam';
import { embed } from './model';
import { clipScale } from './train';
import { releaseUnused } from './kept';

export interface ClassifierStepOptions {
  rates: number[]; // per classifierWeights entry: 0 frozen, else its share of the rate
  classWeights: number[] | null; // per class, or null for plain mean cross-entropy
  clipNorm: number;
  dropoutSeed: number;
}

/**
 * Where the trainable part starts: the frozen bottom (the embedding, and LSTM layers below the
 * lowest trainable one) runs outside the gradient tape, so its backward is never built.
 */
function trainableFrom(c: Classifier, weights: ReturnType<typeof classifierWeights>, rates: number[]): number {
  if (rates[0] > 0) return -1; // the embedding trains: everything is on the tape
  const L = c.encoder.lstm.length;
  for (let l = 0; l < L; l++) {
    if (weights.some((w, i) => w.name.startsWith(`lstm_${l + 1}/`) && rates[i] > 0)) return l;
  }
  return L;
}

/** Cross-entropy in nats, each row weighted by its class's weight when weights are given. */
function loss(logits: tf.Tensor2D, labels: Int32Array, classWeights: number[] | null) {
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]);
  const weights = classWeights ? tf.tensor1d(Array.from(labels, (y) => classWeights[y])) : undefined;
  return tf.losses.softmaxCrossEntropy(onehot, logits, weights, 0, tf.Reduction.MEAN) as tf.Scalar;
}

/**
 * One step on a batch whose labels are `labels` ([B]): forward, backward through the trainable
 * part only, clipping, and Adam with each weight's rate. Returns the loss (nats) before the update.
 */
export function classifierStep(
  c: Classifier,
  optimizer: FusedAdam,
  batch: TextBatch,
  labels: Int32Array,
  opts: ClassifierStepOptions,
): tf.Scalar {
  const weights = classifierWeights(c);
  const trained = weights.filter((_, i) => opts.rates[i] > 0).map((w) => w.variable);
  const from = trainableFrom(c, weights, opts.rates);
  const L = c.encoder.lstm.length;
  return tf.tidy(() => {
    const ids = batchIds(batch);
    const frozen = from < 0 ? null : encodeLayers(c.encoder, embed(c.encoder, ids), 0, from);
    const stats: { mean?: tf.Tensor; variance?: tf.Tensor } = {};
    const f = () => {
      const out = frozen
        ? encodeLayers(c.encoder, frozen, from, L)
        : encodeLayers(c.encoder, embed(c.encoder, ids), 0, L);
      return loss(headLogits(c, concatPool(out, batch), opts.dropoutSeed, stats), labels, opts.classWeights);
    };
    const { value, grads } = tf.variableGrads(f, trained);
    releaseUnused(); // kept by LSTM layers below the trained ones, for a backward that did not come
    updateMovingStats(c, stats);
    const layout = { names: weights.map((w) => w.variable.name), rates: opts.rates };
    optimizer.applyScaled(grads, clipScale(grads, opts.clipNorm).scale, layout);
    return value;
  });
}

export interface Explanation {
  probs: Float32Array; // [classes]
  saliency: Float32Array; // per character: gradient × input toward the most likely class (signed)
}

/**
 * Class probabilities for one text (a batch of one) and, per character, how much it moved the
 * most likely class's probability: the gradient of that probability with respect to the
 * character's embedding, dotted with the embedding.
 */
export async function explain(c: Classifier, batch: TextBatch): Promise<Explanation> {
  let probs: tf.Tensor | null = null;
  const saliency = tf.tidy(() => {
    const x = embed(c.encoder, batchIds(batch)); // [T, 1, E]
    const f = (input: tf.Tensor) => {
      const out = encodeLayers(c.encoder, input as tf.Tensor3D, 0, c.encoder.lstm.length);
      const p = tf.softmax(headLogits(c, concatPool(out, batch)));
      probs = tf.keep(p);
      return tf.max(p) as tf.Scalar;
    };
    const grad = tf.grad(f)(x);
    releaseUnused();
    return tf.reshape(tf.sum(tf.mul(grad, x), 2), [batch.seqLen]);
  });
  const [p, s] = await Promise.all([probs!.data(), saliency.data()]);
  tf.dispose([probs!, saliency]);
  return { probs: p as Float32Array, saliency: (s as Float32Array).slice(0, batch.lengths[0]) };
}
