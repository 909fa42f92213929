/** Turning any failure in the worker into an `error` event the page can show. */
import { sentence } from '../config/words';
import { CorpusError } from '../data/corpus';
import { LabeledError } from '../data/labeled-set';
import { BaseModelError } from '../storage/base-model';
import { CheckpointError } from '../storage/checkpoint';
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
