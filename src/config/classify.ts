/** Settings of a classifier run, their defaults and their ranges. Pure data. */
import { BASES, isBaseId, type BaseId } from './bases';

export type EncoderStart = 'base' | 'scratch';
export type Unfreezing = 'gradual' | 'all'; // ULMFiT's gradual unfreezing, or every layer from the start

export interface ClassifySettings {
  start: EncoderStart; // the English base's encoder, or a fresh one of the same shape
  base?: BaseId; // which base (config/bases.ts; absent: the small one): the encoder, or the shape of a fresh one
  maxLen: number; // characters of each text the model reads; longer texts are cut
  window: number; // training reads a random stretch of this many characters of longer texts; 0: whole texts
  valFraction: number; // share of each class held out for validation (stratified, seeded)
  perClass: number | null; // use only this many training examples per class; null: all
  lmSeconds: number; // first fine-tune the language model on the texts (labels unused); 0: skip
  epochs: number; // passes over the training examples
  seconds: number | null; // a time budget instead of epochs (races and the bench); null: epochs
  batchSize: number; // texts per step
  learningRate: number; // peak of the slanted triangular schedule (the head's; each layer down ÷2.6)
  unfreezing: Unfreezing; // gradual (ULMFiT) or every layer from the start
  evalEverySec: number; // seconds between validation passes (and one after the first step)
  seed: number; // seeds the split, the batches, the head's weights and dropout
  // End once validation accuracy has not improved for `patience` validations, and keep the most
  // accurate classifier as the one in hand (absent: on, with 5)
  stopAtBest?: boolean;
  patience?: number;
}

export const MAX_LEN_LIMIT = 2000; // the longest maximum length a run may ask for

export function defaultClassifySettings(): ClassifySettings {
  return {
    start: 'base',
    maxLen: 512, // validation, Try it and the export read this much of each text
    window: 256, // each training step reads a fresh random stretch: no text can be learnt by heart
    valFraction: 0.2,
    perClass: null,
    lmSeconds: 0,
    epochs: 10, // gradual unfreezing in four stages: head; + LSTM; + embedding; all. Windows need ~10 passes
    seconds: null,
    batchSize: 32,
    learningRate: 0.01,
    unfreezing: 'gradual',
    evalEverySec: 10,
    seed: 42,
    stopAtBest: true,
    patience: 5,
  };
}

/** Ranges, checked by the worker before a run starts: each broken rule in words. */
export function classifySettingsErrors(s: ClassifySettings): string[] {
  const errors: string[] = [];
  const within = (v: number, lo: number, hi: number, what: string) => {
    if (!(Number.isFinite(v) && v >= lo && v <= hi)) errors.push(`${what} must be between ${lo} and ${hi}.`);
  };
  within(s.maxLen, 8, MAX_LEN_LIMIT, 'Maximum length');
  if (s.window !== 0) within(s.window, 8, MAX_LEN_LIMIT, 'The training window');
  within(s.valFraction, 0.05, 0.5, 'The validation share');
  within(s.epochs, 1, 100, 'Epochs');
  within(s.batchSize, 1, 256, 'Batch size');
  within(s.learningRate, 1e-5, 1, 'The learning rate');
  within(s.lmSeconds, 0, 3600, 'Language-model fine-tuning seconds');
  within(s.evalEverySec, 1, 600, 'Seconds between validations');
  if (s.perClass !== null) within(s.perClass, 1, 1e6, 'Examples per class');
  if (s.seconds !== null) within(s.seconds, 1, 3600, 'Seconds');
  if (s.patience !== undefined) within(s.patience, 1, 100, 'Patience');
  if (s.base !== undefined && !isBaseId(s.base)) {
    errors.push(`The encoder's base must be one of this page's: ${BASES.map((b) => b.id).join(', ')}.`);
  }
  return errors;
}
