/**
 * Model, training and text settings: their defaults, and one spec table (label, range, hint)
 * that feeds validation, checkpoint validation and the settings form alike. Pure data.
 */
import type { BaseId } from './bases';

export type OptimizerName = 'adam' | 'rmsprop';
export type Batching = 'random' | 'stateful';
export type LstmEngine = 'fused' | 'autodiff';

/**
 * How a run starting from the pretrained base trains: every layer; the LSTM frozen (a feature
 * extractor: embedding and output trained); or ULMFiT's gradual unfreezing, output first and one
 * more layer down per epoch, each layer down at the rate of the one above divided by 2.6.
 */
export type FineTuneMode = 'all' | 'features' | 'gradual';
export const FINE_TUNE_MODES: readonly FineTuneMode[] = ['all', 'features', 'gradual'];
export const FINE_TUNE_LABELS: Record<FineTuneMode, string> = {
  all: 'All layers',
  features: 'Feature extractor (LSTM frozen)',
  gradual: 'Gradual unfreezing (ULMFiT)',
};

/** Where a new run's weights come from; base: which of config/bases.ts (absent: the small one). */
export type StartFrom = { from: 'scratch' } | { from: 'base'; mode: FineTuneMode; base?: BaseId };

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
  batching: Batching; // random row offsets, or contiguous rows with the LSTM state carried across batches
  epochs: number; // passes over the training text (in expected coverage) before Train stops
  valFraction: number; // share of the text, from its end as one block, held out for validation
  evalEvery: number; // steps between validation estimates
  evalBatches: number; // batches averaged per validation estimate
  sampleEverySec: number; // seconds between automatic samples while training
  autosaveSec: number; // seconds of training between checkpoints (also saved on pause and stop)
  readLossEvery: number; // steps between loss readbacks: the device runs ahead of the worker in between
  seed: number; // seeds batch order, weight init and sampling, so runs can be repeated
  lstm?: LstmEngine; // fused (hand-written backward, fused kernels) or the autodiff reference; absent: fused
  // End once validation has not improved for `patience` checks, and keep the best model as the one
  // in hand. Absent (a run saved before the setting): off, as such runs trained.
  stopAtBest?: boolean;
  patience?: number; // validation checks without a new best before stopping (absent: DEFAULT_PATIENCE)
}

/** The range of `patience`, checked like the numbers in SETTING_SPECS but optional for older runs. */
export const PATIENCE_RANGE = { min: 1, max: 100 };

export interface TextOptions {
  lowercase: boolean; // fold case, as the tutorials do: fewer symbols, faster learning
  asciiOnly: boolean; // drop every character outside printable ASCII, newline and tab
  foldTypography?: boolean; // curly quotes, dashes, ellipses and special spaces to ASCII (absent: off)
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
      epochs: 5, // ~1 min of WASM on a 2-core laptop for the default text; Stop or Continue at any time
      valFraction: 0.1,
      evalEvery: 50,
      evalBatches: 4,
      sampleEverySec: 15,
      autosaveSec: 30,
      readLossEvery: 1,
      seed: 42,
      stopAtBest: true, // a small text is memorised within minutes: the page keeps the best model, not the last
      patience: 5, // checks: enough that one noisy estimate does not end a run that is still learning
    },
    text: { lowercase: false, asciiOnly: false, foldTypography: false },
  };
}

type NumericKey<T> = { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T];
export type ModelField = NumericKey<Settings['model']>;
export type TrainField = NumericKey<TrainConfig>;

/** One numeric setting: where it lives, how the form shows it, and the range it must be in. */
export type SettingSpec = {
  label: string;
  min: number;
  max: number;
  integer: boolean;
  hint?: string; // shown under the field
  step?: number | 'any'; // the input's step, when not 1 (integers) or 'any'
  inForm: boolean; // shown in the settings form (the others keep their defaults in the page)
} & ({ group: 'model'; key: ModelField } | { group: 'train'; key: TrainField });

const spec = (s: SettingSpec) => s;

/** Every numeric setting, in the form's order. */
export const SETTING_SPECS: readonly SettingSpec[] = [
  spec({
    group: 'model',
    key: 'layers',
    label: 'LSTM layers',
    min: 1,
    max: 3,
    integer: true,
    hint: '1–3',
    inForm: true,
  }),
  spec({ group: 'model', key: 'units', label: 'Units per layer', min: 4, max: 1024, integer: true, inForm: true }),
  spec({ group: 'model', key: 'embedDim', label: 'Embedding size', min: 2, max: 512, integer: true, inForm: true }),
  spec({
    group: 'model',
    key: 'dropout',
    label: 'Dropout',
    min: 0,
    max: 0.9,
    integer: false,
    step: 0.05,
    inForm: true,
  }),
  spec({
    group: 'train',
    key: 'seqLen',
    label: 'Sequence length',
    min: 2,
    max: 1024,
    integer: true,
    hint: 'characters of context',
    inForm: true,
  }),
  spec({ group: 'train', key: 'batchSize', label: 'Batch size', min: 1, max: 1024, integer: true, inForm: true }),
  spec({
    group: 'train',
    key: 'learningRate',
    label: 'Learning rate',
    min: 1e-6,
    max: 1,
    integer: false,
    inForm: true,
  }),
  spec({ group: 'train', key: 'epochs', label: 'Epochs', min: 0.01, max: 1000, integer: false, inForm: true }),
  spec({
    group: 'train',
    key: 'valFraction',
    label: 'Validation share',
    min: 0.01,
    max: 0.5,
    integer: false,
    step: 0.01,
    hint: 'from the end of the text',
    inForm: true,
  }),
  spec({
    group: 'train',
    key: 'clipNorm',
    label: 'Clip gradient norm',
    min: 0.01,
    max: 1000,
    integer: false,
    inForm: true,
  }),
  spec({
    group: 'train',
    key: 'evalEvery',
    label: 'Validate every (steps)',
    min: 1,
    max: 100_000,
    integer: true,
    inForm: true,
  }),
  spec({
    group: 'train',
    key: 'evalBatches',
    label: 'Batches per validation',
    min: 1,
    max: 100,
    integer: true,
    inForm: false,
  }),
  spec({
    group: 'train',
    key: 'sampleEverySec',
    label: 'Sample every (s)',
    min: 1,
    max: 3600,
    integer: false,
    inForm: true,
  }),
  spec({
    group: 'train',
    key: 'autosaveSec',
    label: 'Autosave every (s)',
    min: 1,
    max: 3600,
    integer: false,
    inForm: true,
  }),
  spec({
    group: 'train',
    key: 'readLossEvery',
    label: 'Read the loss every (steps)',
    min: 1,
    max: 64,
    integer: true,
    inForm: false,
  }),
  spec({ group: 'train', key: 'seed', label: 'Seed', min: 0, max: 2 ** 32 - 1, integer: true, inForm: true }),
];

/** The spec of one setting, by key. */
export function specOf(key: ModelField | TrainField): SettingSpec {
  const found = SETTING_SPECS.find((s) => s.key === key);
  if (!found) throw new Error(`No setting named ${key}`);
  return found;
}

/** A setting's current value in `s`. */
export function valueOf(s: Settings, spec: SettingSpec): number {
  return spec.group === 'model' ? s.model[spec.key] : s.train[spec.key];
}

/** One refused setting: which field, and why, in words for the form. */
export interface SettingError {
  field: string;
  message: string;
}

/** Checks one number against a setting's spec; null when it is fine. */
export function checkSetting(spec: SettingSpec, value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'Enter a number.';
  if (spec.integer && !Number.isInteger(value)) return 'Enter a whole number.';
  if (value < spec.min || value > spec.max) return `Must be between ${spec.min} and ${spec.max}.`;
  return null;
}

/** Checks every setting against its spec; returns one error per bad field. */
export function validateSettings(s: Settings): SettingError[] {
  const errors: SettingError[] = [];
  for (const spec of SETTING_SPECS) {
    const message = checkSetting(spec, valueOf(s, spec));
    if (message) errors.push({ field: spec.key, message });
  }
  if (s.train.optimizer !== 'adam' && s.train.optimizer !== 'rmsprop') {
    errors.push({ field: 'optimizer', message: 'Choose Adam or RMSprop.' });
  }
  if (s.train.batching !== 'random' && s.train.batching !== 'stateful') {
    errors.push({ field: 'batching', message: 'Choose random rows or stateful batches.' });
  }
  const { patience, stopAtBest } = s.train;
  if (patience !== undefined) {
    const message = checkSetting({ ...specOf('epochs'), ...PATIENCE_RANGE, integer: true }, patience);
    if (message) errors.push({ field: 'patience', message });
  }
  if (stopAtBest !== undefined && typeof stopAtBest !== 'boolean') {
    errors.push({ field: 'stopAtBest', message: 'Choose whether to stop at the best.' });
  }
  if (s.train.lstm !== undefined && s.train.lstm !== 'fused' && s.train.lstm !== 'autodiff') {
    errors.push({ field: 'lstm', message: 'Choose the fused LSTM or the autodiff reference.' });
  }
  return errors;
}
