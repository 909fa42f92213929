/**
 * What a training loop and a sample stream report, as plain data: the run layer's own event
 * type. The worker forwards these to the page unchanged (its protocol is `RunEvent | …`).
 */
import type { TimelineEntry } from '../engine/inside-types';

import type { Best } from './patience';

/** 'stopping': the loop has left its last step and is evaluating and saving; 'stopped' once saved. */
export type TrainingStatus = 'idle' | 'training' | 'paused' | 'stopping' | 'stopped' | 'finished';

/** What a training loop will do: fixed when it starts. */
export interface TrainingPlan {
  runId: string;
  corpusHash: string; // the text this model is training on
  vocabSize: number;
  parameters: number;
  stepsPerEpoch: number;
  totalSteps: number;
  trainChars: number;
  valChars: number;
  charsPerStep: number; // targets per step: batch size x sequence length
  // 'English base, small · Gradual unfreezing (ULMFiT)' when fine-tuning a base; null from scratch
  origin: string | null;
  addedChars: number; // characters the base had no row for, added at the start (0 from scratch)
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
  learning?: string; // fine-tuning the base: which layers are learning now ('all layers', 'dense, lstm_1')
}

/** A request for generated text. */
export interface SampleSpec {
  prime: string; // text the model reads before generating
  temperatures: number[]; // one text each, generated side by side as one batch
  length: number; // characters to generate per temperature
}

export type RunEvent =
  | { type: 'status'; status: TrainingStatus }
  | { type: 'progress'; progress: Progress }
  // best: the best check so far (this one, or an earlier); sinceBest: checks since it; memorising:
  // validation has not improved since it while the training figure fell (see patience.ts)
  | { type: 'val'; step: number; valBpc: number; trainBpc: number; best: Best; sinceBest: number; memorising: boolean }
  // the run ended with stop at the best on: the best weights are now the model in hand
  | { type: 'kept-best'; best: Best; lastValBpc: number; early: boolean; patience: number }
  | { type: 'sample-start'; sampleId: number; temperatures: number[]; prime: string }
  | { type: 'sample-chunk'; sampleId: number; chunks: string[] } // new text per temperature
  | { type: 'sample-end'; sampleId: number; charsPerSec: number }
  | { type: 'timeline'; entry: TimelineEntry }; // a new sample of how the writing grew (engine/timeline.ts)
