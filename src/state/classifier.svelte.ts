/**
 * The classifier panel's state: labeled texts loaded (or the column question asked), a run's
 * curves and metrics as they arrive, and Try it (latest text wins: one request in flight).
 */
import type { BaseId } from '../config/bases';
import type { BaseView } from './base.svelte';
import { defaultClassifySettings, type ClassifySettings, type EncoderStart } from '../config/classify';
import { checkSize, type CorpusError } from '../data/corpus';
import type { Columns } from '../data/labeled';
import { sameLabels } from '../data/labeled-set';
import type { ClassifyEvent, KeptClassifier } from '../run/classify-run';
import type { Metrics } from '../run/metrics';
import type { ClassifierInfo, ClassifyPlan, LabeledResult, LabeledSummary, NamedBytes } from '../worker/protocol';
import type { Ask } from './worker-client';
import { TryIt } from './try-it.svelte';

/** The built-in labeled samples (public/labeled/, made by `npm run samples`), relative to the page. */
export const LABELED_SAMPLES = {
  spam: { file: 'labeled/spam-ham.csv', name: 'spam-ham.csv', button: 'Load the spam sample' },
  authors: { file: 'labeled/authors.csv', name: 'authors.csv', button: 'Load the authors sample' },
} as const;
export type LabeledSampleId = keyof typeof LABELED_SAMPLES;

export type ClassifierStatus = 'idle' | 'training' | 'done';
type Choice = Extract<LabeledResult, { kind: 'choose' }>;

export interface ClassifierHost {
  ask: Ask;
  loadBase: (id: BaseId) => Promise<boolean>; // a base, loaded (true) or failed
  pageBase: () => BaseId; // the base chosen under Start from: the encoder's unless the form names another
  baseView: (id: BaseId) => BaseView; // its download, as the page shows it
  say: (error: string) => void; // shown as the page's notice
}

export type Lane = EncoderStart;
export const LANE_NAMES: Record<Lane, string> = { base: 'English base', scratch: 'From scratch' };

export class ClassifierState {
  settings = $state<ClassifySettings>(defaultClassifySettings());
  compareSeconds = $state(60); // training seconds each encoder gets in the comparison
  #lane = $state<Lane | null>(null); // the comparison's run now training
  #curves = $state.raw<Record<Lane, { seconds: number; accuracy: number }[]>>({ base: [], scratch: [] });
  #finals = $state.raw<Partial<Record<Lane, Metrics>>>({});
  #summary = $state.raw<LabeledSummary | null>(null);
  #choice = $state.raw<Choice | null>(null);
  #status = $state<ClassifierStatus>('idle');
  #plan = $state.raw<ClassifyPlan | null>(null);
  #losses = $state.raw<[number, number][]>([]); // [step, loss in nats]
  #lm = $state.raw<[number, number][]>([]); // [step, bits per character]
  #evals = $state.raw<{ step: number; seconds: number; accuracy: number; macroF1: number }[]>([]);
  #metrics = $state.raw<Metrics | null>(null);
  #kept = $state.raw<KeptClassifier | null>(null); // stop at the best kept an earlier, more accurate classifier
  #learning = $state('');
  #opened = $state.raw<ClassifierInfo | null>(null); // imported, or reopened from the last visit
  #files: NamedBytes[] = []; // kept to send again with the chosen columns

  readonly tryIt: TryIt;

  constructor(private readonly host: ClassifierHost) {
    this.tryIt = new TryIt(host.ask);
  }

  get comparing() {
    return this.#lane;
  }
  get curves() {
    return this.#curves;
  }
  get finals() {
    return this.#finals;
  }
  get opened() {
    return this.#opened;
  }
  /** The labels of the classifier in hand, if there is one. */
  get handLabels(): string[] | null {
    if (this.#opened) return this.#opened.labels;
    return this.#status === 'done' ? (this.#plan?.labels ?? null) : null;
  }
  /** Whether the classifier in hand can go on training on the loaded texts (same labels). */
  get canContinue() {
    const [had, have] = [this.handLabels, this.#summary?.labels];
    return !!had && !!have && sameLabels(had, have);
  }
  /** Whether there is a classifier to try and to export. */
  get ready() {
    return this.#status !== 'idle' || this.#opened !== null;
  }
  get summary() {
    return this.#summary;
  }
  get choice() {
    return this.#choice;
  }
  get status() {
    return this.#status;
  }
  get plan() {
    return this.#plan;
  }
  get losses() {
    return this.#losses;
  }
  get lmCurve() {
    return this.#lm;
  }
  get evals() {
    return this.#evals;
  }
  get metrics() {
    return this.#metrics;
  }
  get kept() {
    return this.#kept;
  }
  get learning() {
    return this.#learning;
  }

  /** Files a person chose: one CSV, TSV or JSON Lines file, or one .txt per class. */
  async loadFiles(files: File[]): Promise<void> {
    try {
      for (const f of files) checkSize(f.size, f.name); // before reading: as the text loader does
    } catch (error) {
      return this.host.say((error as CorpusError).message);
    }
    const named = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
    await this.#send(named, null);
  }

  async loadSample(id: LabeledSampleId): Promise<void> {
    const sample = LABELED_SAMPLES[id];
    const response = await fetch(sample.file);
    await this.#send([{ name: sample.name, bytes: await response.arrayBuffer() }], null);
  }

  /** The person's answer to the column question. */
  chooseColumns(columns: Columns): Promise<void> {
    return this.#send(this.#files, columns);
  }

  async #send(files: NamedBytes[], columns: Columns | null): Promise<void> {
    this.#files = files.map((f) => ({ name: f.name, bytes: f.bytes.slice(0) }));
    const reply = await this.host.ask(
      { type: 'load-labeled', files, columns },
      files.map((f) => f.bytes),
    );
    if (!reply) return; // the notice says why; the set in hand stays
    if (reply.result.kind === 'choose') {
      this.#choice = reply.result;
      return;
    }
    this.#choice = null;
    this.#summary = reply.result.summary;
  }

  /**
   * Starts a run with the form's settings (and `overrides`), or continues the classifier in hand
   * (`resume`); false when it could not start.
   */
  /** The base the encoder starts from (or takes its shape from, from scratch). */
  get baseId(): BaseId {
    return this.settings.base ?? this.host.pageBase();
  }
  get baseView(): BaseView {
    return this.host.baseView(this.baseId);
  }

  async train(overrides: Partial<ClassifySettings> = {}, resume = false): Promise<boolean> {
    const settings = { ...$state.snapshot(this.settings), base: this.baseId, ...overrides };
    if (!resume && settings.start === 'base' && !(await this.host.loadBase(settings.base))) return false;
    this.#losses = [];
    this.#lm = [];
    this.#evals = [];
    this.#metrics = null;
    this.#kept = null;
    this.tryIt.clear();
    settings.unfreezing = settings.start === 'scratch' ? 'all' : settings.unfreezing;
    const reply = await this.host.ask({ type: 'classify', settings, resume });
    if (!reply) return false;
    this.#plan = reply.plan;
    this.#opened = null;
    this.#status = 'training';
    return true;
  }

  /** How much pretraining buys: the base's encoder, then a scratch one, the same seconds each. */
  async compare(): Promise<void> {
    this.#curves = { base: [], scratch: [] };
    this.#finals = {};
    await this.#startLane('base');
  }

  async #startLane(lane: Lane): Promise<void> {
    this.#lane = lane;
    if (!(await this.train({ start: lane, seconds: this.compareSeconds }))) this.#lane = null;
  }

  #laneEvent(e: ClassifyEvent): void {
    const lane = this.#lane;
    if (!lane) return;
    if (e.type === 'classify-eval') {
      this.#curves = {
        ...this.#curves,
        [lane]: [...this.#curves[lane], { seconds: e.seconds, accuracy: e.metrics.accuracy }],
      };
    }
    if (e.type !== 'classify-done') return;
    if (e.metrics) this.#finals = { ...this.#finals, [lane]: e.metrics };
    this.#lane = null;
    if (lane === 'base' && e.reason === 'finished') void this.#startLane('scratch');
  }

  stop(): Promise<unknown> {
    return this.host.ask({ type: 'stop' });
  }

  exportClassifier(): Promise<unknown> {
    return this.host.ask({ type: 'export-classifier' });
  }

  async importClassifier(file: File): Promise<void> {
    const bytes = await file.arrayBuffer();
    await this.host.ask({ type: 'import-classifier', name: file.name, bytes }, [bytes]);
  }

  /** A classifier the worker opened (an import, or the one kept from the last visit). */
  onOpened(info: ClassifierInfo): void {
    this.#opened = info;
    this.tryIt.clear();
    if (this.#status !== 'training') this.#status = 'idle';
  }

  onEvent(e: ClassifyEvent): void {
    this.#laneEvent(e);
    switch (e.type) {
      case 'classify-lm':
        this.#lm = [...this.#lm, [e.step, e.bpc]];
        return;
      case 'classify-step':
        this.#losses = [...this.#losses, [e.step, e.loss]];
        this.#learning = e.learning;
        return;
      case 'classify-eval':
        this.#evals = [...this.#evals, { step: e.step, seconds: e.seconds, ...e.metrics }];
        this.#metrics = e.metrics;
        return;
      case 'classify-done':
        this.#metrics = e.metrics ?? this.#metrics;
        this.#kept = e.kept ?? null;
        this.#status = 'done';
        return;
    }
  }
}
