/**
 * The worker's message handler, free of `self` so it runs under Node in tests. Every request is
 * answered; every exception becomes an `error` event and the worker keeps going.
 */
import { validateSettings, type BackendChoice, type BackendName } from '../lib/config';
import { CorpusError, checkLength, decodeCorpus } from '../lib/corpus';
import { assertNever, type AdapterSummary, type Request, type WorkerEvent } from '../lib/protocol';
import { TrainingRun } from '../lib/run';
import type { SampleSpec } from '../lib/stream';
import { buildVocab } from '../lib/vocab';

export interface BackendReport {
  backend: BackendName;
  adapter: AdapterSummary | null;
  tried: string[]; // e.g. ["webgpu: no adapter", "webgl: ok"]
}

export type BackendSelector = (choice: BackendChoice) => Promise<BackendReport>;

const PREVIEW_CHARS = 600;
const MAX_SAMPLE_LENGTH = 5000;

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorEvent(id: number | null, error: unknown): WorkerEvent {
  if (error instanceof CorpusError || error instanceof RequestError) {
    return { type: 'error', id, code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'error', id, code: 'internal', message: `Something went wrong in the worker: ${message}` };
}

export class WorkerHandler {
  #corpus: { name: string; text: string } | null = null;
  #run: TrainingRun | null = null;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    private readonly selectBackend: BackendSelector,
  ) {}

  /** Never throws: failures are posted as `error` events carrying the request's id. */
  async handle(request: Request): Promise<void> {
    try {
      await this.#dispatch(request);
    } catch (error) {
      this.post(errorEvent(request?.id ?? null, error));
    }
  }

  async #dispatch(req: Request): Promise<void> {
    switch (req.type) {
      case 'init':
        return this.#init(req.id, req.backend);
      case 'load-corpus':
        return this.#loadCorpus(req);
      case 'train':
        return this.#train(req);
      case 'pause':
        return this.#requireRun().pause();
      case 'resume':
        return this.#requireRun().resume();
      case 'stop':
        return this.#requireRun().stop();
      case 'sample':
        return this.#sample(req);
      default:
        assertNever(req);
    }
  }

  get #busy(): boolean {
    return this.#run?.status === 'training' || this.#run?.status === 'paused';
  }

  #requireRun(): TrainingRun {
    if (!this.#run) throw new RequestError('no-model', 'There is no model yet: press Train first.');
    return this.#run;
  }

  async #init(id: number, choice: BackendChoice): Promise<void> {
    if (this.#busy) throw new RequestError('busy', 'Stop training before switching the backend.');
    const report = await this.selectBackend(choice);
    this.post({ type: 'ready', id, ...report });
  }

  /** Validates fully before replacing the current corpus, so a bad file changes nothing. */
  #loadCorpus({ id, name, bytes, seqLen, valFraction }: Extract<Request, { type: 'load-corpus' }>): void {
    const text = decodeCorpus(new Uint8Array(bytes), name);
    let chars = 0;
    for (const _ of text) chars++;
    checkLength(chars, seqLen, valFraction, name);
    const { distinct, mappedToUnknown } = buildVocab(text);
    this.#corpus = { name, text };
    const preview = text.slice(0, PREVIEW_CHARS);
    this.post({ type: 'corpus', id, stats: { name, bytes: bytes.byteLength, chars, distinct, mappedToUnknown, preview } });
  }

  #train(req: Extract<Request, { type: 'train' }>): void {
    if (this.#busy) throw new RequestError('busy', 'A run is already in progress: stop it first.');
    if (!this.#corpus) throw new RequestError('no-corpus', 'Load a text first.');
    const invalid = validateSettings(req.settings);
    if (invalid.length > 0) {
      throw new RequestError('settings', invalid.map((e) => `${e.field}: ${e.message}`).join(' '));
    }
    const { name, text } = this.#corpus;
    const sample: SampleSpec = { ...req.sample };
    const run = new TrainingRun(name, text, req.settings, sample, this.post);
    this.#run?.dispose();
    this.#run = run;
    this.post({ type: 'run-started', id: req.id, info: run.info });
    run.train().catch((error) => {
      this.post(errorEvent(req.id, error));
      run.stop();
    });
  }

  async #sample(req: Extract<Request, { type: 'sample' }>): Promise<void> {
    const run = this.#requireRun();
    const temps = req.temperatures;
    if (temps.length < 1 || temps.length > 8 || temps.some((t) => !(t >= 0 && t <= 10))) {
      throw new RequestError('settings', 'Temperatures must be between 0 and 10 (one to eight of them).');
    }
    const length = Math.max(1, Math.min(MAX_SAMPLE_LENGTH, Math.floor(req.length)));
    await run.sample({ prime: req.prime, temperatures: temps, length });
  }
}
