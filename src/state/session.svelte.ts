/**
 * The page's view of the training worker: owns the Worker through one WorkerClient, sends typed
 * requests, and turns the worker's events into rune state for the components. One per page.
 */
import { quoted } from '../config/words';
import type { BackendChoice } from '../config/backends';
import { DEFAULT_TEMPERATURES, defaultSettings } from '../config/settings';
import type { SampleSpec } from '../run/events';
import type { OpenedRun, WorkerEvent } from '../worker/protocol';
import { Announcements } from './announcements.svelte';
import { BackendView } from './backend.svelte';
import { ClassifierState } from './classifier.svelte';
import { InsideState } from './inside.svelte';
import type { ViewId } from './inside-helpers';
import { Transfer } from './transfer.svelte';
import { Texts, type Notice } from './texts.svelte';
import { SavedRuns } from './runs.svelte';
import { Suggested } from './suggested.svelte';
import { TrainingView } from './training.svelte';
import { WorkerClient, WorkerRequestError, type Ask } from './worker-client';

const AUTO_SAMPLE_LENGTH = 160; // characters per temperature in the samples shown while training

export type { Notice } from './texts.svelte';

export class Session {
  settings = $state(defaultSettings());
  prime = $state('');
  temperatures = $state([...DEFAULT_TEMPERATURES]);
  sampleLength = $state(300); // characters per temperature for on-demand samples
  view = $state<ViewId>('train'); // the activity on screen: train, race, classify or look inside

  #loads = $state(0); // texts and imports being read: the loading flag follows their requests
  #notice = $state<Notice | null>(null);
  #crashed = $state(false);
  #opened = $state.raw<OpenedRun | null>(null); // the saved run whose model is in hand, if any
  #queued = $state<'new' | 'resume' | null>(null); // Train pressed while Auto still measures: starts when it is done
  readonly backend = new BackendView(); // which tfjs backend trains, and why
  readonly announcements = new Announcements(); // what the page's one live region says
  /** Status, progress, curves and samples of the model in hand. */
  readonly training = new TrainingView((text) => this.announcements.say(text));
  readonly transfer = new Transfer({
    ask: (body, transfer) => this.ask(body, transfer),
    settings: () => this.settings,
    prime: () => this.prime,
    raceStarted: () => {
      this.training.reset();
      this.#opened = null;
    },
  }); // scratch or the English base; the race between them
  readonly texts = new Texts({
    ask: (body, transfer) => this.ask(body, transfer),
    whileLoading: (work) => this.#whileLoading(work),
    settings: () => this.settings,
    prime: { get: () => this.prime, set: (prime) => (this.prime = prime) },
    notice: { get: () => this.#notice, set: (notice) => this.say(notice) },
    suggest: (stats) =>
      this.suggested.apply(this.settings, stats.chars, stats.bytes, this.transfer.startFrom === 'base'),
  }); // the text to train on
  readonly suggested = new Suggested(); // model size, dropout and epochs proposed for the text's size
  readonly classifier = new ClassifierState({
    ask: (body, transfer) => this.ask(body, transfer),
    loadBase: (id) => this.transfer.ensureBase(id),
    pageBase: () => this.transfer.baseId,
    baseView: (id) => this.transfer.bases[id],
    say: (text) => this.say({ kind: 'error', text }),
  }); // labeled texts, the classifier and Try it
  readonly inside = new InsideState({
    request: (body) =>
      this.#client && !this.#crashed
        ? this.#client.request(body)
        : Promise.reject(new WorkerRequestError('crashed', 'The worker is not running: restart it first.')),
    loadBase: () => this.transfer.ensureBase(),
    models: () => [
      ...(this.training.plan || this.#opened ? (['hand'] as const) : []),
      'base',
      ...(this.transfer.race.runIds ? (['race-scratch', 'race-base'] as const) : []),
    ],
    showing: () => this.view === 'inside',
  }); // Look inside: what the model predicts, remembers and keeps in each cell
  readonly runs = new SavedRuns(
    (body, transfer) => this.ask(body, transfer),
    (work) => this.#whileLoading(work),
    (text) => this.announcements.say(text),
  );

  #worker: Worker | null = null;
  #client: WorkerClient | null = null;

  get corpus() {
    return this.texts.stats;
  }
  get loading() {
    return this.#loads > 0;
  }
  get notice() {
    return this.#notice;
  }
  get crashed() {
    return this.#crashed;
  }
  /** Training, paused, or wrapping up a run (its final evaluation and save). */
  get busy() {
    return this.training.busy || this.transfer.race.running || this.classifier.status === 'training';
  }
  get hasModel() {
    return this.training.plan !== null || this.#opened !== null || this.transfer.race.runIds !== null;
  }
  get opened() {
    return this.#opened;
  }
  /** Train was pressed while Auto measures the backends: training starts by itself once it has chosen. */
  get trainQueued() {
    return this.#queued !== null;
  }
  /** Whether training on would fine-tune: the loaded text is not the model's own. */
  get fineTuning() {
    const own = this.#opened?.corpus.hash ?? this.training.plan?.corpusHash;
    return own !== undefined && this.corpus !== null && this.corpus.hash !== own;
  }

  /** Starts (or restarts) the worker and asks it to pick a backend. */
  start(): void {
    this.#worker?.terminate();
    this.#client?.failAll('the worker was restarted');
    this.#crashed = false;
    this.training.idle();
    this.#opened = null;
    this.inside.reset();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- Vite's worker pattern, not state
    const worker = new Worker(new URL('../worker/train.worker.ts', import.meta.url), { type: 'module' });
    worker.onerror = (e) => this.#onCrash(e.message || 'the worker stopped unexpectedly');
    worker.onmessageerror = () => this.#onCrash('a message could not be read');
    this.#worker = worker;
    this.#client = new WorkerClient(worker, (e) => this.#onEvent(e));
    this.#queued = null;
    void this.ask(this.backend.first());
    this.texts.resend();
  }

  /**
   * Sends a request through the client. Its failure becomes the page's notice; the promise then
   * resolves to null, so callers only handle success.
   */
  ask: Ask = async (body, transfer = []) => {
    if (!this.#client || this.#crashed) return null;
    try {
      return await this.#client.request(body, transfer);
    } catch (error) {
      const quiet = error instanceof WorkerRequestError && (error.code === 'crashed' || error.code === 'superseded');
      if (!quiet) this.say({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
      return null;
    }
  };

  /** Forces a backend; choosing Auto again measures afresh. */
  setBackend(choice: BackendChoice): void {
    void this.ask(this.backend.choose(choice));
  }

  /** Trains a new model, or (resume) goes on with the open one on the loaded text. */
  train(resume = false): void {
    if (!this.backend.name) {
      this.#queued = resume ? 'resume' : 'new'; // the worker is still choosing its backend
      return;
    }
    this.#queued = null;
    if (!resume) {
      this.training.reset();
      this.#opened = null;
      this.inside.newRun();
    }
    const settings = $state.snapshot(this.settings);
    const start = this.transfer.start;
    void this.ask({ type: 'train', settings, sample: this.#sampleSpec(AUTO_SAMPLE_LENGTH), resume, start });
  }

  /** Opens a file: an Inkling export (.zip) is imported, anything else is a text to train on. */
  async openFile(file: File): Promise<void> {
    if (/\.zip$/i.test(file.name)) await this.runs.import(file);
    else await this.texts.loadFile(file);
  }

  pause(): void {
    void this.ask({ type: 'pause' });
  }
  resume(): void {
    void this.ask({ type: 'resume' });
  }
  stop(): void {
    void this.ask({ type: 'stop' });
  }

  /** Downloads the model in hand (trained or opened), whether or not storage works. */
  exportModel(): void {
    const runId = this.training.plan?.runId ?? this.#opened?.runId ?? this.transfer.race.runIds?.base;
    if (runId) void this.ask({ type: 'export-run', runId });
  }

  /** Runs the fused LSTM and the autodiff reference side by side on this backend. */
  async checkEngine(): Promise<void> {
    this.backend.onCheck(await this.ask({ type: 'check-engine' }));
  }

  /** A checkpoint now, between two steps: the page is being hidden, perhaps closed. */
  saveNow(): void {
    if (this.training.status === 'training') void this.ask({ type: 'save' });
  }

  /** A generated sample read back by the model in hand: which of its own characters surprised it. */
  lookInside(text: string): void {
    this.inside.setProbe(text, 'hand');
    this.view = 'inside';
  }

  sample(): void {
    void this.ask({ type: 'sample', ...this.#sampleSpec(this.sampleLength) });
  }

  /** Shows a notice (null clears it); a new one is also said through the page's live region. */
  say(notice: Notice | null): void {
    this.#notice = notice;
    if (notice) this.announcements.say(notice.text);
  }

  /** Counts `work` as loading until it settles. */
  async #whileLoading<T>(work: Promise<T>): Promise<T> {
    this.#loads++;
    try {
      return await work;
    } finally {
      this.#loads--;
    }
  }

  #sampleSpec(length: number): SampleSpec {
    return { prime: this.prime, temperatures: $state.snapshot(this.temperatures), length };
  }

  #onCrash(reason: string): void {
    this.#crashed = true;
    this.training.halt();
    this.transfer.race.halt();
    this.#client?.failAll(reason);
    this.say({ kind: 'error', text: `The training worker crashed (${reason}). Restart it to carry on.` });
  }

  #onRunOpened(opened: OpenedRun): void {
    this.#opened = opened;
    this.settings = opened.settings;
    this.training.idle(opened.history);
    this.inside.modelChanged(opened.timeline ?? []);
    this.say(
      opened.corpusLoaded
        ? null
        : {
            kind: 'info',
            text: `${quoted(opened.name)} is open: sample from it now. To train it further, load its text (${quoted(opened.corpus.name)}), or continue on the current text to fine-tune it.`,
          },
    );
  }

  #onEvent(e: WorkerEvent): void {
    switch (e.type) {
      case 'storage':
      case 'runs':
      case 'saved':
      case 'save-failed':
      case 'export':
        return this.runs.onEvent(e, this.#opened);
      case 'run-opened':
        return this.#onRunOpened(e.opened);
      case 'ready':
        this.backend.onReady(e);
        if (this.#queued) this.train(this.#queued === 'resume');
        return;
      case 'corpus':
        return; // shown by the request that loaded it
      case 'corpus-restored':
        return this.texts.show(e.stats);
      case 'base-progress':
        return this.transfer.bases[e.base]?.onProgress(e.loaded, e.total);
      case 'race-status':
      case 'race-val':
      case 'race-sample':
      case 'race-result':
        this.transfer.race.onEvent(e);
        if (e.type === 'race-result') {
          this.inside.modelChanged();
          if (e.verdict) this.announcements.say(`Race over. ${e.verdict.text}`);
        }
        return;
      case 'classify-lm':
      case 'classify-step':
      case 'classify-eval':
      case 'classify-done':
        return this.classifier.onEvent(e);
      case 'classifier-opened':
        return this.classifier.onOpened(e.info);
      case 'base':
      case 'race-started':
      case 'labeled':
      case 'classify-started':
      case 'classified': // handled by the request
        return;
      case 'run-started':
        this.training.started(e.plan);
        this.#opened = this.#opened?.runId === e.plan.runId ? this.#opened : null;
        return;
      case 'status':
        this.training.onEvent(e);
        return this.inside.onStatus(e.status);
      case 'val':
        this.training.onEvent(e);
        return this.inside.onVal();
      case 'timeline':
        return this.inside.onTimeline(e.entry);
      case 'inside':
      case 'inside-unit':
      case 'inside-memory': // handled by the request
        return;
      case 'progress':
      case 'kept-best':
      case 'sample-start':
      case 'sample-chunk':
      case 'sample-end':
        return this.training.onEvent(e);
      case 'error': // not the answer to a request (those reject it): a failure mid-run
        this.say({ kind: 'error', text: e.message });
        return;
      case 'done':
      case 'engine-check': // handled by the request
        return;
      default:
        return e satisfies never;
    }
  }
}
