/**
 * The typed messages between the page and the training worker. Every request carries an id and
 * is answered by exactly one event carrying it back: its reply (see `Replies`) or an `error`.
 * Events without an id (progress, samples, saves) are the worker's own news.
 */
import type { BackendChoice, BackendName } from '../config/backends';
import type { BaseId } from '../config/bases';
import type { FineTuneMode, Settings, StartFrom } from '../config/settings';
import type { CorpusErrorCode } from '../data/corpus';
import type { ClassifySettings, EncoderStart } from '../config/classify';
import type { Columns, LabeledExample } from '../data/labeled';
import type { LabeledErrorCode } from '../data/labeled-set';
import type { ClassifyEvent } from '../run/classify-run';
import type { EngineCheck } from '../engine/engine-check';
import type { RunEvent, SampleSpec, TrainingPlan } from '../run/events';
import type { RaceEvent } from '../run/race';
import type { Lane } from '../run/race-verdict';
import type { BaseSummary } from './base-loader';
import type { CorpusRef } from '../run/run-state';
import type { History } from '../storage/checkpoint';
import type { RunSummary } from '../storage/store';
import type {
  ActivationKind,
  InsideModel,
  InsideView,
  MemoryView,
  TimelineEntry,
  UnitChoice,
  UnitTrace,
} from '../engine/inside-types';

export type Request =
  // remembered: Auto's last measured pick in this browser
  | { type: 'init'; id: number; backend: BackendChoice; remembered: BackendName | null }
  // bytes are transferred; the text must fit one row of each split with these settings
  | { type: 'load-corpus'; id: number; name: string; bytes: ArrayBuffer; seqLen: number; valFraction: number }
  // sample: prime, temperatures and length of the samples shown while training; resume: go on with the open run
  // start: scratch or the pretrained base (ignored when resuming)
  | { type: 'train'; id: number; settings: Settings; sample: SampleSpec; resume: boolean; start: StartFrom }
  // url: the folder of the base's files, on the page's origin; base: which of config/bases.ts (absent: the small)
  | { type: 'load-base'; id: number; url: string; base?: BaseId }
  // scratch vs a base (absent: the small) for `seconds` of training each; sample: one temperature, shown side by side
  | {
      type: 'race';
      id: number;
      settings: Settings;
      sample: SampleSpec;
      seconds: number;
      mode: FineTuneMode;
      base?: BaseId;
    }
  | { type: 'list-runs'; id: number }
  | { type: 'open-run'; id: number; runId: string } // load a saved run: sample from it, or resume it
  | { type: 'rename-run'; id: number; runId: string; name: string }
  | { type: 'delete-run'; id: number; runId: string }
  | { type: 'export-run'; id: number; runId: string }
  | { type: 'import-run'; id: number; name: string; bytes: ArrayBuffer } // bytes are transferred
  | { type: 'pause'; id: number }
  | { type: 'resume'; id: number }
  | { type: 'stop'; id: number } // ends the run; the model stays for sampling
  | { type: 'save'; id: number } // a checkpoint between the next two steps (the page is being hidden)
  | { type: 'evaluate'; id: number } // an estimateLoss now (between two steps while training)
  | ({ type: 'sample'; id: number } & SampleSpec)
  | { type: 'check-engine'; id: number } // the fused LSTM against the autodiff reference, on this backend
  // labeled texts: one CSV, TSV or JSON Lines file, or one .txt per class; columns: the page's answer when asked
  | { type: 'load-labeled'; id: number; files: NamedBytes[]; columns: Columns | null }
  // train a classifier on the loaded set; resume: go on training the classifier in hand (same labels)
  | { type: 'classify'; id: number; settings: ClassifySettings; resume?: boolean }
  | { type: 'classify-text'; id: number; text: string } // Try it: probabilities and per-character reasons
  | { type: 'export-classifier'; id: number } // the classifier in hand, as a stock LayersModel zip
  | { type: 'import-classifier'; id: number; name: string; bytes: ArrayBuffer } // bytes are transferred
  // Look inside: probe null reads a stretch of the loaded text's validation split; while training
  // it runs between two steps. The worker keeps the probe's activations for the two requests after it.
  // The reply also holds `unit`'s trace (absent or out of range: the probe's best cell) and, given
  // `at`, the memory of that character: the panel's first picture in one message.
  | { type: 'inside'; id: number; model: InsideModel; probe: string | null; unit?: UnitChoice; at?: number }
  | { type: 'inside-unit'; id: number; layer: number; kind: ActivationKind; unit: number } // of the last probe
  | { type: 'inside-memory'; id: number; at: number }; // of the last probe: what the prediction after `at` looked back at

export type RequestType = Request['type'];

/** A request as the page writes it: the client adds the id. */
export type RequestBody<T extends RequestType = RequestType> = T extends RequestType
  ? Omit<Extract<Request, { type: T }>, 'id'>
  : never;

/** The event that answers each request (an `error` event with its id answers any of them). */
export const REPLIES = {
  init: 'ready',
  'load-corpus': 'corpus',
  train: 'run-started',
  'load-base': 'base',
  race: 'race-started',
  'list-runs': 'runs',
  'open-run': 'run-opened',
  'rename-run': 'runs',
  'delete-run': 'runs',
  'export-run': 'export',
  'import-run': 'run-opened', // imported (and stored, when storage works), then opened
  pause: 'done',
  resume: 'done',
  stop: 'done',
  save: 'done',
  evaluate: 'done',
  'check-engine': 'engine-check',
  sample: 'done', // once the sample has streamed (or, while training, once it is queued)
  'load-labeled': 'labeled',
  classify: 'classify-started',
  'classify-text': 'classified',
  'export-classifier': 'export',
  'import-classifier': 'classifier-opened',
  inside: 'inside',
  'inside-unit': 'inside-unit',
  'inside-memory': 'inside-memory',
} as const satisfies Record<RequestType, WorkerEvent['type']>;

export type Replies = typeof REPLIES;

export type ReplyTo<T extends RequestType> = Extract<WorkerEvent, { type: Replies[T] }>;

/** What the worker says about the WebGPU adapter when it uses one. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean; // a software adapter (e.g. SwiftShader): correct but slow
}

export interface CorpusStats {
  name: string;
  bytes: number;
  chars: number; // Unicode code points
  distinct: number; // distinct characters
  mappedToUnknown: number; // distinct characters beyond the vocabulary cap, shown as one symbol
  preview: string; // the first few hundred characters
  hash: string; // SHA-256 of the text: how saved runs recognise their corpus
  base: BaseFit; // how the English base's alphabet covers it
}

/** How much of a text the base's alphabet covers, before any fine-tuning. */
export interface BaseFit {
  newChars: number; // distinct characters the base has no row for (fine-tuning adds them)
  outsideShare: number; // share of the text's characters outside the base's alphabet, 0-1
  foldable: number; // characters outside it that typographic folding would turn into ASCII
}

/** A saved run loaded into the worker: enough for the page to show it and to offer resuming. */
export interface OpenedRun {
  runId: string;
  name: string;
  settings: Settings;
  step: number;
  history: History;
  corpus: CorpusRef;
  corpusLoaded: boolean; // the loaded text is the run's own (same hash)
  timeline: TimelineEntry[]; // how the writing grew: samples at log-spaced steps
}

export interface NamedBytes {
  name: string;
  bytes: ArrayBuffer; // transferred
}

/** A labeled set as the page shows it. */
export interface LabeledSummary {
  name: string;
  format: string; // csv, tsv, jsonl or files
  labels: string[];
  counts: number[]; // examples per class
  examples: number;
  skipped: number; // rows without a text or a label
  conflicts: number; // texts under two labels, left out
  repeats: number; // exact repeats, left out
  overLength: number[]; // [n]: texts longer than n characters, n = 0 … MAX_LEN_LIMIT (cut if maxLen is n)
  medianLength: number; // characters
  preview: LabeledExample[];
}

export type LabeledResult =
  | { kind: 'set'; summary: LabeledSummary }
  // the columns are not obvious: the page asks which is the text and which the label
  | { kind: 'choose'; name: string; columns: string[]; preview: string[][]; guess: Columns | null };

/** What a classifier run trains on, said when it starts. */
export interface ClassifyPlan {
  labels: string[];
  trainCounts: number[];
  valCounts: number[];
  classWeights: number[] | null; // null: the classes are balanced enough
  truncated: number; // texts cut at the maximum length
  maxLen: number; // that length: the settings', or the classifier's own when it continues
  window: number; // characters of a longer text each training step reads (a random stretch); 0: whole texts
  resumed: boolean; // the classifier in hand goes on training (every layer open, its own length cut)
  start: EncoderStart;
}

/** The classifier in hand, as the page shows it (after a run, an import, or a reload). */
export interface ClassifierInfo {
  name: string;
  labels: string[];
  maxLen: number;
  start: EncoderStart;
  base: BaseId | null; // the English base its encoder began as; null: from scratch
  accuracy: number | null; // validation accuracy of its run, when known
  macroF1: number | null;
}

/** Why a request failed: one word the page (and the tests) can act on. */
export type ErrorCode =
  | CorpusErrorCode // a text that cannot be trained on
  | LabeledErrorCode // labeled texts that cannot be trained on
  | 'no-run' // pause, resume, stop or evaluate with nothing training
  | 'no-corpus' // train before any text was loaded
  | 'no-model' // sample or resume with no model in hand
  | 'busy' // a request that must wait until training stops
  | 'superseded' // a backend choice replaced by a later one before it took effect
  | 'settings' // settings or temperatures out of range
  | 'base' // the pretrained base is missing, damaged or not loaded
  | 'checkpoint' // a saved run or an import that cannot be used
  | 'internal'; // anything else: a bug, reported rather than swallowed

export type WorkerEvent =
  | RunEvent
  | RaceEvent
  | ClassifyEvent
  | { type: 'labeled'; id: number; result: LabeledResult }
  | { type: 'classify-started'; id: number; plan: ClassifyPlan }
  | { type: 'classifier-opened'; id: number | null; info: ClassifierInfo } // id null: reopened from storage
  | { type: 'classified'; id: number; text: string; labels: string[]; probs: number[]; saliency: number[]; ms: number }
  | { type: 'base-progress'; base: BaseId; loaded: number; total: number } // bytes of the base's weights so far
  | { type: 'base'; id: number; base: BaseSummary }
  | { type: 'race-started'; id: number; seconds: number; plans: Record<Lane, TrainingPlan> }
  | {
      type: 'ready';
      id: number;
      backend: BackendName;
      adapter: AdapterSummary | null;
      tried: string[];
      measured: boolean;
      threads: number | null; // WASM: the threads XNNPACK runs on (more than 1 where the page is cross-origin isolated)
    }
  | { type: 'corpus'; id: number; stats: CorpusStats }
  | { type: 'corpus-restored'; stats: CorpusStats } // an opened run's own text, found in storage
  | { type: 'run-started'; id: number; plan: TrainingPlan }
  | { type: 'storage'; available: boolean; reason: string | null } // whether checkpoints can be saved
  | { type: 'runs'; id: number | null; runs: RunSummary[]; startup: boolean } // startup: the first listing
  | { type: 'run-opened'; id: number; opened: OpenedRun }
  | { type: 'saved'; runId: string; step: number; bytes: number; stallMs: number; writeMs: number; at: number }
  | { type: 'save-failed'; message: string }
  | { type: 'export'; id: number; fileName: string; bytes: ArrayBuffer } // bytes are transferred
  | { type: 'engine-check'; id: number; backend: BackendName; check: EngineCheck }
  | { type: 'inside'; id: number; view: InsideView; trace: UnitTrace; memory: MemoryView | null }
  | { type: 'inside-unit'; id: number; trace: UnitTrace }
  | { type: 'inside-memory'; id: number; memory: MemoryView }
  | { type: 'done'; id: number } // the reply to requests that return nothing else
  | { type: 'error'; id: number | null; code: ErrorCode; message: string };

export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
