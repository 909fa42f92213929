/** Turning any failure in the worker into an `error` event the page can show; checking a sample request. */
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

export function errorEvent(id: number | null, error: unknown): WorkerEvent {
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
    const message = `The English base cannot be used: ${error.message}. Training from scratch still works.`;
    return { type: 'error', id, code: 'base', message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'error', id, code: 'internal', message: `Something went wrong in the worker: ${message}` };
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
