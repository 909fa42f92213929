/**
 * What the page shows of the model in hand as it trains: status, plan, progress, loss curves and
 * the newest sample, as rune state built from the worker's RunEvents.
 */
import { DEFAULT_TEMPERATURES } from '../config/settings';
import type { Progress, RunEvent, TrainingPlan, TrainingStatus } from '../run/events';
import type { History } from '../storage/checkpoint';
import type { BestWatch, KeptBest } from './best-notice';
import { applySampleEvent, emptySampleView, type SampleView } from './sample-view';
import { appendTraining, appendValidation, chartOf, emptySeries, type ChartData } from './series';

export type Estimate = { step: number; valBpc: number; trainBpc: number };

/** What the live region says when the status becomes one of these (never on idle). */
const STATUS_WORDS: Partial<Record<TrainingStatus, string>> = {
  training: 'Training started.',
  paused: 'Paused.',
  stopping: 'Stopping: evaluating and saving.',
  stopped: 'Stopped.',
  finished: 'Training finished.',
};

export class TrainingView {
  #status = $state<TrainingStatus>('idle');
  #plan = $state.raw<TrainingPlan | null>(null);
  #progress = $state.raw<Progress | null>(null);
  #chart = $state.raw<ChartData>(emptySeries());
  #lastVal = $state.raw<Estimate | null>(null);
  #samples = $state.raw<SampleView>(emptySampleView(DEFAULT_TEMPERATURES));
  #watch = $state.raw<BestWatch | null>(null); // the best check so far, and the checks since it
  #kept = $state.raw<KeptBest | null>(null); // the run ended with its best weights in hand

  /** `say`: the page's live region (state/announcements), told each change of status. */
  constructor(private readonly say: (text: string) => void) {}

  get status() {
    return this.#status;
  }
  get plan() {
    return this.#plan;
  }
  get progress() {
    return this.#progress;
  }
  get chart() {
    return this.#chart;
  }
  get lastVal() {
    return this.#lastVal;
  }
  get samples() {
    return this.#samples;
  }
  get watch() {
    return this.#watch;
  }
  get kept() {
    return this.#kept;
  }
  /** The point the chart marks: the best validation figure so far, or a saved run's lowest. */
  get best(): { step: number; valBpc: number } | null {
    return this.#watch?.best ?? null;
  }
  /** Training, paused, or wrapping up (its final evaluation and save). */
  get busy() {
    return this.#status === 'training' || this.#status === 'paused' || this.#status === 'stopping';
  }

  /** A new model: no curves, no plan yet. */
  reset(): void {
    this.#chart = emptySeries();
    this.#progress = null;
    this.#lastVal = null;
    this.#watch = null;
    this.#kept = null;
  }

  /** A model without a loop (none yet, a restarted worker, or a saved run): `history` its curves. */
  idle(history?: History): void {
    if (history) {
      this.#chart = chartOf(history);
      const last = history.val.at(-1);
      this.#lastVal = last ? { step: last[0], valBpc: last[1], trainBpc: last[2] } : null;
      this.#progress = null;
      const best = history.val.reduce<(typeof history.val)[number] | null>((b, v) => (b && b[1] <= v[1] ? b : v), null);
      this.#watch = best
        ? { best: { step: best[0], valBpc: best[1], trainBpc: best[2] }, sinceBest: 0, memorising: false }
        : null;
      this.#kept = null;
    }
    this.#plan = null;
    this.#setStatus('idle');
  }

  /** The worker is gone: whatever was training has stopped. */
  halt(): void {
    this.#setStatus('stopped');
  }

  started(plan: TrainingPlan): void {
    this.#plan = plan;
    this.#kept = null; // a continued run: its best is said again when it ends
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'status':
        this.#setStatus(e.status);
        return;
      case 'progress':
        this.#progress = e.progress;
        this.#chart = appendTraining(this.#chart, e.progress.points);
        return;
      case 'val':
        this.#lastVal = e;
        this.#watch = { best: e.best, sinceBest: e.sinceBest, memorising: e.memorising };
        this.#chart = appendValidation(this.#chart, e.step, e.valBpc);
        return;
      case 'kept-best':
        this.#kept = e;
        return;
      case 'timeline': // how the writing grew: Look inside's (Session routes it to session.inside)
        return;
      default:
        this.#samples = applySampleEvent(this.#samples, e);
    }
  }

  /** Started, resumed, paused, stopped: said once, as it happens. */
  #setStatus(status: TrainingStatus): void {
    const was = this.#status;
    this.#status = status;
    if (status === was) return;
    const words = status === 'training' && was === 'paused' ? 'Resumed.' : STATUS_WORDS[status];
    if (words) this.say(words);
  }
}
