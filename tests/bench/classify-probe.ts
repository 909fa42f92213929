/**
 * How much an encoder's frozen features know about a labeled task: the pooled features (last,
 * max, mean) of every training and validation text under the English base (optionally after
 * fine-tuning its language model on the training texts) or a random encoder of the same shape,
 * then a logistic regression on the standardised training features (Adam, 300 full-batch steps,
 * three L2 strengths), scored on validation. Two classes only.
 * Run: node scripts/run-ts.mjs tests/bench/classify-probe.ts [--start base|scratch] [--max-len 256]
 *      [--lm SECONDS] [--data public/labeled/spam-ham.csv]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readBase, readLabeledSet } from './from-disk';
import { registerKernels } from '../../src/engine/kernels/registry';
import { defaultClassifySettings } from '../../src/config/classify';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { padBatch } from '../../src/data/text-batches';
import { encode } from '../../src/data/vocab';
import { batchIds, concatPool, encodeLayers } from '../../src/engine/classifier';
import { FusedAdam } from '../../src/engine/fused-adam';
import { embed } from '../../src/engine/model';
import { trainStep } from '../../src/engine/train';
import { makeClassifier, prepareData } from '../../src/run/classify-setup';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const start = arg('start', 'base') as 'base' | 'scratch';
const maxLen = Number(arg('max-len', '256'));
const lmSeconds = Number(arg('lm', '0'));
registerKernels('wasm');
await tf.setBackend('wasm');

const base = await readBase();
const set = readLabeledSet(arg('data', 'public/labeled/spam-ham.csv'));
const settings = { ...defaultClassifySettings(), maxLen, start };
const { data } = prepareData(set, settings);
const c = makeClassifier(settings, set.labels.length, base);

if (lmSeconds > 0) {
  const ids = encode(data.vocab, data.split.train.map((i) => set.texts[i]).join('\n\n'));
  const optimizer = new FusedAdam(0.003, 0.9, 0.999, 1e-7);
  const rng = new Rng(1);
  for (const t0 = Date.now(); Date.now() - t0 < lmSeconds * 1000;) {
    tf.dispose(trainStep(c.encoder, optimizer, randomBatch(ids, 64, 32, rng), 5, rng.int(1e9)));
  }
}

async function features(rows: number[]) {
  const parts: tf.Tensor2D[] = [];
  for (let i = 0; i < rows.length; i += 64) {
    const b = padBatch(data.seqs, rows.slice(i, i + 64));
    parts.push(tf.tidy(() => concatPool(encodeLayers(c.encoder, embed(c.encoder, batchIds(b)), 0, 1), b)));
  }
  return tf.concat(parts);
}
const [xTrain, xVal] = [await features(data.split.train), await features(data.split.val)];
const label = (rows: number[]) =>
  tf.tensor2d(
    Array.from(rows, (r) => set.y[r]),
    [rows.length, 1],
    'float32',
  );
const [yTrain, yVal] = [label(data.split.train), label(data.split.val)];
const mean = xTrain.mean(0);
const std = tf.sqrt(tf.moments(xTrain, 0).variance).add(1e-3);
const [zTrain, zVal] = [xTrain.sub(mean).div(std), xVal.sub(mean).div(std)];
for (const l2 of [0.001, 0.01, 0.1]) {
  const w = tf.variable(tf.zeros([zTrain.shape[1]!, 1]));
  const b = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(0.01);
  const penalised = () =>
    tf.add(
      tf.losses.sigmoidCrossEntropy(yTrain, zTrain.matMul(w).add(b)),
      tf.mul(l2, tf.sum(tf.square(w))),
    ) as tf.Scalar;
  for (let i = 0; i < 300; i++) tf.dispose(optimizer.minimize(penalised, true) ?? []);
  const accuracy = tf.tidy(() => tf.mean(tf.equal(tf.greater(zVal.matMul(w).add(b), 0), yVal.cast('bool'))));
  console.log(
    `${start}, ${maxLen} characters, language model ${lmSeconds} s, L2 ${l2}: validation accuracy ${(await accuracy.data())[0]}`,
  );
}
