/**
 * The worker's classifier side: labeled files taken in (decoded, parsed, checked), one classifier
 * run at a time, and Try it's explanations. A bad file changes nothing: the set in hand stays.
 */
import { classifySettingsErrors } from '../config/classify';
import { foldTypography } from '../data/alphabet';
import { decodeCorpus } from '../data/corpus';
import {
  classFileExamples,
  guessColumns,
  obviousColumns,
  readTable,
  tableExamples,
  type Columns,
  type TextFile,
} from '../data/labeled';
import { buildLabeledSet, classCounts, LabeledError, type LabeledSet } from '../data/labeled-set';
import { encodeTexts, padBatch } from '../data/text-batches';
import { disposeClassifier, type Classifier } from '../engine/classifier';
import { explain } from '../engine/classifier-train';
import { ClassifyRun, type ClassifyData } from '../run/classify-run';
import { makeClassifier, prepareData } from '../run/classify-setup';
import type { BaseLoader } from './base-loader';
import { RequestError, errorEvent } from './errors';
import type { LabeledSummary, Request, WorkerEvent } from './protocol';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

const PREVIEW_ROWS = 4;

/** The examples in some files: one CSV, TSV or JSON Lines file, or one .txt file per class. */
function examplesOf(files: TextFile[], columns: Columns | null) {
  if (files.length > 1 || /\.txt$/i.test(files[0].name)) {
    if (files.length < 2) {
      throw new LabeledError('one-class', 'One .txt file is one class: drop one file per class, at least two.');
    }
    return { ...classFileExamples(files), format: 'files' as const };
  }
  const table = readTable(files[0]);
  if (table.columns.length < 2) {
    throw new LabeledError(
      'no-text-column',
      `${files[0].name} has ${table.columns.length === 1 ? 'one column' : 'no columns'}: it needs a text column and a label column.`,
    );
  }
  const chosen = columns ?? obviousColumns(table);
  if (!chosen) {
    const preview = table.rows.slice(0, PREVIEW_ROWS).map((r) => table.columns.map((c) => (r[c] ?? '').slice(0, 80)));
    return { choose: { columns: table.columns, preview, guess: guessColumns(table) } };
  }
  for (const c of [chosen.text, chosen.label]) {
    if (!table.columns.includes(c)) throw new LabeledError('no-text-column', `There is no column named ${c}.`);
  }
  return { ...tableExamples(table, chosen), format: table.format, columns: chosen };
}

export class ClassifyJobs {
  #set: LabeledSet | null = null;
  #run: ClassifyRun | null = null;
  #classifier: Classifier | null = null; // the latest trained (or training) classifier
  #data: ClassifyData | null = null;
  #running = false;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    private readonly bases: BaseLoader,
  ) {}

  get busy(): boolean {
    return this.#running;
  }

  stop(): boolean {
    if (!this.#running) return false;
    this.#run?.stop();
    return true;
  }

  async load({ id, files, columns, maxLen }: Req<'load-labeled'>): Promise<void> {
    if (files.length === 0) throw new LabeledError('no-examples', 'No file was given.');
    const decoded = files.map((f) => ({ name: f.name, text: decodeCorpus(new Uint8Array(f.bytes), f.name) }));
    const found = examplesOf(decoded, columns);
    if ('choose' in found && found.choose) {
      this.post({ type: 'labeled', id, result: { kind: 'choose', name: files[0].name, ...found.choose } });
      return;
    }
    const { examples, skipped, format } = found as Exclude<typeof found, { choose: unknown }>;
    const set = buildLabeledSet(examples, skipped);
    this.#set = set;
    const name = files.length === 1 ? files[0].name : `${files.length} files`;
    this.post({ type: 'labeled', id, result: { kind: 'set', summary: summarise(set, name, format, maxLen) } });
  }

  async train(req: Req<'classify'>, refuseIfBusy: () => void): Promise<void> {
    refuseIfBusy();
    if (this.#running) throw new RequestError('busy', 'A classifier is training: stop it first.');
    if (!this.#set) throw new RequestError('no-corpus', 'Load labeled texts first.');
    const errors = classifySettingsErrors(req.settings);
    if (errors.length > 0) throw new RequestError('settings', errors.join(' '));
    const base = this.bases.base;
    if (req.settings.start === 'base' && !base) throw new RequestError('base', 'Load the English base first.');
    const { data, truncated } = prepareData(this.#set, req.settings);
    this.#dispose();
    const classifier = makeClassifier(req.settings, this.#set.labels.length, base);
    const run = new ClassifyRun(classifier, data, req.settings, this.post);
    [this.#classifier, this.#data, this.#run, this.#running] = [classifier, data, run, true];
    const { set } = data;
    const plan = {
      labels: set.labels,
      trainCounts: classCounts(data.split.train, set.y, set.labels.length),
      valCounts: classCounts(data.split.val, set.y, set.labels.length),
      classWeights: run.classWeights,
      truncated,
      start: req.settings.start,
    };
    this.post({ type: 'classify-started', id: req.id, plan });
    run
      .run()
      .catch((error) => this.post(errorEvent(null, error)))
      .finally(() => (this.#running = false));
  }

  /** Probabilities and per-character reasons for a text, from the classifier in hand. */
  async classifyText({ id, text }: Req<'classify-text'>): Promise<void> {
    const classifier = this.#classifier;
    if (!classifier || !this.#data) throw new RequestError('no-model', 'Train a classifier first.');
    const started = performance.now();
    const folded = foldTypography(text);
    const { seqs } = encodeTexts([folded], this.#data.vocab, this.#run!.settings.maxLen);
    const explanation = await explain(classifier, padBatch(seqs, [0], 1));
    const ms = performance.now() - started;
    this.post({
      type: 'classified',
      id,
      text: folded,
      labels: this.#data.set.labels,
      probs: Array.from(explanation.probs),
      saliency: Array.from(explanation.saliency),
      ms,
    });
  }

  #dispose(): void {
    if (this.#classifier) disposeClassifier(this.#classifier);
    this.#classifier = null;
  }
}

function summarise(set: LabeledSet, name: string, format: string, maxLen: number): LabeledSummary {
  const lengths = set.texts.map((t) => t.length);
  return {
    name,
    format,
    labels: set.labels,
    counts: set.counts,
    examples: set.texts.length,
    skipped: set.skipped,
    conflicts: set.conflicts,
    repeats: set.repeats,
    longer: lengths.filter((n) => n > maxLen).length,
    medianLength: [...lengths].sort((a, b) => a - b)[lengths.length >> 1],
    preview: set.texts.slice(0, PREVIEW_ROWS).map((t, i) => ({ text: t.slice(0, 160), label: set.labels[set.y[i]] })),
  };
}
