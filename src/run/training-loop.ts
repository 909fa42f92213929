/**
 * The training loop of one run on one text: steps with pause, resume and stop checked between
 * them, estimateLoss at a fixed interval, streamed samples, and autosave through a hook.
 * Reports only through `emit`, as RunEvents; knows nothing of the worker.
 */
import type { Settings } from '../config/settings';
import { StatefulBatcher, evalBatches, randomBatch, splitTrainVal, type Batch, type Split } from '../data/batching';
import { Rng } from '../data/rng';
import { encode } from '../data/vocab';
import { useLstmPath } from '../engine/model';
import { describeRates } from '../engine/finetune';
import { dropCarry, estimateBpc, trainStep, type Carry } from '../engine/train';
import type { RunEvent, SampleSpec, TrainingPlan, TrainingStatus } from './events';
import { checkTrainable, planOf } from './plan';
import { ProgressMeter } from './progress';
import { DEFAULT_PATIENCE, Patience } from './patience';
import type { RunState } from './run-state';
import type { Sampler } from './sample-stream';
import { isTimelineStep, timelineEntry } from '../engine/timeline';
import { MAX_TIMELINE } from '../storage/checkpoint';

/** Seconds of training before a run's first checkpoint: a reload after that loses little. */
const FIRST_SAVE_SEC = 3;

/** Lets queued messages (pause, stop, sample) in before the next step. */
const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export interface LoopHooks {
  emit: (e: RunEvent) => void;
  sampler: Sampler; // the worker's one sampler: a newer sample from anywhere ends this loop's

  /** Called a few seconds into training, then every `autosaveSec`, when asked, and on pause, stop and finish. */
  save?: (reason: 'interval' | 'pause' | 'stop' | 'finish') => Promise<void>;
}

export class TrainingLoop {
  readonly plan: TrainingPlan;
  #split: Split;
  #evalSets: { train: Batch[]; val: Batch[] };
  #status: TrainingStatus = 'idle';
  #resume: (() => void) | null = null;
  #pauseRequested = false;
  #evaluateRequested = false;
  #saveRequested = false;
  #sampleSpec: SampleSpec; // prime and temperatures of the latest request
  readonly #timelinePrime: string; // the prime when the loop started: every timeline entry reads the same
  readonly #autoLength: number; // characters per temperature in the samples shown while training
  #pendingSample: SampleSpec | null = null; // asked for while training: runs between two steps
  #lanes: StatefulBatcher | null = null; // stateful batching only
  #carry: Carry = {}; // the LSTM state carried between stateful batches
  #meter: ProgressMeter;
  #patience: Patience; // checks since the best validation figure, against the run's patience
  #patienceSpent = false; // stop at the best: validation has not improved for the patience; the loop ends

  /** Throws a CorpusError when the text is too short for these settings (see checkTrainable). */
  constructor(
    readonly state: RunState,
    text: string,
    private readonly settings: Settings,
    sample: SampleSpec,
    private readonly hooks: LoopHooks,
  ) {
    const { seqLen: T, batchSize: B, valFraction, evalBatches: nEval } = settings.train;
    const ids = encode(state.vocab, text);
    checkTrainable(ids.length, settings.train, state.corpus.name);
    this.#split = splitTrainVal(ids, valFraction);
    this.#evalSets = {
      train: evalBatches(this.#split.train, T, B, nEval),
      val: evalBatches(this.#split.val, T, B, nEval),
    };
    if (settings.train.batching === 'stateful') this.#lanes = new StatefulBatcher(this.#split.train, T, B);
    this.#sampleSpec = sample;
    this.#timelinePrime = sample.prime;
    this.#autoLength = sample.length;
    this.plan = planOf(state, this.#split, settings.train);
    this.#meter = new ProgressMeter(this.plan);
    this.#patience = new Patience(settings.train.patience ?? DEFAULT_PATIENCE, state.best);
  }

  get status(): TrainingStatus {
    return this.#status;
  }

  /** Read through a method: stop() changes the status while train() awaits. */
  #stopped(): boolean {
    return this.#status === 'stopping' || this.#status === 'stopped';
  }

  #setStatus(status: TrainingStatus): void {
    this.#status = status;
    this.hooks.emit({ type: 'status', status });
  }

  /**
   * Runs steps until the chosen epochs are done or stop() is called, then evaluates and saves
   * ('stopping'). Only once the final save has landed does it report 'finished' or 'stopped', so
   * the page never offers to open, rename or replace a run whose last save is still being written.
   * A run that fails reports 'stopped' too.
   */
  async train(): Promise<void> {
    useLstmPath(this.settings.train.lstm ?? 'fused'); // one loop trains at a time in a worker
    try {
      this.#setStatus('training');
      // Step 0: quick (one batch), so the first step comes soon; with stop at the best it may be the
      // best model (fine-tuning need not beat the base), so it is measured like every other check.
      if (this.state.history.val.length === 0) await this.#evaluate(this.settings.train.stopAtBest ? undefined : 1);
      await this.#steps();
      await this.#wrapUp();
    } catch (error) {
      dropCarry(this.#carry);
      this.#meter.dispose();
      this.#setStatus('stopped');
      throw error;
    }
    await this.#runPendingSample();
  }

  async #steps(): Promise<void> {
    let lastSample = performance.now();
    let lastSave = this.#meter.elapsedMs;
    let saveEveryMs = Math.min(FIRST_SAVE_SEC, this.settings.train.autosaveSec) * 1000; // the first comes soon
    while (this.state.step < this.plan.totalSteps && !this.#stopped() && !this.#patienceSpent) {
      await yieldToEvents();
      if (this.#pauseRequested) await this.#pauseHere();
      if (this.#stopped()) break;
      await this.#oneStep();
      if (isTimelineStep(this.state.step)) await this.#growTimeline();
      if (this.state.step % this.settings.train.evalEvery === 0 || this.#evaluateRequested) await this.#evaluate();
      if (this.#meter.due) this.#flushProgress();
      if (this.#pendingSample || performance.now() - lastSample >= this.settings.train.sampleEverySec * 1000) {
        await this.#runPendingSample();
        lastSample = performance.now();
      }
      if (this.#saveRequested || this.#meter.elapsedMs - lastSave >= saveEveryMs) {
        this.#saveRequested = false;
        await this.#readLosses();
        await this.hooks.save?.('interval');
        lastSave = this.#meter.elapsedMs;
        saveEveryMs = this.settings.train.autosaveSec * 1000;
      }
    }
  }

  async #wrapUp(): Promise<void> {
    const finished = !this.#stopped();
    if (finished) this.#setStatus('stopping');
    await this.#readLosses();
    this.#flushProgress();
    if (this.state.step % this.settings.train.evalEvery !== 0) await this.#evaluate();
    this.#keepBest();
    dropCarry(this.#carry);
    await this.hooks.save?.(finished ? 'finish' : 'stop');
    this.#setStatus(finished ? 'finished' : 'stopped');
  }

  /**
   * Stop at the best: however the run ends (its patience spent, its epochs done, or Stop), the
   * best-validation weights become the model in hand, so samples, the saved run, its export and
   * Continue training all use them. The loss history keeps every step actually trained.
   */
  #keepBest(): void {
    const best = this.state.best;
    if (!this.settings.train.stopAtBest || !best || !this.state.pastBest || !this.state.restoreBest()) return;
    const lastValBpc = this.state.history.val.at(-1)![1];
    const patience = this.#patience.patience;
    this.hooks.emit({ type: 'kept-best', best, lastValBpc, early: this.#patienceSpent, patience });
  }

  /** Pauses between two steps, so that once "paused" is reported no step is in flight. */
  async #pauseHere(): Promise<void> {
    this.#pauseRequested = false;
    await this.#readLosses();
    this.#flushProgress();
    this.#setStatus('paused');
    await this.hooks.save?.('pause');
    if (this.#status === 'paused') await new Promise<void>((resolve) => (this.#resume = resolve));
  }

  /**
   * One training step. Its loss stays on the device; losses are read back together every
   * `readLossEvery` steps, so the page's next step is queued while the device still works.
   */
  async #oneStep(): Promise<void> {
    const { seqLen, batchSize, clipNorm, readLossEvery } = this.settings.train;
    const { model, optimizer, rng } = this.state;
    const startedAt = performance.now();
    const lane = this.#lanes?.at(this.state.step);
    if (lane?.fresh) dropCarry(this.#carry);
    const batch = lane?.batch ?? randomBatch(this.#split.train, seqLen, batchSize, rng);
    const carry = lane ? this.#carry : undefined;
    const loss = trainStep(model, optimizer, batch, clipNorm, rng.int(2 ** 31), carry, this.#rates());
    this.#meter.queue(loss, startedAt);
    this.state.step++;
    if (this.#meter.pending >= readLossEvery) await this.#readLosses();
  }

  /** How the writing grew: a fixed-prime, fixed-seed sample at this step, kept with the run. */
  async #growTimeline(): Promise<void> {
    const timeline = this.state.timeline;
    if (timeline.length >= MAX_TIMELINE || (timeline.at(-1)?.step ?? 0) >= this.state.step) return;
    const entry = await timelineEntry(this.state.model, this.state.vocab, this.#timelinePrime, this.state.step);
    timeline.push(entry);
    this.hooks.emit({ type: 'timeline', entry });
  }

  #rates(): number[] | undefined {
    return this.state.ratesAt(this.state.step / this.plan.stepsPerEpoch);
  }

  #readLosses(): Promise<void> {
    return this.#meter.read(this.state.step, this.state.history.train);
  }

  /** nanoGPT's estimateLoss: fixed batches of both splits (the first `batches` of each), no dropout. */
  async #evaluate(batches = this.#evalSets.val.length): Promise<void> {
    this.#evaluateRequested = false;
    await this.#readLosses();
    const started = performance.now();
    const valBpc = await estimateBpc(this.state.model, this.#evalSets.val.slice(0, batches));
    const trainBpc = await estimateBpc(this.state.model, this.#evalSets.train.slice(0, batches));
    this.#meter.addTime(performance.now() - started);
    const { step } = this.state;
    this.state.recordEstimate(step, valBpc, trainBpc);
    const { best, sinceBest, memorising, spent } = this.#patience.record(step, valBpc, trainBpc);
    if (spent && this.settings.train.stopAtBest && this.#status === 'training') this.#patienceSpent = true;
    this.hooks.emit({ type: 'val', step, valBpc, trainBpc, best: best!, sinceBest, memorising });
  }

  #flushProgress(): void {
    const progress = this.#meter.report(this.state.step);
    if (this.state.origin) {
      const rates = this.#rates();
      progress.learning = rates ? describeRates(rates, this.state.model.config) : 'all layers';
    }
    this.hooks.emit({ type: 'progress', progress });
  }

  /** A checkpoint between the next two steps (the page is being hidden or closed). */
  saveSoon(): void {
    if (this.#status === 'training') this.#saveRequested = true;
  }

  /** An estimate between two steps (at once when not training). */
  async evaluate(): Promise<void> {
    if (this.#status === 'training') this.#evaluateRequested = true;
    else await this.#evaluate();
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
    this.#setStatus('stopping');
    this.#resume?.();
    this.#resume = null;
  }

  /**
   * While training, the sample runs between two steps (a running automatic one ends at once);
   * while stopping, as the run's closing sample (in place of the automatic one); otherwise at once.
   */
  async sample(spec: SampleSpec): Promise<void> {
    this.#sampleSpec = spec;
    this.#pendingSample = spec;
    this.hooks.sampler.cancel();
    if (this.#status !== 'training' && this.#status !== 'stopping') await this.#runPendingSample();
  }

  async #runPendingSample(): Promise<void> {
    const spec = this.#pendingSample ?? { ...this.#sampleSpec, length: this.#autoLength };
    this.#pendingSample = null;
    await this.hooks.sampler.run(this.state.model, this.state.vocab, spec, new Rng(this.state.rng.int(2 ** 31)));
  }

  /** Ends the loop; the state (model, optimizer) belongs to the caller. */
  dispose(): void {
    this.stop();
    this.hooks.sampler.cancel();
  }
}
