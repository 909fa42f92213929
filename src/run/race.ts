/**
 * Race: a model from scratch and one from the pretrained base train on the same text and split,
 * one step at a time, the next step always going to whichever has had less training time, so
 * both get the same seconds. Each is validated at the same points of its own training time, and
 * both stream samples side by side from the same prime and temperature. Both runs are saved.
 */
import { evalBatches, randomBatch, splitTrainVal, type Batch, type Split } from '../data/batching';
import { Rng } from '../data/rng';
import { encode } from '../data/vocab';
import { estimateBpc, LN2, trainStep } from '../engine/train';
import { stepsPerEpoch } from '../data/batching';
import type { RunEvent, SampleSpec, TrainingPlan } from './events';
import { checkTrainable, planOf } from './plan';
import { raceVerdict, type Curve, type Lane, type RaceVerdict } from './race-verdict';
import { DEFAULT_PATIENCE, Patience } from './patience';
import type { RunState } from './run-state';
import { streamSample } from './sample-stream';

export type RaceStatus = 'racing' | 'stopping' | 'done';
type SampleEvent = Extract<RunEvent, { type: 'sample-start' | 'sample-chunk' | 'sample-end' }>;

export type RaceEvent =
  | { type: 'race-status'; status: RaceStatus }
  // frozen: stop at the best ended this lane (validation had not improved for its patience)
  | { type: 'race-val'; lane: Lane; seconds: number; step: number; valBpc: number; frozen: boolean }
  | { type: 'race-sample'; lane: Lane; event: SampleEvent }
  | { type: 'race-result'; verdict: RaceVerdict | null; runIds: Record<Lane, string> };

export interface RaceSpec {
  seconds: number; // training time each model gets
  sample: SampleSpec; // one temperature: the same prime and temperature for both
  sampleEverySec: number; // wall seconds between side-by-side samples
}

export interface RaceHooks {
  emit: (e: RaceEvent) => void;
  save: (state: RunState) => Promise<void>;
}

const ESTIMATES = 20; // validation estimates per model over the race
const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

class Runner {
  seconds = 0; // training time so far
  curve: Curve = [];
  readonly split: Split;
  readonly val: Batch[];
  frozen = false; // stop at the best: this lane trains no more; the other goes on
  #nextEval = 0;
  readonly #patience: Patience;

  constructor(
    readonly lane: Lane,
    readonly state: RunState,
    text: string,
    private readonly evalEverySec: number,
  ) {
    const { seqLen, batchSize, valFraction, evalBatches: n } = state.settings.train;
    this.split = splitTrainVal(encode(state.vocab, text), valFraction);
    this.val = evalBatches(this.split.val, seqLen, batchSize, n);
    this.#patience = new Patience(state.settings.train.patience ?? DEFAULT_PATIENCE, state.best);
  }

  async step(): Promise<void> {
    const { state } = this;
    const { seqLen, batchSize, clipNorm } = state.settings.train;
    const epoch = state.step / stepsPerEpoch(this.split.train.length, seqLen, batchSize);
    const rates = state.ratesAt(epoch);
    const started = performance.now();
    const batch = randomBatch(this.split.train, seqLen, batchSize, state.rng);
    const loss = trainStep(state.model, state.optimizer, batch, clipNorm, state.rng.int(2 ** 31), undefined, rates);
    const [nats] = await loss.data(); // read every step: each model's time must be its own
    loss.dispose();
    this.seconds += (performance.now() - started) / 1000;
    state.step++;
    state.history.train.push([state.step, nats / LN2]);
  }

  /** Validates when this model's training time has reached its next estimate point. */
  async estimateIfDue(emit: RaceHooks['emit'], force = false): Promise<void> {
    if (!force && this.seconds < this.#nextEval) return;
    const valBpc = await estimateBpc(this.state.model, this.val);
    const trainBpc = this.state.history.train.at(-1)?.[1] ?? valBpc;
    this.state.recordEstimate(this.state.step, valBpc, trainBpc);
    const { spent } = this.#patience.record(this.state.step, valBpc, trainBpc);
    if (spent && this.state.settings.train.stopAtBest) this.frozen = true;
    this.curve.push([this.seconds, valBpc]);
    const { lane, seconds, frozen } = this;
    emit({ type: 'race-val', lane, seconds, step: this.state.step, valBpc, frozen });
    this.#nextEval = this.seconds + this.evalEverySec;
  }
}

export class Race {
  #runners: Runner[];
  #status: RaceStatus = 'racing';
  #samples = 0; // sample ids, for the page to keep each lane's newest

  /** Throws a CorpusError when the text is too short for these settings. */
  constructor(
    lanes: Record<Lane, RunState>,
    text: string,
    private readonly spec: RaceSpec,
    private readonly hooks: RaceHooks,
  ) {
    checkTrainable([...text].length, lanes.base.settings.train, lanes.base.corpus.name);
    const every = spec.seconds / ESTIMATES;
    this.#runners = [new Runner('scratch', lanes.scratch, text, every), new Runner('base', lanes.base, text, every)];
  }

  get status(): RaceStatus {
    return this.#status;
  }

  /** What each model will train on: the same text, split and sizes. */
  get plans(): Record<Lane, TrainingPlan> {
    const [scratch, base] = this.#runners.map((r) => planOf(r.state, r.split, r.state.settings.train));
    return { scratch, base };
  }

  stop(): void {
    if (this.#status === 'racing') this.#setStatus('stopping');
  }

  #setStatus(status: RaceStatus): void {
    this.#status = status;
    this.hooks.emit({ type: 'race-status', status });
  }

  async run(): Promise<void> {
    this.#setStatus('racing');
    for (const r of this.#runners) await r.estimateIfDue(this.hooks.emit, true); // both at 0 s
    let lastSample = performance.now();
    while (this.#status === 'racing') {
      const going = this.#runners.filter((r) => !r.frozen); // a lane stopped at its best waits, frozen
      if (going.length === 0) break;
      const next = going.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      if (next.seconds >= this.spec.seconds) break;
      await yieldToEvents();
      await next.step();
      await next.estimateIfDue(this.hooks.emit);
      if (performance.now() - lastSample >= this.spec.sampleEverySec * 1000) {
        await this.#sampleBoth();
        lastSample = performance.now();
      }
    }
    await this.#finish();
  }

  async #finish(): Promise<void> {
    if (this.#status === 'racing') this.#setStatus('stopping');
    for (const r of this.#runners) if (r.curve.at(-1)?.[0] !== r.seconds) await r.estimateIfDue(this.hooks.emit, true);
    const [scratch, base] = this.#runners;
    const stopAtBest = !!scratch.state.settings.train.stopAtBest;
    // Stop at the best: each lane's best weights become its model, sampled, saved and kept in hand.
    if (stopAtBest) for (const r of this.#runners) if (r.state.pastBest) r.state.restoreBest();
    await this.#sampleBoth();
    for (const r of this.#runners) await this.hooks.save(r.state);
    const curves = { scratch: scratch.curve, base: base.curve };
    const going = this.#runners.filter((r) => !r.frozen);
    const budget = Math.min(this.spec.seconds, ...(going.length > 0 ? going : this.#runners).map((r) => r.seconds));
    const frozenAt = { scratch: scratch.frozen ? scratch.seconds : null, base: base.frozen ? base.seconds : null };
    const verdict = raceVerdict(curves, budget, { stopAtBest, frozenAt });
    this.hooks.emit({ type: 'race-result', verdict, runIds: { scratch: scratch.state.runId, base: base.state.runId } });
    this.#setStatus('done');
  }

  /** The same prime and temperature for both, one after the other, each streamed as it comes. */
  async #sampleBoth(): Promise<void> {
    for (const r of this.#runners) {
      const emit = (event: RunEvent) =>
        this.hooks.emit({ type: 'race-sample', lane: r.lane, event: event as SampleEvent });
      const id = ++this.#samples;
      await streamSample(r.state.model, r.state.vocab, this.spec.sample, id, new Rng(r.state.step + 1), emit);
    }
  }
}
