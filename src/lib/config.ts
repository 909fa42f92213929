/** Model, training and text settings, their defaults and their validation. Pure data. */

export type OptimizerName = 'adam' | 'rmsprop';
export type Batching = 'random' | 'stateful';
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendChoice, 'auto'>;

export const DEFAULT_TEMPERATURES = [0.2, 0.5, 1.0, 1.2]; // the Keras tutorials' set

/** Architecture. Everything needed to rebuild the model's variables, stored with every checkpoint. */
export interface ModelConfig {
  vocabSize: number; // rows of the embedding and of the softmax; grows when new characters arrive
  embedDim: number; // width of each character's learned embedding vector
  units: number; // LSTM units per layer
  layers: number; // stacked LSTM layers (1-3)
  dropout: number; // dropout between layers and before the softmax, training only
}

export interface TrainConfig {
  seqLen: number; // characters of context per training row (truncated BPTT length)
  batchSize: number; // rows per step; every position in a row is a target
  learningRate: number; // step size of the optimizer
  optimizer: OptimizerName; // Adam learns fastest here; RMSprop is the Keras tutorials' choice
  clipNorm: number; // gradients are rescaled when their global L2 norm exceeds this
  batching: Batching; // random row offsets, or contiguous streams with the LSTM state carried across batches
  epochs: number; // passes over the training text (in expected coverage) before Train stops
  valFraction: number; // share of the text, from its end as one block, held out for validation
  evalEvery: number; // steps between validation estimates
  evalBatches: number; // batches averaged per validation estimate
  sampleEverySec: number; // seconds between automatic samples while training
  autosaveSec: number; // seconds of training between checkpoints (also saved on pause and stop)
  readLossEvery: number; // steps between loss readbacks: the device runs ahead of the worker in between
  seed: number; // seeds batch order, weight init and sampling, so runs can be repeated
}

export interface TextOptions {
  lowercase: boolean; // fold case, as the tutorials do: fewer symbols, faster learning
  asciiOnly: boolean; // drop every character outside printable ASCII, newline and tab
}

export interface Settings {
  model: Omit<ModelConfig, 'vocabSize'>; // vocabSize comes from the corpus
  train: TrainConfig;
  text: TextOptions;
}

/** Defaults that learn visibly within a minute on a laptop GPU. */
export function defaultSettings(): Settings {
  return {
    model: { embedDim: 32, units: 128, layers: 1, dropout: 0 },
    train: {
      seqLen: 64,
      batchSize: 32,
      learningRate: 0.01,
      optimizer: 'adam',
      clipNorm: 5,
      batching: 'random',
      epochs: 5, // ~1 min of WASM on a 2-core laptop for the default sample; Stop or Continue at any time
      valFraction: 0.1,
      evalEvery: 50,
      evalBatches: 4,
      sampleEverySec: 15,
      autosaveSec: 30,
      readLossEvery: 1,
      seed: 42,
    },
    text: { lowercase: false, asciiOnly: false },
  };
}

/** One refused setting: which field, and why, in words for the form. */
export interface SettingError {
  field: string;
  message: string;
}

type Rule = [field: string, value: number, min: number, max: number, integer: boolean];

/** Checks every numeric setting against its range; returns one error per bad field. */
export function validateSettings(s: Settings): SettingError[] {
  const m = s.model;
  const t = s.train;
  const rules: Rule[] = [
    ['layers', m.layers, 1, 3, true],
    ['units', m.units, 4, 1024, true],
    ['embedDim', m.embedDim, 2, 512, true],
    ['dropout', m.dropout, 0, 0.9, false],
    ['seqLen', t.seqLen, 2, 1024, true],
    ['batchSize', t.batchSize, 1, 1024, true],
    ['learningRate', t.learningRate, 1e-6, 1, false],
    ['clipNorm', t.clipNorm, 0.01, 1000, false],
    ['epochs', t.epochs, 0.01, 1000, false],
    ['valFraction', t.valFraction, 0.01, 0.5, false],
    ['evalEvery', t.evalEvery, 1, 100_000, true],
    ['evalBatches', t.evalBatches, 1, 100, true],
    ['sampleEverySec', t.sampleEverySec, 1, 3600, false],
    ['autosaveSec', t.autosaveSec, 1, 3600, false],
    ['readLossEvery', t.readLossEvery, 1, 64, true],
    ['seed', t.seed, 0, 2 ** 32 - 1, true],
  ];
  const errors: SettingError[] = [];
  for (const [field, value, min, max, integer] of rules) {
    const message = checkNumber(value, min, max, integer);
    if (message) errors.push({ field, message });
  }
  if (t.optimizer !== 'adam' && t.optimizer !== 'rmsprop') {
    errors.push({ field: 'optimizer', message: 'Choose Adam or RMSprop.' });
  }
  if (t.batching !== 'random' && t.batching !== 'stateful') {
    errors.push({ field: 'batching', message: 'Choose random rows or stateful streams.' });
  }
  return errors;
}

function checkNumber(value: number, min: number, max: number, integer: boolean): string | null {
  if (!Number.isFinite(value)) return 'Enter a number.';
  if (integer && !Number.isInteger(value)) return 'Enter a whole number.';
  if (value < min || value > max) return `Must be between ${min} and ${max}.`;
  return null;
}
