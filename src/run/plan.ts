/** What a training loop will do, worked out before it starts: can this text train, and for how long. */
import { baseEntry, isBaseId } from '../config/bases';
import { FINE_TUNE_LABELS, type TrainConfig } from '../config/settings';
import { quoted } from '../config/words';
import { stepsPerEpoch, type Split } from '../data/batching';
import { CorpusError, checkLength } from '../data/corpus';
import { modelVariables } from '../engine/model';
import type { TrainingPlan } from './events';
import type { RunState } from './run-state';

/**
 * Throws a CorpusError when a text of `length` characters cannot be trained on with these
 * settings: too short for one row of each split, or (stateful batching) for one batch of lanes.
 */
export function checkTrainable(length: number, train: TrainConfig, name: string): void {
  const { seqLen: T, batchSize: B, valFraction } = train;
  checkLength(length, T, valFraction, name);
  const trainLength = length - Math.max(1, Math.round(length * valFraction));
  if (train.batching === 'stateful' && Math.floor((trainLength - 1) / B) < T) {
    const need = Math.ceil((B * T + 1) / (1 - valFraction));
    throw new CorpusError(
      'too-short',
      `${quoted(name)} has ${length} characters; stateful batches of ${B} rows of ${T} need at least ${need}. ` +
        'Lower the batch size or the sequence length.',
    );
  }
}

/** How the page names the base a run started from: its catalog label ("English base, large"). */
const originLabel = (baseId: string | undefined) => (isBaseId(baseId) ? baseEntry(baseId).label : 'English base');

/** The plan of a loop over `split`: a resumed run already past its epochs goes on for as many again. */
export function planOf(state: RunState, split: Split, train: TrainConfig): TrainingPlan {
  const { seqLen: T, batchSize: B, epochs } = train;
  const perEpoch = stepsPerEpoch(split.train.length, T, B);
  const planned = Math.max(1, Math.round(perEpoch * epochs));
  return {
    runId: state.runId,
    corpusHash: state.corpus.hash,
    vocabSize: state.vocab.chars.length,
    parameters: modelVariables(state.model).reduce((n, v) => n + v.size, 0),
    stepsPerEpoch: perEpoch,
    totalSteps: state.step < planned ? planned : state.step + planned,
    trainChars: split.train.length,
    valChars: split.val.length,
    charsPerStep: B * T,
    origin: state.origin ? `${originLabel(state.origin.baseId)} · ${FINE_TUNE_LABELS[state.origin.mode]}` : null,
    addedChars: state.origin?.addedChars ?? 0,
  };
}
