/**
 * One classifier run: optionally fine-tune the language model on the texts (labels unused), then
 * train the classifier with gradual unfreezing, discriminative rates, the slanted triangular
 * schedule and class weights, validating at a fixed interval. Stop is checked between steps.
 * Reports only through `emit`; knows nothing of the worker.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifySettings } from '../config/classify';
import { randomBatch } from '../data/batching';
import type { LabeledSet, SplitIndices } from '../data/labeled-set';
import { Rng } from '../data/rng';
import { epochBatches, padBatch, sortedBatches, windowBatch } from '../data/text-batches';
import { encode, type Vocab } from '../data/vocab';
import { classify, classifierWeights, recalibrate, type Classifier } from '../engine/classifier';
import { classifierStep } from '../engine/classifier-train';
import { FusedAdam } from '../engine/fused-adam';
import { LN2, setLearningRate, trainStep } from '../engine/train';
import { classWeights, depthRates, openDepth, slantedTriangular } from './classify-schedule';
import { classifierMetrics, type Metrics } from './metrics';

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const LM = { seqLen: 64, batchSize: 32, learningRate: 0.002, clipNorm: 5 }; // language-model fine-tuning
const CLIP_NORM = 5;
const EVAL_BATCH = 64;
const WRONG_CHARS = 300; // of each confidently wrong text, shown in the page
const CALIBRATION_TEXTS = 128; // training texts whose features set the normalisation before each validation

export type ClassifyEvent =
  | { type: 'classify-lm'; step: number; seconds: number; bpc: number }
  | { type: 'classify-step'; step: number; epoch: number; seconds: number; loss: number; learning: string }
  | { type: 'classify-eval'; step: number; seconds: number; metrics: Metrics }
  // failed: an error event says why; metrics: the latest, if any
  | {
      type: 'classify-done';
      reason: 'finished' | 'stopped' | 'failed';
      step: number;
      seconds: number;
      metrics: Metrics | null;
      kept?: KeptClassifier; // stop at the best: the most accurate classifier is the one in hand
    };

/** The most accurate validation of a run, kept as the classifier in hand when the run ends. */
export interface KeptClassifier {
  step: number;
  accuracy: number;
  early: boolean; // the patience ended the run
}

/** What a run trains on: the set, every text encoded and cut, and the split (after any per-class limit). */
export interface ClassifyData {
  set: LabeledSet;
  vocab: Vocab;
  seqs: Int32Array[];
  split: SplitIndices;
}

export class ClassifyRun {
  #stopRequested = false;
  #finished = false;
  #step = 0;
  #trainMs = 0; // classifier training time, validation excluded
  #rng: Rng;
  readonly #optimizer = new FusedAdam(0.01, 0.9, 0.999, 1e-7);
  readonly #weights: number[] | null;
  readonly #stepsPerEpoch: number;
  metrics: Metrics | null = null;
  #best: { step: number; accuracy: number; macroF1: number; weights: tf.Tensor[] } | null = null;
  #sinceBest = 0; // validations since the most accurate one
  #patienceSpent = false;

  constructor(
    readonly classifier: Classifier,
    readonly data: ClassifyData,
    readonly settings: ClassifySettings,
    private readonly emit: (e: ClassifyEvent) => void,
  ) {
    this.#rng = new Rng(settings.seed);
    const counts = data.set.labels.map((_, c) => data.split.train.filter((i) => data.set.y[i] === c).length);
    this.#weights = classWeights(counts);
    this.#stepsPerEpoch = Math.ceil(data.split.train.length / settings.batchSize);
  }

  get classWeights() {
    return this.#weights;
  }

  /** Whether the run has said `classify-done`: nothing of it touches the model any more. */
  get finished() {
    return this.#finished;
  }

  get step() {
    return this.#step;
  }

  stop(): void {
    this.#stopRequested = true;
  }

  get #stopAtBest(): boolean {
    return this.settings.stopAtBest ?? true;
  }

  /** Every weight that decides a prediction, the moving statistics of the pooled features included. */
  #variables(): tf.Variable[] {
    const c = this.classifier;
    return [...classifierWeights(c).map((w) => w.variable), c.movingMean, c.movingVariance];
  }

  #better(m: Metrics): boolean {
    const b = this.#best;
    return !b || m.accuracy > b.accuracy || (m.accuracy === b.accuracy && m.macroF1 > b.macroF1);
  }

  /** After a validation during training: keeps a copy when it is the most accurate (macro-F1 breaks ties). */
  #recordBest(metrics: Metrics): void {
    if (!this.#better(metrics)) {
      this.#sinceBest++;
      if (this.#stopAtBest && this.#sinceBest >= (this.settings.patience ?? 5)) this.#patienceSpent = true;
      return;
    }
    if (this.#best) tf.dispose(this.#best.weights);
    const weights = this.#variables().map((v) => tf.clone(v));
    this.#best = { step: this.#step, accuracy: metrics.accuracy, macroF1: metrics.macroF1, weights };
    this.#sinceBest = 0;
  }

  /**
   * Stop at the best, after the final validation: when it is no better than the best kept, the
   * most accurate classifier becomes the one in hand, bit for bit, and is validated again.
   */
  async #keepBest(final: Metrics): Promise<{ metrics: Metrics; kept?: KeptClassifier }> {
    const b = this.#best;
    if (!this.#stopAtBest || !b || b.step === this.#step || this.#better(final)) return { metrics: final };
    this.#variables().forEach((v, i) => v.assign(b.weights[i]));
    const kept = { step: b.step, accuracy: b.accuracy, early: this.#patienceSpent };
    return { metrics: await this.evaluate(), kept };
  }

  /** The run's progress, 0 to 1: by time when it has a time budget, else by steps. */
  #progress(): number {
    const { seconds, epochs } = this.settings;
    return seconds !== null ? this.#trainMs / 1000 / seconds : this.#step / (epochs * this.#stepsPerEpoch);
  }

  /** Trains to the end (or a stop); a failure is thrown after `classify-done` says 'failed'. */
  async run(): Promise<void> {
    const done = (reason: 'finished' | 'stopped' | 'failed', metrics: Metrics | null, kept?: KeptClassifier) => {
      this.#finished = true; // before the news: a page may start the next run on hearing it
      const seconds = this.#trainMs / 1000;
      this.emit({ type: 'classify-done', reason, step: this.#step, seconds, metrics, ...(kept ? { kept } : {}) });
    };
    try {
      if (this.settings.lmSeconds > 0) await this.#fineTuneLanguageModel();
      await this.#train();
      const { metrics, kept } = await this.#keepBest(await this.evaluate());
      done(this.#stopRequested ? 'stopped' : 'finished', metrics, kept);
    } catch (error) {
      done('failed', this.metrics);
      throw error;
    } finally {
      this.#optimizer.dispose();
      if (this.#best) tf.dispose(this.#best.weights);
      this.#best = null;
    }
  }

  async #train(): Promise<void> {
    const { set, seqs, split } = this.data;
    const depths = classifierWeights(this.classifier).map((w) => w.depth);
    const layers = this.classifier.encoder.lstm.length;
    let lastEval = -Infinity;
    for (let epoch = 0; !this.#stopRequested && !this.#patienceSpent && this.#progress() < 1; epoch++) {
      for (const rows of epochBatches(split.train, seqs, this.settings.batchSize, this.#rng)) {
        const progress = this.#progress();
        if (this.#stopRequested || this.#patienceSpent || progress >= 1) break;
        const open = openDepth(progress, layers, this.settings.unfreezing);
        setLearningRate(this.#optimizer, slantedTriangular(progress, this.settings.learningRate));
        const started = performance.now();
        const labels = Int32Array.from(rows, (i) => set.y[i]);
        const { window } = this.settings;
        const batch = window > 0 ? windowBatch(seqs, rows, window, this.#rng) : padBatch(seqs, rows);
        const loss = classifierStep(this.classifier, this.#optimizer, batch, labels, {
          rates: depthRates(depths, open),
          classWeights: this.#weights,
          clipNorm: CLIP_NORM,
          dropoutSeed: this.#rng.int(2 ** 31),
        });
        const [value] = await loss.data();
        loss.dispose();
        this.#trainMs += performance.now() - started;
        this.#step++;
        const seconds = this.#trainMs / 1000;
        this.emit({
          type: 'classify-step',
          step: this.#step,
          epoch,
          seconds,
          loss: value,
          learning: learning(open, layers),
        });
        if (this.#step === 1 || seconds - lastEval >= this.settings.evalEverySec) {
          lastEval = seconds;
          this.#recordBest(await this.evaluate());
        }
        await yieldToEvents();
      }
    }
  }

  /** Validation: probabilities for every held-out text, in length-sorted batches; emits the metrics. */
  async evaluate(): Promise<Metrics> {
    const { set, seqs, split } = this.data;
    const parts: Float32Array[] = [];
    const order: number[] = [];
    const every = Math.max(1, Math.floor(split.train.length / CALIBRATION_TEXTS)); // spread over the set
    const calibration = split.train.filter((_, i) => i % every === 0).slice(0, CALIBRATION_TEXTS);
    const batches = sortedBatches(calibration, seqs, EVAL_BATCH).map((rows) => padBatch(seqs, rows));
    await recalibrate(this.classifier, batches, yieldToEvents); // Try it and Stop are answered between batches
    for (const rows of sortedBatches(split.val, seqs, EVAL_BATCH)) {
      if (order.length) await yieldToEvents();
      const probs = tf.tidy(() => classify(this.classifier, padBatch(seqs, rows)));
      parts.push((await probs.data()) as Float32Array);
      probs.dispose();
      order.push(...rows);
    }
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const truth = order.map((i) => set.y[i]);
    const textOf = (i: number) => set.texts[i].slice(0, WRONG_CHARS);
    this.metrics = classifierMetrics(all, truth, order, set.labels.length, textOf);
    this.emit({ type: 'classify-eval', step: this.#step, seconds: this.#trainMs / 1000, metrics: this.metrics });
    return this.metrics;
  }

  /** ULMFiT's second stage: the language model trained on the training texts for lmSeconds. */
  async #fineTuneLanguageModel(): Promise<void> {
    const { set, split, vocab } = this.data;
    const ids = encode(vocab, split.train.map((i) => set.texts[i]).join('\n\n'));
    if (ids.length <= LM.seqLen + 1) return;
    const optimizer = new FusedAdam(LM.learningRate, 0.9, 0.999, 1e-7);
    let ms = 0;
    try {
      for (let step = 1; !this.#stopRequested && ms < this.settings.lmSeconds * 1000; step++) {
        const started = performance.now();
        const batch = randomBatch(ids, LM.seqLen, LM.batchSize, this.#rng);
        const loss = trainStep(this.classifier.encoder, optimizer, batch, LM.clipNorm, this.#rng.int(2 ** 31));
        const [nats] = await loss.data();
        loss.dispose();
        ms += performance.now() - started;
        this.emit({ type: 'classify-lm', step, seconds: ms / 1000, bpc: nats / LN2 });
        await yieldToEvents();
      }
    } finally {
      optimizer.dispose();
    }
  }
}

/** Which layers train, in words. */
function learning(open: number, layers: number): string {
  if (open >= layers + 1) return 'all layers';
  if (open === 0) return 'the head';
  return `the head and the top ${open === 1 ? 'LSTM layer' : `${open} LSTM layers`}`;
}
