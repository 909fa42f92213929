/**
 * The page's view of the training worker: owns the Worker, sends typed requests, and turns the
 * worker's events into rune state for the components. One instance per page.
 */
import { DEFAULT_TEMPERATURES, defaultSettings, type BackendChoice, type BackendName } from '../lib/config';
import { CorpusError, checkSize } from '../lib/corpus';
import type { AdapterSummary, CorpusStats, OpenedRun, Progress, Request, RunInfo, RunStatus, WorkerEvent } from '../lib/protocol';
import { SavedRuns } from './runs.svelte';
import { appendTraining, appendValidation, chartOf, emptySeries, type ChartData } from './series';
import { rememberBackend, rememberedBackend } from './backend-memory';
import { defaultPrime } from './samples';

const AUTO_SAMPLE_LENGTH = 160; // characters per temperature in the samples shown while training

type Body<R> = R extends unknown ? Omit<R, 'id'> : never;
export type Notice = { kind: 'error' | 'info'; text: string };

export class Session {
  settings = $state(defaultSettings());
  backendChoice = $state<BackendChoice>('auto');
  prime = $state('');
  temperatures = $state([...DEFAULT_TEMPERATURES]);
  sampleLength = $state(300); // characters per temperature for on-demand samples

  #backend = $state<BackendName | null>(null);
  #adapter = $state<AdapterSummary | null>(null);
  #tried = $state.raw<string[]>([]);
  #corpus = $state.raw<CorpusStats | null>(null);
  #loading = $state(false);
  #status = $state<RunStatus>('idle');
  #info = $state.raw<RunInfo | null>(null);
  #progress = $state.raw<Progress | null>(null);
  #chart = $state.raw<ChartData>(emptySeries());
  #lastVal = $state.raw<{ step: number; valBpc: number; trainBpc: number } | null>(null);
  #samples = $state.raw<{ temperatures: number[]; texts: string[]; running: boolean; charsPerSec: number }>({
    temperatures: [...DEFAULT_TEMPERATURES], texts: [], running: false, charsPerSec: 0,
  });
  #notice = $state<Notice | null>(null);
  #crashed = $state(false);
  #opened = $state.raw<OpenedRun | null>(null); // the saved run whose model is in hand, if any
  readonly runs = new SavedRuns((body, transfer) => this.#send(body, transfer));

  #worker: Worker | null = null;
  #nextId = 0;
  #lastCorpus: { name: string; bytes: ArrayBuffer } | null = null; // re-sent after a restart

  get backend() { return this.#backend; }
  get adapter() { return this.#adapter; }
  get tried() { return this.#tried; }
  get corpus() { return this.#corpus; }
  get loading() { return this.#loading; }
  get status() { return this.#status; }
  get info() { return this.#info; }
  get progress() { return this.#progress; }
  get chart() { return this.#chart; }
  get lastVal() { return this.#lastVal; }
  get samples() { return this.#samples; }
  get notice() { return this.#notice; }
  get crashed() { return this.#crashed; }
  /** Training, paused, or wrapping up a run (its final evaluation and save). */
  get busy() { return this.#status === 'training' || this.#status === 'paused' || this.#status === 'stopping'; }
  get hasModel() { return this.#info !== null || this.#opened !== null; }
  get opened() { return this.#opened; }
  /** Whether training on would fine-tune: the loaded text is not the model's own. */
  get fineTuning() {
    const own = this.#opened?.corpus.hash ?? this.#info?.corpusHash;
    return own !== undefined && this.#corpus !== null && this.#corpus.hash !== own;
  }

  /** Starts (or restarts) the worker and asks it to pick a backend. */
  start(): void {
    this.#worker?.terminate();
    this.#crashed = false;
    this.#status = 'idle';
    this.#info = null;
    this.#opened = null;
    const worker = new Worker(new URL('../worker/train.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<WorkerEvent>) => this.#onEvent(e.data);
    worker.onerror = (e) => this.#onCrash(e.message || 'the worker stopped unexpectedly');
    worker.onmessageerror = () => this.#onCrash('a message could not be read');
    this.#worker = worker;
    this.#send({ type: 'init', backend: this.backendChoice, remembered: rememberedBackend() });
    if (this.#lastCorpus) this.#sendCorpus(this.#lastCorpus.name, this.#lastCorpus.bytes);
  }

  /** Forces a backend; choosing Auto again measures afresh. */
  setBackend(choice: BackendChoice): void {
    this.backendChoice = choice;
    this.#backend = null;
    this.#send({ type: 'init', backend: choice, remembered: null });
  }

  /** Reads a file without blocking the page and hands the bytes to the worker to validate. */
  async loadFile(file: File): Promise<void> {
    try {
      checkSize(file.size, file.name);
    } catch (error) {
      this.#notice = { kind: 'error', text: (error as CorpusError).message };
      return;
    }
    this.#loading = true;
    try {
      this.#sendCorpus(file.name, await file.arrayBuffer());
    } catch {
      this.#loading = false;
      this.#notice = { kind: 'error', text: `"${file.name}" could not be read. Is it a folder? Drop a single text file.` };
    }
  }

  loadText(name: string, text: string): void {
    this.#sendCorpus(name, new TextEncoder().encode(text).buffer as ArrayBuffer);
  }

  async loadUrl(name: string, url: string): Promise<void> {
    this.#loading = true;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.#sendCorpus(name, await response.arrayBuffer());
    } catch (error) {
      this.#loading = false;
      this.#notice = { kind: 'error', text: `The sample "${name}" could not be loaded (${String(error)}).` };
    }
  }

  /** Trains a new model, or (resume) goes on with the open one on the loaded text. */
  train(resume = false): void {
    if (!resume) {
      this.#chart = emptySeries();
      this.#progress = null;
      this.#lastVal = null;
      this.#opened = null;
    }
    const settings = $state.snapshot(this.settings);
    this.#send({ type: 'train', settings, sample: this.#sampleSpec(AUTO_SAMPLE_LENGTH), resume });
  }

  /** Opens a file: an Inkling export (.zip) is imported, anything else is a text to train on. */
  async openFile(file: File): Promise<void> {
    if (/\.zip$/i.test(file.name)) await this.runs.import(file);
    else await this.loadFile(file);
  }

  pause(): void { this.#send({ type: 'pause' }); }
  resume(): void { this.#send({ type: 'resume' }); }
  stop(): void { this.#send({ type: 'stop' }); }

  sample(): void {
    this.#send({ type: 'sample', ...this.#sampleSpec(this.sampleLength) });
  }

  say(notice: Notice | null): void {
    this.#notice = notice;
  }

  #sampleSpec(length: number) {
    return { prime: this.prime, temperatures: $state.snapshot(this.temperatures), length };
  }

  #sendCorpus(name: string, bytes: ArrayBuffer): void {
    this.#lastCorpus = { name, bytes };
    const copy = bytes.slice(0); // the copy is transferred; ours stays for a restart
    const { seqLen, valFraction } = this.settings.train;
    this.#send({ type: 'load-corpus', name, bytes: copy, seqLen, valFraction }, [copy]);
  }

  #send(body: Body<Request>, transfer: Transferable[] = []): void {
    if (body.type === 'load-corpus' || body.type === 'import-run') this.#loading = true;
    if (!this.#worker || this.#crashed) return;
    this.#worker.postMessage({ ...body, id: ++this.#nextId } as Request, transfer);
  }

  #onCrash(reason: string): void {
    this.#crashed = true;
    this.#status = 'stopped';
    this.#notice = { kind: 'error', text: `The training worker crashed (${reason}). Restart it to carry on.` };
  }

  #onRunOpened(opened: OpenedRun): void {
    this.#opened = opened;
    this.settings = opened.settings;
    this.#chart = chartOf(opened.history);
    const last = opened.history.val.at(-1);
    this.#lastVal = last ? { step: last[0], valBpc: last[1], trainBpc: last[2] } : null;
    this.#progress = null;
    this.#info = null;
    this.#status = 'idle';
    this.#notice = opened.corpusLoaded ? null : {
      kind: 'info',
      text: `"${opened.name}" is open: sample from it now. To train it further, load its text (${opened.corpus.name}), or continue on the current text to fine-tune it.`,
    };
  }

  #onEvent(e: WorkerEvent): void {
    switch (e.type) {
      case 'storage':
      case 'runs':
      case 'saved':
      case 'save-failed':
      case 'export':
        this.runs.onEvent(e, this.#opened);
        if (e.type === 'runs') this.#loading = false;
        break;
      case 'run-opened':
        this.#onRunOpened(e.opened);
        break;
      case 'ready':
        if (e.measured) rememberBackend(e.backend);
        this.#backend = e.backend;
        this.#adapter = e.adapter;
        this.#tried = e.tried;
        break;
      case 'corpus':
        this.#loading = false;
        if (!this.#corpus || this.prime === defaultPrime(this.#corpus.preview)) this.prime = defaultPrime(e.stats.preview);
        this.#corpus = e.stats;
        if (e.stats.mappedToUnknown > 0) this.#notice = { kind: 'info', text: unknownNotice(e.stats) };
        else if (this.#notice?.kind === 'error') this.#notice = null; // a good text resolves the last error
        break;
      case 'run-started':
        this.#info = e.info;
        this.#opened = this.#opened?.runId === e.info.runId ? this.#opened : null;
        break;
      case 'status':
        this.#status = e.status;
        break;
      case 'progress':
        this.#progress = e.progress;
        this.#chart = appendTraining(this.#chart, e.progress.points);
        break;
      case 'val':
        this.#lastVal = e;
        this.#chart = appendValidation(this.#chart, e.step, e.valBpc);
        break;
      case 'sample-start':
        this.#samples = { temperatures: e.temperatures, texts: e.temperatures.map(() => ''), running: true, charsPerSec: 0 };
        break;
      case 'sample-chunk':
        this.#samples = { ...this.#samples, texts: this.#samples.texts.map((t, i) => t + (e.chunks[i] ?? '')) };
        break;
      case 'sample-end':
        this.#samples = { ...this.#samples, running: false, charsPerSec: e.charsPerSec };
        break;
      case 'error':
        this.#loading = false;
        this.#notice = { kind: 'error', text: e.message };
        break;
      default:
        return e satisfies never;
    }
  }
}

function unknownNotice(stats: CorpusStats): string {
  return `This text has ${stats.distinct.toLocaleString()} distinct characters. The most frequent keep their own symbol; ` +
    `${stats.mappedToUnknown.toLocaleString()} rare ones share one "unknown" symbol (�).`;
}
