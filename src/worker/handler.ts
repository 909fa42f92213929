/**
 * The worker's message handler, free of `self` so it runs under Node in tests. Every request is
 * answered; every exception becomes an `error` event and the worker keeps going.
 */
import { validateSettings, type BackendChoice, type BackendName } from '../lib/config';
import { CheckpointError } from '../lib/checkpoint';
import { CorpusError, applyTextOptions, checkLength, decodeCorpus } from '../lib/corpus';
import { assertNever, type AdapterSummary, type Request, type WorkerEvent } from '../lib/protocol';
import { TrainingRun } from '../lib/run';
import { RunState, type CorpusRef } from '../lib/run-state';
import type { CheckpointStore } from '../lib/store';
import { streamSample, type SampleSpec } from '../lib/stream';
import { Rng } from '../lib/rng';
import { buildVocab } from '../lib/vocab';
import { Persistence } from './persistence';

export interface BackendReport {
  backend: BackendName;
  adapter: AdapterSummary | null;
  tried: string[]; // e.g. ["webgpu: no adapter", "webgl: 812 ms per probe step"]
  measured: boolean; // Auto timed the backends this time (rather than reusing a remembered pick)
}

export type BackendSelector = (choice: BackendChoice, remembered: BackendName | null) => Promise<BackendReport>;
type Req<T extends Request['type']> = Extract<Request, { type: T }>;

const PREVIEW_CHARS = 600;
const MAX_SAMPLE_LENGTH = 5000;

export class RequestError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export function errorEvent(id: number | null, error: unknown): WorkerEvent {
  if (error instanceof CorpusError || error instanceof RequestError) return { type: 'error', id, code: error.code, message: error.message };
  if (error instanceof CheckpointError) return { type: 'error', id, code: 'checkpoint', message: `That saved model cannot be used: ${error.message}.` };
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'error', id, code: 'internal', message: `Something went wrong in the worker: ${message}` };
}

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class WorkerHandler {
  #corpus: (CorpusRef & { text: string }) | null = null;
  #state: RunState | null = null; // the model in hand: trained here, or opened from storage
  #run: TrainingRun | null = null; // its training loop, while there is one
  #backend: BackendName = 'cpu';
  #sampleGeneration = 0;
  readonly persistence: Persistence;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    private readonly selectBackend: BackendSelector,
    makeStore: () => CheckpointStore,
  ) {
    this.persistence = new Persistence(post, makeStore);
  }

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
      case 'init': return this.#init(req.id, req.backend, req.remembered);
      case 'load-corpus': return this.#loadCorpus(req);
      case 'train': return this.#train(req);
      case 'pause': return this.#requireRun().pause();
      case 'resume': return this.#requireRun().resume();
      case 'stop': return this.#requireRun().stop();
      case 'evaluate': return this.#requireRun().evaluate();
      case 'sample': return this.#sample(req);
      case 'list-runs': return this.persistence.list(req.id);
      case 'open-run': return this.#openRun(req);
      case 'rename-run': return this.persistence.rename(req.id, req.runId, req.name, this.#state);
      case 'delete-run': return this.persistence.delete(req.id, req.runId);
      case 'export-run': return this.persistence.export(req.id, req.runId, this.#state, this.#backend);
      case 'import-run': return this.persistence.import(req.id, req.name, req.bytes);
      default: assertNever(req);
    }
  }

  get #busy(): boolean {
    const status = this.#run?.status;
    return status === 'training' || status === 'paused' || status === 'stopping';
  }

  #requireRun(): TrainingRun {
    if (!this.#run) throw new RequestError('no-run', 'Nothing is training.');
    return this.#run;
  }

  #refuseWhileBusy(what: string): void {
    if (this.#busy) throw new RequestError('busy', `Stop training before ${what}.`);
  }

  async #init(id: number, choice: BackendChoice, remembered: BackendName | null): Promise<void> {
    this.#refuseWhileBusy('switching the backend');
    const report = await this.selectBackend(choice, remembered);
    this.#backend = report.backend;
    this.post({ type: 'ready', id, ...report });
    if (!this.persistence.available) await this.persistence.init();
  }

  /** Validates fully before replacing the current corpus, so a bad file changes nothing. */
  async #loadCorpus({ id, name, bytes, seqLen, valFraction }: Req<'load-corpus'>): Promise<void> {
    const text = decodeCorpus(new Uint8Array(bytes), name);
    let chars = 0;
    for (const _ of text) chars++;
    checkLength(chars, seqLen, valFraction, name);
    await this.#setCorpus({ name, text, chars, hash: await sha256(text) }, id, bytes.byteLength);
  }

  async #setCorpus(corpus: CorpusRef & { text: string }, id: number | null, bytes: number): Promise<void> {
    const { distinct, mappedToUnknown } = buildVocab(corpus.text);
    this.#corpus = corpus;
    const preview = corpus.text.slice(0, PREVIEW_CHARS);
    const stats = { name: corpus.name, bytes, chars: corpus.chars, distinct, mappedToUnknown, preview, hash: corpus.hash };
    this.post({ type: 'corpus', id: id ?? 0, stats });
  }

  async #train(req: Req<'train'>): Promise<void> {
    this.#refuseWhileBusy('starting another run');
    if (!this.#corpus) throw new RequestError('no-corpus', 'Load a text first.');
    const invalid = validateSettings(req.settings);
    if (invalid.length > 0) throw new RequestError('settings', invalid.map((e) => `${e.field}: ${e.message}`).join(' '));
    const corpus = this.#corpus;
    const state = req.resume ? this.#resumable(req) : RunState.fresh(corpus, buildVocab(applyTextOptions(corpus.text, req.settings.text)).vocab, req.settings);
    const text = applyTextOptions(corpus.text, state.settings.text);
    let run: TrainingRun;
    try {
      run = new TrainingRun(state, text, state.settings, { ...req.sample }, {
        emit: this.post, save: (reason) => this.persistence.save(state, this.#backend, reason),
      });
    } catch (error) {
      if (state !== this.#state) state.dispose();
      throw error;
    }
    if (state !== this.#state) this.#state?.dispose();
    this.#state = state;
    this.#run = run;
    if (this.persistence.available) void this.persistence.storeCorpus(corpus); // in the background
    this.post({ type: 'run-started', id: req.id, info: run.info });
    run.train().catch((error) => {
      this.post(errorEvent(req.id, error));
      run.stop();
    });
  }

  /** The open run, continued on the loaded text: its own (resume) or another (fine-tuning). */
  #resumable(req: Req<'train'>): RunState {
    const state = this.#state;
    if (!state) throw new RequestError('no-model', 'There is no model to resume: open a saved run or train a new one.');
    state.settings = { ...req.settings, model: state.settings.model, text: state.settings.text };
    const corpus = this.#corpus!;
    if (corpus.hash !== state.corpus.hash) state.adoptCorpus(corpus, applyTextOptions(corpus.text, state.settings.text));
    return state;
  }

  async #openRun(req: Req<'open-run'>): Promise<void> {
    this.#refuseWhileBusy('opening another run');
    const state = await this.persistence.open(req.runId);
    this.#run?.dispose();
    this.#run = null;
    this.#state?.dispose();
    this.#state = state;
    if (this.#corpus?.hash !== state.corpus.hash) {
      const saved = await this.persistence.loadCorpus(state.corpus.hash);
      if (saved) await this.#setCorpus({ ...state.corpus, text: saved.text }, null, new TextEncoder().encode(saved.text).length);
    }
    const { runId, name, settings, step, history, corpus } = state;
    const corpusLoaded = this.#corpus?.hash === corpus.hash;
    this.post({ type: 'run-opened', id: req.id, opened: { runId, name, settings, step, history, corpus, corpusLoaded } });
  }

  async #sample(req: Req<'sample'>): Promise<void> {
    const state = this.#state;
    if (!state) throw new RequestError('no-model', 'There is no model yet: press Train first.');
    const temps = req.temperatures;
    if (temps.length < 1 || temps.length > 8 || temps.some((t) => !(t >= 0 && t <= 10))) {
      throw new RequestError('settings', 'Temperatures must be between 0 and 10 (one to eight of them).');
    }
    const spec: SampleSpec = { prime: req.prime, temperatures: temps, length: Math.max(1, Math.min(MAX_SAMPLE_LENGTH, Math.floor(req.length))) };
    if (this.#busy) return this.#run!.sample(spec);
    const generation = ++this.#sampleGeneration;
    const cancelled = () => generation !== this.#sampleGeneration || this.#busy;
    await streamSample(state.model, state.vocab, spec, generation, new Rng(state.rng.int(2 ** 31)), this.post, cancelled);
  }
}
