/**
 * A classifier as one .zip: model.json + weights.bin, a stock TensorFlow.js LayersModel (ids in,
 * class probabilities out: Embedding, LSTMs, concat pooling, batch normalisation, dense ReLU,
 * softmax) that tf.loadLayersModel reads in any page, and classifier.json with the labels, the
 * vocabulary and how texts are prepared. The way back rebuilds the app's classifier from it.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, zipSync } from 'fflate';
import type { EncoderStart } from '../config/classify';
import type { ModelConfig } from '../config/settings';
import { createClassifier, NORM_EPSILON, type Classifier, type HeadConfig } from '../engine/classifier';
import { createModel } from '../engine/model';
import { CheckpointError } from './checkpoint';
import { layersArtifactsOf, modelJson } from './export-zip';
import { readZipEntries } from './zip-reader';

export const CLASSIFIER_FORMAT = 'inkling-classifier';
export const CLASSIFIER_FILES = { model: 'model.json', weights: 'weights.bin', meta: 'classifier.json' } as const;
const JSON_LIMIT = 4 * 1024 * 1024;
const WEIGHTS_LIMIT = 200 * 1024 * 1024;

/** classifier.json. */
export interface ClassifierMeta {
  format: typeof CLASSIFIER_FORMAT;
  version: 1;
  name: string;
  labels: string[]; // output i is the probability of labels[i]
  vocab: string[]; // id -> character; characters outside it take the id of '\uFFFD'
  maxLen: number; // characters read from the start of each text
  foldTypography: boolean; // curly quotes, dashes and the like were turned into ASCII first
  encoder: ModelConfig;
  head: HeadConfig;
  start: EncoderStart; // whether the encoder began as the English base
  accuracy: number | null; // validation accuracy when it was exported
  macroF1: number | null;
  createdAt: string;
}

/** The stock functional model with the classifier's weights. */
export function toClassifierLayersModel(c: Classifier): tf.LayersModel {
  const { vocabSize, embedDim, units, layers } = c.encoder.config;
  const input = tf.input({ shape: [null as unknown as number], name: 'ids' });
  let x = tf.layers.embedding({ inputDim: vocabSize, outputDim: embedDim, name: 'embedding' }).apply(input);
  const lstm = (i: number, last: boolean) =>
    tf.layers.lstm({
      units,
      returnSequences: true,
      returnState: last,
      recurrentActivation: 'sigmoid',
      recurrentInitializer: 'zeros', // overwritten below
      name: `lstm_${i + 1}`,
    });
  for (let i = 0; i < layers - 1; i++) x = lstm(i, false).apply(x);
  const [seq, h] = lstm(layers - 1, true).apply(x) as tf.SymbolicTensor[];
  const max = tf.layers.globalMaxPooling1d({ name: 'max_pool' }).apply(seq);
  const mean = tf.layers.globalAveragePooling1d({ name: 'mean_pool' }).apply(seq);
  let y = tf.layers
    .concatenate({ name: 'concat_pool' })
    .apply([h, max as tf.SymbolicTensor, mean as tf.SymbolicTensor]);
  y = tf.layers.batchNormalization({ epsilon: NORM_EPSILON, name: 'pool_norm' }).apply(y);
  y = tf.layers.dropout({ rate: c.head.dropout, name: 'pool_dropout' }).apply(y);
  y = tf.layers.dense({ units: c.head.hidden, activation: 'relu', name: 'pool_dense' }).apply(y);
  y = tf.layers.dense({ units: c.head.classes, activation: 'softmax', name: 'classes' }).apply(y);
  const model = tf.model({ inputs: input, outputs: y as tf.SymbolicTensor, name: 'inkling_classifier' });
  for (const [layer, weights] of layerWeights(c)) model.getLayer(layer).setWeights(weights);
  return model;
}

/** The classifier's variables, grouped by the stock layer that holds them, in that layer's order. */
function layerWeights(c: Classifier): [string, tf.Variable[]][] {
  return [
    ['embedding', [c.encoder.embedding]],
    ...c.encoder.lstm.map((w, i): [string, tf.Variable[]] => [`lstm_${i + 1}`, [w.kernel, w.recurrentKernel, w.bias]]),
    ['pool_norm', [c.normGamma, c.normBeta, c.movingMean, c.movingVariance]],
    ['pool_dense', [c.hiddenKernel, c.hiddenBias]],
    ['classes', [c.outKernel, c.outBias]],
  ];
}

export async function classifierZip(c: Classifier, meta: ClassifierMeta): Promise<Uint8Array> {
  const model = toClassifierLayersModel(c);
  const { topology, specs, data } = await layersArtifactsOf(model);
  model.dispose();
  return zipSync({
    [CLASSIFIER_FILES.model]: strToU8(JSON.stringify(modelJson(topology, specs, CLASSIFIER_FILES.weights))),
    [CLASSIFIER_FILES.weights]: [data, { level: 0 }], // float32 barely deflates, and deflating it held up Try it
    [CLASSIFIER_FILES.meta]: strToU8(JSON.stringify(meta, null, 1)),
  });
}

function fail(message: string): never {
  throw new CheckpointError(message);
}

function validateMeta(m: Partial<ClassifierMeta>): ClassifierMeta {
  if (m.format !== CLASSIFIER_FORMAT) fail('classifier.json is not an Inkling classifier description');
  const strings = (a: unknown) => Array.isArray(a) && a.length > 0 && a.every((s) => typeof s === 'string');
  if (!strings(m.labels) || m.labels!.length < 2) fail('classifier.json: labels');
  if (!strings(m.vocab)) fail('classifier.json: vocabulary');
  if (!(Number.isInteger(m.maxLen) && m.maxLen! > 0)) fail('classifier.json: maximum length');
  const e = m.encoder;
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 4096;
  if (!e || ![e.vocabSize, e.embedDim, e.units, e.layers].every(positive)) fail('classifier.json: encoder');
  if (e.vocabSize !== m.vocab!.length) fail('classifier.json: the vocabulary does not fit the encoder');
  if (!m.head || !positive(m.head.hidden) || m.head.classes !== m.labels!.length) fail('classifier.json: head');
  return m as ClassifierMeta;
}

/** Reads an exported classifier back into the app's classifier, checking every shape. */
export async function readClassifierZip(bytes: Uint8Array): Promise<{ meta: ClassifierMeta; classifier: Classifier }> {
  const files = readZipEntries(bytes, {
    [CLASSIFIER_FILES.meta]: JSON_LIMIT,
    [CLASSIFIER_FILES.model]: JSON_LIMIT,
    [CLASSIFIER_FILES.weights]: WEIGHTS_LIMIT,
  });
  const json = (name: string) => {
    const b = files.get(name) ?? fail(`the file has no ${name}, so it is not an Inkling classifier`);
    try {
      return JSON.parse(strFromU8(b));
    } catch {
      return fail(`${name} is not valid JSON`);
    }
  };
  const meta = validateMeta(json(CLASSIFIER_FILES.meta));
  const model = json(CLASSIFIER_FILES.model);
  const weights = files.get(CLASSIFIER_FILES.weights) ?? fail('the file has no weights.bin');
  const specs = model?.weightsManifest?.[0]?.weights as tf.io.WeightsManifestEntry[] | undefined;
  if (!Array.isArray(specs)) fail('model.json has no weights manifest');
  const expected = specs.reduce((n, s) => n + 4 * s.shape.reduce((a: number, b: number) => a * b, 1), 0);
  if (weights.byteLength !== expected) fail(`weights.bin has ${weights.byteLength} bytes, not ${expected}`);
  const buffer = weights.slice().buffer as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, specs);
  const classifier = createClassifier(createModel({ ...meta.encoder, dropout: 0 }, 1), meta.head, 1);
  try {
    assignLayers(classifier, tensors);
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  }
  tf.dispose(Object.values(tensors));
  classifier.normUpdates = 1;
  return { meta, classifier };
}

/** Copies each stock layer's weights (named layer/…, in layer order) into the classifier. */
function assignLayers(c: Classifier, tensors: tf.NamedTensorMap): void {
  for (const [layer, variables] of layerWeights(c)) {
    const own = Object.keys(tensors).filter((n) => n.startsWith(`${layer}/`));
    if (own.length !== variables.length)
      fail(`model.json: layer ${layer} has ${own.length} weights, not ${variables.length}`);
    own.forEach((name, i) => {
      const t = tensors[name];
      if (JSON.stringify(t.shape) !== JSON.stringify(variables[i].shape))
        fail(`model.json: ${name} has the wrong shape`);
      variables[i].assign(t);
    });
  }
}
