/** Turning any failure in the worker into an `error` event the page can show; checking a sample request. */
import { opening } from '../config/bases';
import { sentence } from '../config/words';
import { CorpusError } from '../data/corpus';
import { LabeledError } from '../data/labeled-set';
import { BaseModelError } from '../storage/base-model';
import { CheckpointError } from '../storage/checkpoint';
import type { SampleSpec } from '../run/events';
import type { ErrorCode, WorkerEvent } from './protocol';

/** A request the worker refuses, with a reason in words. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a person was doing when a request (or the work it started) failed unexpectedly, and what
 * still works: the page says this instead of an internal message, which goes to the console.
 */
const CONTEXT: Record<string, [doing: string, still: string]> = {
  init: ['choosing a backend', 'Reload the page to try again.'],
  'load-corpus': ['reading that text', 'The text you had is still loaded.'],
  train: ['training', 'Your saved runs are as they were; the last checkpoint is in Saved runs.'],
  'load-base': ['loading the English base', 'Training from scratch still works.'],
  race: ['racing scratch against the base', 'Your saved runs are as they were.'],
  'list-runs': ['listing your saved runs', 'Training and sampling still work.'],
  'open-run': ['opening a saved run', 'The model in hand and your saved runs are as they were.'],
  'rename-run': ['renaming a saved run', 'Your saved runs are as they were.'],
  'delete-run': ['deleting a saved run', 'Your other saved runs are as they were.'],
  'export-run': ['exporting a run', 'The run is still saved; try exporting it again.'],
  'import-run': ['importing a model', 'The model in hand and your saved runs are as they were.'],
  pause: ['pausing', 'Training goes on; Stop still works.'],
  resume: ['resuming', 'The model in hand is as it was.'],
  stop: ['stopping', 'The last checkpoint is in Saved runs.'],
  save: ['saving a checkpoint', 'The previous checkpoint is still in Saved runs.'],
  evaluate: ['measuring the validation loss', 'Training goes on.'],
  sample: ['writing a sample', 'The model in hand is as it was: ask for another sample.'],
  'check-engine': ['checking the engine', 'Training still works.'],
  'load-labeled': ['reading those labeled texts', 'The labeled texts you had are still loaded.'],
  classify: ['training the classifier', 'The labeled texts are still loaded: train again when ready.'],
  'classify-text': ['answering Try it', 'The classifier in hand is as it was: try another text.'],
  'export-classifier': ['exporting the classifier', 'The classifier in hand is as it was.'],
  'import-classifier': ['importing a classifier', 'The classifier in hand is as it was.'],
};

/** The sentence for an unexpected failure; the detail goes to the console, never to the page. */
function unexpected(error: unknown, request: string | undefined): string {
  console.error(`Inkling worker: unexpected failure${request ? ` (${request})` : ''}:`, error);
  const [doing, still] = (request && CONTEXT[request]) || [
    'working on your last request',
    'Your saved work is as it was.',
  ];
  return `Something unexpected went wrong while ${doing}. ${still} The details are in the browser's console.`;
}

/**
 * The `error` event for a failure: the app's own refusals say why in their words; anything else
 * says what the person was doing (`request`: the request type, or the work it started) and what
 * still works.
 */
export function errorEvent(id: number | null, error: unknown, request?: string): WorkerEvent {
  if (error instanceof CorpusError || error instanceof LabeledError || error instanceof RequestError) {
    return { type: 'error', id, code: error.code, message: error.message };
  }
  if (error instanceof CheckpointError) {
    return {
      type: 'error',
      id,
      code: 'checkpoint',
      message: sentence(`That saved model cannot be used: ${error.message}`),
    };
  }
  if (error instanceof BaseModelError) {
    const message = `${opening(error.base ?? 'the English base')} cannot be used: ${error.message}. Training from scratch still works.`;
    return { type: 'error', id, code: 'base', message };
  }
  return { type: 'error', id, code: 'internal', message: unexpected(error, request) };
}

const MAX_SAMPLE_LENGTH = 5000;

/** A sample request's spec, checked: one to eight temperatures in [0, 10], a length clamped to 1-5,000. */
export function sampleSpecOf(req: SampleSpec): SampleSpec {
  const temps = req.temperatures;
  if (temps.length < 1 || temps.length > 8 || temps.some((t) => !(t >= 0 && t <= 10))) {
    throw new RequestError('settings', 'Temperatures must be between 0 and 10 (one to eight of them).');
  }
  const length = Math.max(1, Math.min(MAX_SAMPLE_LENGTH, Math.floor(req.length) || 1));
  return { prime: req.prime, temperatures: temps, length };
}
