/**
 * One training run on one corpus: owns the model, optimizer, data split and RNG, and runs the
 * step loop with pause, resume and stop checked between steps. Talks only through `emit`.
 */
import * as tf from '@tensorflow/tfjs';
import { evalBatches, randomBatch, splitTrainVal, stepsPerEpoch, type Batch, type Split } from './batching';
import type { Settings } from './config';
import { applyTextOptions, checkLength } from './corpus';
import { createModel, disposeModel, modelVariables, type CharModel } from './model';
import type { Progress, RunInfo, RunStatus, WorkerEvent } from './protocol';
import { Rng } from './rng';
import { streamSample, type SampleSpec } from './stream';
import { LN2, createOptimizer, estimateBpc, trainStep } from './train';
import { buildVocab, encode, type Vocab } from './vocab';

const PROGRESS_EVERY_MS = 200; // at most ~5 progress events per second
const AUTO_SAMPLE_LENGTH = 160; // characters per temperature in the samples shown while training

/** Lets queued messages (pause, stop, sample) in before the next step. */
const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class TrainingRun {
  readonly model: CharModel;
  readonly vocab: Vocab;
  readonly info: RunInfo;
  #settings: Settings;
  #optimizer: tf.Optimizer;
  #rng: Rng;
  #split: Split;
  #evalSets: { train: Batch[]; val: Batch[] };
  #emit: (e: WorkerEvent) => void;
  #status: RunStatus = 'idle';
  #step = 0;
  #elapsedMs = 0;
  #stepMs: number[] = []; // recent step durations, for chars/s
  #resume: (() => void) | null = null;
  #pauseRequested = false;
  #points: Progress['points'] = []; // steps not yet reported
  #lastProgress = 0;
  #sampleSpec: SampleSpec;
  #pendingSample: { spec: SampleSpec; sampleId: number } | null = null;
  #sampleCounter = 0;
  #sampleGeneration = 0; // bumped by every sample request; a running sample of an older one stops

  /** Throws a CorpusError when the text is too short for these settings. */
  constructor(name: string, rawText: string, settings: Settings, sample: SampleSpec, emit: (e: WorkerEvent) => void) {
    const text = applyTextOptions(rawText, settings.text);
    const { seqLen: T, batchSize: B, valFraction, evalBatches: nEval, seed } = settings.train;
    this.vocab = buildVocab(text).vocab;
    const ids = encode(this.vocab, text);
    checkLength(ids.length, T, valFraction, name);
    this.#split = splitTrainVal(ids, valFraction);
    this.#evalSets = {
      train: evalBatches(this.#split.train, T, B, nEval),
      val: evalBatches(this.#split.val, T, B, nEval),
    };
    this.#settings = settings;
    this.#sampleSpec = sample;
    this.#emit = emit;
    this.#rng = new Rng(seed);
    this.model = createModel({ ...settings.model, vocabSize: this.vocab.chars.length }, seed);
    this.#optimizer = createOptimizer(settings.train.optimizer, settings.train.learningRate);
    const perEpoch = stepsPerEpoch(this.#split.train.length, T, B);
    this.info = {
      vocabSize: this.vocab.chars.length,
      parameters: modelVariables(this.model).reduce((n, v) => n + v.size, 0),
      stepsPerEpoch: perEpoch,
      totalSteps: Math.max(1, Math.round(perEpoch * settings.train.epochs)),
      trainChars: this.#split.train.length,
      valChars: this.#split.val.length,
      charsPerStep: B * T,
    };
  }

  get status(): RunStatus {
    return this.#status;
  }

  /** Read through a method: stop() changes the status while train() awaits. */
  #stopped(): boolean {
    return this.#status === 'stopped';
  }

  #setStatus(status: RunStatus): void {
    this.#status = status;
    this.#emit({ type: 'status', status });
  }

  /** Runs steps until the chosen epochs are done or stop() is called. */
  async train(): Promise<void> {
    this.#setStatus('training');
    await this.#evaluate();
    let lastSample = performance.now();
    while (this.#step < this.info.totalSteps && !this.#stopped()) {
      await yieldToEvents();
      if (this.#pauseRequested) await this.#pauseHere();
      if (this.#stopped()) break;
      this.#points.push([this.#step + 1, await this.#oneStep()]);
      if (this.#step % this.#settings.train.evalEvery === 0) await this.#evaluate();
      if (performance.now() - this.#lastProgress >= PROGRESS_EVERY_MS) this.#flushProgress();
      if (this.#pendingSample || performance.now() - lastSample >= this.#settings.train.sampleEverySec * 1000) {
        await this.#runPendingSample();
        lastSample = performance.now();
      }
    }
    this.#flushProgress();
    if (this.#step % this.#settings.train.evalEvery !== 0) await this.#evaluate();
    if (!this.#stopped()) this.#setStatus('finished');
    await this.#runPendingSample();
  }

  /** Pauses between two steps, so that once "paused" is reported no step is in flight. */
  async #pauseHere(): Promise<void> {
    this.#pauseRequested = false;
    this.#flushProgress();
    this.#setStatus('paused');
    await new Promise<void>((resolve) => (this.#resume = resolve));
  }

  /** One training step; returns its loss in bits per character. */
  async #oneStep(): Promise<number> {
    const { seqLen, batchSize, clipNorm } = this.#settings.train;
    const started = performance.now();
    const batch = randomBatch(this.#split.train, seqLen, batchSize, this.#rng);
    const loss = trainStep(this.model, this.#optimizer, batch, clipNorm, this.#rng.int(2 ** 31));
    const [nats] = await loss.data();
    loss.dispose();
    const ms = performance.now() - started;
    this.#elapsedMs += ms;
    this.#stepMs = [...this.#stepMs.slice(-19), ms];
    this.#step++;
    return nats / LN2;
  }

  /** nanoGPT's estimateLoss: fixed batches of both splits, no dropout. */
  async #evaluate(): Promise<void> {
    const started = performance.now();
    const valBpc = await estimateBpc(this.model, this.#evalSets.val);
    const trainBpc = await estimateBpc(this.model, this.#evalSets.train);
    this.#elapsedMs += performance.now() - started;
    this.#emit({ type: 'val', step: this.#step, valBpc, trainBpc });
  }

  #flushProgress(): void {
    const meanMs = this.#stepMs.reduce((a, b) => a + b, 0) / Math.max(1, this.#stepMs.length);
    const perStepMs = this.#elapsedMs / Math.max(1, this.#step);
    const progress: Progress = {
      step: this.#step,
      epoch: this.#step / this.info.stepsPerEpoch,
      points: this.#points,
      charsPerSec: meanMs > 0 ? (this.info.charsPerStep * 1000) / meanMs : 0,
      elapsedMs: this.#elapsedMs,
      etaMs: (this.info.totalSteps - this.#step) * perStepMs,
      tensors: tf.memory().numTensors,
    };
    this.#points = [];
    this.#lastProgress = performance.now();
    this.#emit({ type: 'progress', progress });
  }

  pause(): void {
    if (this.#status === 'training') this.#pauseRequested = true;
  }

  resume(): void {
    this.#pauseRequested = false;
    if (this.#status !== 'paused') return;
    this.#setStatus('training');
    this.#resume?.();
    this.#resume = null;
  }

  stop(): void {
    if (this.#status !== 'training' && this.#status !== 'paused') return;
    this.#setStatus('stopped');
    this.#resume?.();
    this.#resume = null;
  }

  /** While training, the sample runs between two steps; otherwise at once. */
  async sample(spec: SampleSpec): Promise<void> {
    this.#sampleSpec = spec;
    this.#sampleGeneration++;
    this.#pendingSample = { spec, sampleId: ++this.#sampleCounter };
    if (this.#status !== 'training') await this.#runPendingSample();
  }

  async #runPendingSample(): Promise<void> {
    const job = this.#pendingSample ?? {
      spec: { ...this.#sampleSpec, length: AUTO_SAMPLE_LENGTH },
      sampleId: ++this.#sampleCounter,
    };
    this.#pendingSample = null;
    const rng = new Rng(this.#rng.int(2 ** 31));
    const generation = this.#sampleGeneration;
    const superseded = () => this.#sampleGeneration !== generation || this.#disposed;
    await streamSample(this.model, this.vocab, job.spec, job.sampleId, rng, this.#emit, superseded);
  }

  #disposed = false;

  dispose(): void {
    this.stop();
    this.#disposed = true;
    this.#optimizer.dispose();
    disposeModel(this.model);
  }
}
