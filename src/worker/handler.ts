/**
 * The worker's message handler, free of `self` so it runs under Node in tests. Every request is
 * answered by its reply or an `error` event with its id; the worker keeps going after any failure.
 */
import type { BackendChoice, BackendName } from '../config/backends';
import { validateSettings } from '../config/settings';
import { checkFusedLstm } from '../engine/engine-check';
import { Rng } from '../data/rng';
import { RunState, type CorpusRef } from '../run/run-state';
import { Sampler } from '../run/sample-stream';
import type { LoopHooks, TrainingLoop } from '../run/training-loop';
import type { CheckpointStore } from '../storage/store';
import { RequestError, errorEvent, sampleSpecOf } from './errors';
import { BackendChoices, type BackendSelector } from './backend-choices';
import { Persistence } from './persistence';
import type { Race } from '../run/race';
import { BaseLoader } from './base-loader';
import { DEFAULT_BASE, isBaseId } from '../config/bases';
import { quoted } from '../config/words';
import { ClassifyJobs } from './classify-jobs';
import { loopFor, newRun, raceFor, resumedRun, type LoadedCorpus } from './run-starts';
import { describeCorpus, readCorpus } from './corpus-intake';
import { assertNever, type Request, type WorkerEvent } from './protocol';
import { InsideJobs, type Inspectable } from './inside-jobs';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

export class WorkerHandler {
  #corpus: LoadedCorpus | null = null;
  #state: RunState | null = null; // the model in hand: trained here, or opened from storage
  #loop: TrainingLoop | null = null; // its training loop, while there is one
  #race: Race | null = null; // the latest race (scratch vs the base), running or done
  #raceRuns: { scratch: RunState; base: RunState } | null = null; // its two models, kept to look inside
  #backend: BackendName = 'cpu';
  readonly #sampler: Sampler;
  readonly #choices: BackendChoices;
  readonly persistence: Persistence;
  readonly classify: ClassifyJobs;
  readonly inside: InsideJobs;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    selectBackend: BackendSelector,
    makeStore: () => CheckpointStore,
    private readonly bases: BaseLoader = new BaseLoader(),
  ) {
    this.persistence = new Persistence(post, makeStore);
    this.#sampler = new Sampler(post);
    this.#choices = new BackendChoices(selectBackend);
    this.classify = new ClassifyJobs(post, bases, this.persistence.classifierStore);
    this.inside = new InsideJobs(post, {
      hand: () => (this.#state ? inspectable(this.#state) : null),
      race: (lane) => {
        const run = this.#raceRuns?.[lane];
        return run ? inspectable(run, `the race's ${lane === 'scratch' ? 'scratch' : 'fine-tuned'} model`) : null;
      },
      base: () => this.bases.base,
      corpus: () => this.#corpus,
    });
  }

  /** Never throws: failures are posted as `error` events carrying the request's id. */
  async handle(request: Request): Promise<void> {
    try {
      const reply = await this.#dispatch(request);
      if (reply === 'done') this.post({ type: 'done', id: request.id });
    } catch (error) {
      this.post(errorEvent(request?.id ?? null, error, request?.type));
    }
  }

  /** Runs a request; requests whose reply is `done` return it, the others post their own. */
  async #dispatch(req: Request): Promise<'done' | void> {
    switch (req.type) {
      case 'init':
        return this.#init(req.id, req.backend, req.remembered);
      case 'load-corpus':
        return this.#loadCorpus(req);
      case 'train':
        return this.#train(req);
      case 'load-base':
        return this.#loadBase(req);
      case 'race':
        return this.#startRace(req);
      case 'pause':
        return (this.#requireLoop().pause(), 'done');
      case 'resume':
        return (this.#requireLoop().resume(), 'done');
      case 'stop':
        return (this.#stop(), 'done');
      case 'save':
        return (this.#requireLoop().saveSoon(), 'done');
      case 'evaluate':
        return this.#requireLoop()
          .evaluate()
          .then(() => 'done' as const);
      case 'sample':
        return this.#sample(req).then(() => 'done' as const);
      case 'list-runs':
        return this.persistence.list(req.id);
      case 'open-run':
        return this.#openRun(req);
      case 'rename-run':
        return this.persistence.rename(req.id, req.runId, req.name, this.#state);
      case 'delete-run':
        return this.persistence.delete(req.id, req.runId);
      case 'export-run':
        return this.persistence.export(req.id, req.runId, this.#state, this.#backend);
      case 'import-run':
        return this.#importRun(req);
      case 'check-engine':
        return this.#checkEngine(req.id);
      case 'load-labeled':
        return this.classify.load(req);
      case 'classify':
        return this.classify.train(req, () => this.#refuseWhileBusy('training a classifier'));
      case 'classify-text':
        return this.classify.classifyText(req);
      case 'export-classifier':
        return this.classify.exportClassifier(req);
      case 'import-classifier':
        return this.classify.importClassifier(req);
      case 'inside':
        return this.inside.inside(req);
      case 'inside-unit':
        return this.inside.unit(req);
      case 'inside-memory':
        return this.inside.memory(req);
      default:
        assertNever(req);
    }
  }

  /** The last race's scratch model goes (its fine-tuned one is the model in hand, replaced by the caller). */
  #forgetRace(): void {
    if (this.#raceRuns && this.#raceRuns.scratch !== this.#state) this.#raceRuns.scratch.dispose();
    this.#raceRuns = null;
  }

  #stop(): void {
    if (this.classify.stop()) return;
    if (this.#race?.status === 'racing') this.#race.stop();
    else this.#requireLoop().stop();
  }

  get #busy(): boolean {
    const status = this.#loop?.status;
    const racing = this.#race !== null && this.#race.status !== 'done';
    return racing || this.classify.busy || status === 'training' || status === 'paused' || status === 'stopping';
  }

  #requireLoop(): TrainingLoop {
    if (!this.#loop) throw new RequestError('no-run', 'Nothing is training.');
    return this.#loop;
  }

  #refuseWhileBusy(what: string): void {
    if (this.#busy) throw new RequestError('busy', `Stop training before ${what}.`);
  }

  /** Picks the backend (after any choice still in progress), opens storage, says `ready`. */
  async #init(id: number, choice: BackendChoice, remembered: BackendName | null): Promise<void> {
    this.#refuseWhileBusy('switching the backend');
    await this.#choices.choose(choice, remembered, async (report) => {
      this.#backend = report.backend;
      if (!this.persistence.available) {
        await this.persistence.init();
        await this.classify.restore();
      }
      this.post({ type: 'ready', id, ...report });
    });
  }

  /** Validates fully before replacing the current corpus, so a bad file changes nothing. */
  async #loadCorpus({ id, name, bytes, seqLen, valFraction }: Req<'load-corpus'>): Promise<void> {
    const corpus = await readCorpus(name, bytes, seqLen, valFraction);
    this.#corpus = corpus;
    this.post({ type: 'corpus', id, stats: describeCorpus(corpus, bytes.byteLength) });
  }

  async #train(req: Req<'train'>): Promise<void> {
    this.#refuseWhileBusy('starting another run');
    if (!this.#corpus) throw new RequestError('no-corpus', 'Load a text first.');
    const invalid = validateSettings(req.settings);
    if (invalid.length > 0)
      throw new RequestError('settings', invalid.map((e) => `${e.field}: ${e.message}`).join(' '));
    const corpus = this.#corpus;
    const state = req.resume
      ? resumedRun(this.#state, req.settings, corpus)
      : newRun(req.start, req.settings, corpus, req.start.from === 'base' ? this.bases.get(req.start.base) : null);
    const save: LoopHooks['save'] = (reason) => this.persistence.save(state, this.#backend, reason);
    const loop = loopFor(state, corpus, req.sample, { emit: this.post, sampler: this.#sampler, save }, this.#state);
    this.#loop?.dispose();
    this.#sampler.cancel(); // a sample of the model in hand ends before that model may go
    this.#forgetRace();
    if (state !== this.#state) this.#state?.dispose();
    this.#state = state;
    this.#loop = loop;
    if (this.persistence.available) void this.persistence.storeCorpus(corpus); // in the background
    this.post({ type: 'run-started', id: req.id, plan: loop.plan });
    loop.train().catch((error) => {
      this.post(errorEvent(null, error, 'train'));
      loop.stop();
    });
  }

  /** Fetches (or reads from the cache), checks and keeps the pretrained base, with progress. */
  async #loadBase({ id, url, base = DEFAULT_BASE }: Req<'load-base'>): Promise<void> {
    if (!isBaseId(base)) throw new RequestError('base', `This page has no base called ${quoted(String(base))}.`);
    const onProgress = (loaded: number, total: number) => this.post({ type: 'base-progress', base, loaded, total });
    this.post({ type: 'base', id, base: await this.bases.load(url, onProgress, base) });
  }

  /** Scratch against the base on the loaded text; afterwards the pretrained model is the one in hand. */
  async #startRace(req: Req<'race'>): Promise<void> {
    this.#refuseWhileBusy('starting a race');
    if (!this.#corpus) throw new RequestError('no-corpus', 'Load a text first.');
    if (!(req.seconds >= 1 && req.seconds <= 3600)) throw new RequestError('settings', 'Race for 1 to 3,600 seconds.');
    const save = (state: RunState) => this.persistence.save(state, this.#backend, 'finish');
    const { race, runs } = raceFor(req, this.#corpus, this.bases.get(req.base), { emit: this.post, save });
    this.#loop?.dispose();
    this.#loop = null;
    this.#sampler.cancel();
    this.#forgetRace();
    this.#state?.dispose();
    this.#state = null;
    this.#race = race;
    this.#raceRuns = runs;
    this.post({ type: 'race-started', id: req.id, seconds: req.seconds, plans: race.plans });
    race
      .run()
      .catch((error) => this.post(errorEvent(null, error, 'race')))
      .finally(() => {
        this.#state = runs.base; // scratch stays in #raceRuns until the next run, to look inside
      });
  }

  async #openRun(req: Req<'open-run'>): Promise<void> {
    this.#refuseWhileBusy('opening another run');
    await this.#open(req.id, await this.persistence.open(req.runId));
  }

  /** Imports an export and opens it: stored when storage works, in memory either way. */
  async #importRun(req: Req<'import-run'>): Promise<void> {
    this.#refuseWhileBusy('importing a model');
    const checkpoint = await this.persistence.importRun(req.name, req.bytes);
    await this.#open(req.id, await RunState.fromCheckpoint(checkpoint));
  }

  /** Makes `state` the model in hand (sampling and resuming work on it), and says so. */
  async #open(id: number, state: RunState): Promise<void> {
    this.#loop?.dispose();
    this.#loop = null;
    this.#sampler.cancel();
    this.#forgetRace();
    this.#state?.dispose();
    this.#state = state;
    if (this.#corpus?.hash !== state.corpus.hash) await this.#restoreCorpus(state.corpus);
    const { runId, name, settings, step, history, corpus } = state;
    const corpusLoaded = this.#corpus?.hash === corpus.hash;
    const opened = { runId, name, settings, step, history, corpus, corpusLoaded, timeline: state.timeline };
    this.post({ type: 'run-opened', id, opened });
  }

  /** Loads an opened run's own text from storage, when it was kept there. */
  async #restoreCorpus(ref: CorpusRef): Promise<void> {
    const saved = await this.persistence.loadCorpus(ref.hash);
    if (!saved) return;
    this.#corpus = { ...ref, text: saved.text };
    const stats = describeCorpus(this.#corpus, new TextEncoder().encode(saved.text).length);
    this.post({ type: 'corpus-restored', stats });
  }

  /** Between runs only: it builds and trains a small model of its own. */
  async #checkEngine(id: number): Promise<void> {
    this.#refuseWhileBusy('checking the engine');
    this.post({ type: 'engine-check', id, backend: this.#backend, check: await checkFusedLstm() });
  }

  async #sample(req: Req<'sample'>): Promise<void> {
    const state = this.#state;
    if (!state) throw new RequestError('no-model', 'There is no model yet: press Train first.');
    const spec = sampleSpecOf(req);
    if (this.#busy) return this.#loop!.sample(spec);
    await this.#sampler.run(state.model, state.vocab, spec, new Rng(state.rng.int(2 ** 31)));
  }
}

/** The model of a run, as Look inside describes it. */
function inspectable(state: RunState, name = 'the model in hand'): Inspectable {
  return { model: state.model, vocab: state.vocab, name, step: state.step, settings: state.settings };
}
