/**
 * The typed messages between the page and the training worker. Requests carry an id that the
 * worker echoes on the events they cause; any failure comes back as an `error` event.
 */
import type { BackendChoice, BackendName, Settings } from './config';
import type { SampleSpec } from './stream';
import type { History } from './checkpoint';
import type { CorpusRef } from './run-state';
import type { RunSummary } from './store';

export type Request =
  | { type: 'init'; id: number; backend: BackendChoice; remembered: BackendName | null } // remembered: Auto's last pick here
  | { type: 'load-corpus'; id: number; name: string; bytes: ArrayBuffer; seqLen: number; valFraction: number } // bytes are transferred; the text must fit one row of each split
  // sample: prime, temperatures and length of the samples shown while training; resume: go on with the open run
  | { type: 'train'; id: number; settings: Settings; sample: SampleSpec; resume: boolean }
  | { type: 'list-runs'; id: number }
  | { type: 'open-run'; id: number; runId: string } // load a saved run: sample from it, or resume it
  | { type: 'rename-run'; id: number; runId: string; name: string }
  | { type: 'delete-run'; id: number; runId: string }
  | { type: 'export-run'; id: number; runId: string }
  | { type: 'import-run'; id: number; name: string; bytes: ArrayBuffer } // bytes are transferred
  | { type: 'pause'; id: number }
  | { type: 'resume'; id: number }
  | { type: 'stop'; id: number } // ends the run; the model stays for sampling
  | { type: 'evaluate'; id: number } // an estimateLoss now (between two steps while training)
  | { type: 'sample'; id: number; prime: string; temperatures: number[]; length: number };

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
}

/** 'stopping': the loop has left its last step and is evaluating and saving; 'stopped' once saved. */
export type RunStatus = 'idle' | 'training' | 'paused' | 'stopping' | 'stopped' | 'finished';

export interface RunInfo {
  runId: string;
  corpusHash: string; // the text this model is training on
  vocabSize: number;
  parameters: number;
  stepsPerEpoch: number;
  totalSteps: number;
  trainChars: number;
  valChars: number;
  charsPerStep: number; // targets per step: batch size x sequence length
}

export interface Progress {
  step: number;
  epoch: number; // fractional: steps / stepsPerEpoch
  points: [step: number, bpc: number][]; // raw training loss of each step since the last event
  stepMs: number[]; // wall time of each of those steps
  charsPerSec: number; // targets trained per second, recent average
  elapsedMs: number; // training time, pauses excluded
  etaMs: number; // to the chosen number of epochs
  tensors: number; // tf.memory().numTensors, to show it stays flat
  gpuBytes: number | null; // tf.memory().numBytesInGPU on GPU backends
}

export type WorkerEvent =
  | { type: 'ready'; id: number; backend: BackendName; adapter: AdapterSummary | null; tried: string[]; measured: boolean }
  | { type: 'corpus'; id: number; stats: CorpusStats }
  | { type: 'run-started'; id: number; info: RunInfo }
  | { type: 'status'; status: RunStatus }
  | { type: 'progress'; progress: Progress }
  | { type: 'val'; step: number; valBpc: number; trainBpc: number }
  | { type: 'sample-start'; sampleId: number; temperatures: number[]; prime: string }
  | { type: 'sample-chunk'; sampleId: number; chunks: string[] } // new text per temperature
  | { type: 'sample-end'; sampleId: number; charsPerSec: number }
  | { type: 'storage'; available: boolean; reason: string | null } // whether checkpoints can be saved
  | { type: 'runs'; id: number | null; runs: RunSummary[] }
  | { type: 'run-opened'; id: number; opened: OpenedRun }
  | { type: 'saved'; runId: string; step: number; bytes: number; stallMs: number; writeMs: number; at: number }
  | { type: 'save-failed'; message: string }
  | { type: 'export'; id: number; fileName: string; bytes: ArrayBuffer } // bytes are transferred
  | { type: 'error'; id: number | null; code: string; message: string };

/** A saved run loaded into the worker: enough for the page to show it and to offer resuming. */
export interface OpenedRun {
  runId: string;
  name: string;
  settings: Settings;
  step: number;
  history: History;
  corpus: CorpusRef;
  corpusLoaded: boolean; // the loaded text is the run's own (same hash)
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
