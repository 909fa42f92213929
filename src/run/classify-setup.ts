/** Turning a labeled set and settings into what a classifier run needs: encoded texts, the split, the model. */
import type { ClassifySettings } from '../config/classify';
import type { ModelConfig } from '../config/settings';
import { BASE_ALPHABET, foldTypography } from '../data/alphabet';
import { limitPerClass, stratifiedSplit, type LabeledSet } from '../data/labeled-set';
import { encodeTexts } from '../data/text-batches';
import { makeVocab } from '../data/vocab';
import { createClassifier, DEFAULT_HEAD, type Classifier } from '../engine/classifier';
import { assignWeights, createModel } from '../engine/model';
import type { ClassifyData } from './classify-run';
import type { LoadedBase } from './run-state';

/** The encoder when there is no base to copy the shape from: the shipped base's architecture. */
export const BASE_SHAPE: ModelConfig = {
  vocabSize: BASE_ALPHABET.length,
  embedDim: 32,
  units: 256,
  layers: 1,
  dropout: 0,
};

/**
 * Every text in the base's alphabet (typography folded), cut at maxLen; the stratified split,
 * then the per-class limit on the training side. `truncated` counts the texts cut.
 */
export function prepareData(set: LabeledSet, settings: ClassifySettings, alphabet: readonly string[] = BASE_ALPHABET) {
  const vocab = makeVocab([...alphabet]);
  const { seqs, truncated } = encodeTexts(set.texts.map(foldTypography), vocab, settings.maxLen);
  const split = stratifiedSplit(set.y, set.labels.length, settings.valFraction, settings.seed);
  if (settings.perClass !== null) split.train = limitPerClass(split.train, set.y, settings.perClass, settings.seed);
  const data: ClassifyData = { set, vocab, seqs, split };
  return { data, truncated };
}

/** The base's encoder (its weights copied) or a fresh one of the same shape, under a new head. */
export function makeClassifier(settings: ClassifySettings, classes: number, base: LoadedBase | null): Classifier {
  const config = base ? base.meta.model : BASE_SHAPE;
  const encoder = createModel({ ...config, dropout: 0 }, settings.seed);
  if (settings.start === 'base') {
    if (!base) throw new Error('the English base is not loaded');
    assignWeights(
      encoder,
      base.weights.map((w) => w.values),
    );
  }
  return createClassifier(encoder, { classes, ...DEFAULT_HEAD }, settings.seed);
}
