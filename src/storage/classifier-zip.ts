/**
 * A classifier as one .zip: model.json + weights.bin, a stock TensorFlow.js LayersModel (ids in,
 * class probabilities out: Embedding, LSTMs, concat pooling, batch normalisation, dense ReLU,
 * softmax) that tf.loadLayersModel reads in any page, and classifier.json with the labels, the
 * vocabulary and how texts are prepared. The way back rebuilds the app's classifier from it.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, zipSync } from 'fflate';
import type { EncoderStart } from '../config/classify';
import { DEFAULT_BASE, isBaseId, type BaseId } from '../config/bases';
import { weightSpecs, type WeightSpec } from '../engine/architecture';
import { specOf, type ModelConfig } from '../config/settings';
import {
  createClassifier,
  disposeClassifier,
  NORM_EPSILON,
  type Classifier,
  type HeadConfig,
} from '../engine/classifier';
import { createModel } from '../engine/model';
import { CheckpointError, type NamedArray } from './checkpoint';
import {
  checkLabels,
  checkMaxLen,
  checkModelConfig,
  checkVocab,
  checkWeightSpecs,
  decodeWeightBytes,
  numberWithin,
  shown,
  text,
  wholeNumber,
} from './description-checks';
import { checkContainer } from './import-zip';
import { layersArtifactsOf, modelJson } from './export-zip';
import { readZipEntries } from './zip-reader';

export const CLASSIFIER_FORMAT = 'inkling-classifier';
export const CLASSIFIER_FILES = { model: 'model.json', weights: 'weights.bin', meta: 'classifier.json' } as const;
const JSON_LIMIT = 4 * 1024 * 1024;

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
  // which base (config/bases.ts); null from scratch. Files from before there were two say nothing: the small one
  base: BaseId | null;
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

const META = CLASSIFIER_FILES.meta;

/** classifier.json, checked field by field against what the app itself would write. */
function validateMeta(m: unknown): ClassifierMeta {
  if (typeof m !== 'object' || m === null || (m as ClassifierMeta).format !== CLASSIFIER_FORMAT) {
    fail(`${META} is not an Inkling classifier description`);
  }
  const c = m as Record<string, unknown>;
  if (c.version !== 1) fail(`${META} has format version ${shown(c.version)}; this Inkling reads version 1`);
  const labels = checkLabels(c.labels, META, fail);
  const encoder = checkModelConfig(c.encoder, `${META}'s encoder`, fail);
  const vocab = checkVocab(c.vocab, encoder.vocabSize, META, fail);
  const maxLen = checkMaxLen(c.maxLen, META, fail);
  const h = c.head as Partial<HeadConfig> | null;
  if (typeof h !== 'object' || h === null) return fail(`${META} does not describe the classifier's head`);
  if (h.classes !== labels.length)
    fail(`${META}: the head has ${shown(h.classes)} outputs for ${labels.length} classes`);
  const head: HeadConfig = {
    classes: labels.length,
    hidden: wholeNumber(h.hidden, 1, specOf('units').max, `${META}: the head's width`, fail),
    dropout: numberWithin(h.dropout ?? 0, 0, specOf('dropout').max, `${META}: the head's dropout`, fail),
  };
  if (c.start !== 'base' && c.start !== 'scratch') fail(`${META} says the encoder started as ${shown(c.start)}`);
  const base = c.base === undefined ? (c.start === 'base' ? DEFAULT_BASE : null) : c.base;
  if (base !== null && !isBaseId(base)) fail(`${META} names an English base this page does not have: ${shown(base)}`);
  if ((base === null) !== (c.start === 'scratch'))
    fail(`${META} says the encoder started as ${shown(c.start)} from base ${shown(base)}`);
  if (typeof c.foldTypography !== 'boolean') fail(`${META} does not say whether typography was folded`);
  const score = (v: unknown, what: string) =>
    v === null || v === undefined ? null : numberWithin(v, 0, 1, what, fail);
  return {
    format: CLASSIFIER_FORMAT,
    version: 1,
    name: text(c.name, `${META}: the name`, fail),
    labels,
    vocab,
    maxLen,
    foldTypography: c.foldTypography as boolean,
    encoder,
    head,
    start: c.start as EncoderStart,
    base: base as BaseId | null,
    accuracy: score(c.accuracy, `${META}: the accuracy`),
    macroF1: score(c.macroF1, `${META}: the macro-F1`),
    createdAt: typeof c.createdAt === 'string' ? c.createdAt.slice(0, 64) : '',
  };
}

/** The stock model's weights, names and shapes, in the order tfjs saves them (see layerWeights). */
export function classifierSpecs(encoder: ModelConfig, head: HeadConfig): WeightSpec[] {
  const features = 3 * encoder.units;
  return [
    ...weightSpecs(encoder).slice(0, -2), // the language model's output layer is not exported
    ['pool_norm/gamma', [features]],
    ['pool_norm/beta', [features]],
    ['pool_dense/kernel', [features, head.hidden]],
    ['pool_dense/bias', [head.hidden]],
    ['classes/kernel', [head.hidden, head.classes]],
    ['classes/bias', [head.classes]],
    ['pool_norm/moving_mean', [features]], // not trained: tfjs saves these last
    ['pool_norm/moving_variance', [features]],
  ];
}

/**
 * Reads an exported classifier back into the app's classifier. Everything is checked before any
 * tensor is made: the two descriptions first (each inflated up to a few MB), then weights.bin,
 * inflated only up to the size their shapes imply. A refusal leaves nothing behind.
 */
export async function readClassifierZip(bytes: Uint8Array): Promise<{ meta: ClassifierMeta; classifier: Classifier }> {
  checkContainer(bytes);
  const files = readZipEntries(bytes, { [META]: JSON_LIMIT, [CLASSIFIER_FILES.model]: JSON_LIMIT });
  const json = (name: string): unknown => {
    const b = files.get(name) ?? fail(`the file has no ${name}, so it is not an Inkling classifier`);
    try {
      return JSON.parse(strFromU8(b));
    } catch {
      return fail(`${name} is not valid JSON`);
    }
  };
  const meta = validateMeta(json(META));
  const model = json(CLASSIFIER_FILES.model) as { weightsManifest?: unknown } | null;
  const manifest = model?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || typeof manifest[0] !== 'object' || manifest[0] === null) {
    fail('model.json has no usable weights manifest');
  }
  const expected = classifierSpecs(meta.encoder, meta.head);
  const { specs, bytes: size } = checkWeightSpecs(
    (manifest[0] as { weights?: unknown }).weights,
    expected,
    'float32',
    true,
    fail,
  );
  const weights = readZipEntries(bytes, { [CLASSIFIER_FILES.weights]: size }).get(CLASSIFIER_FILES.weights);
  if (!weights) fail('the file has no weights.bin');
  if (weights.byteLength !== size) {
    fail(
      `weights.bin has ${weights.byteLength.toLocaleString('en-US')} bytes; its weights take ${size.toLocaleString('en-US')}`,
    );
  }
  const arrays = decodeWeightBytes(weights, specs, expected, 'float32', 'weights.bin', fail);
  const classifier = createClassifier(createModel({ ...meta.encoder, dropout: 0 }, 1), meta.head, 1);
  try {
    assignLayers(classifier, arrays);
  } catch (error) {
    disposeClassifier(classifier);
    throw error;
  }
  classifier.normUpdates = 1;
  return { meta, classifier };
}

/** Copies the checked arrays (named as in classifierSpecs) into each stock layer's variables, in layer order. */
function assignLayers(c: Classifier, arrays: NamedArray[]): void {
  for (const [layer, variables] of layerWeights(c)) {
    const own = arrays.filter((a) => a.name.startsWith(`${layer}/`)); // e.g. gamma, beta, moving_mean, moving_variance
    variables.forEach((v, i) => {
      const t = tf.tensor(own[i].values, own[i].shape);
      try {
        v.assign(t);
      } finally {
        t.dispose();
      }
    });
  }
}
