/**
 * The race as the page sees it: both validation curves against seconds of training, each model's
 * newest side-by-side sample, and the verdict at the end. Built from the worker's race events.
 */
import type { TrainingPlan } from '../run/events';
import type { RaceEvent, RaceStatus } from '../run/race';
import type { Curve, Lane, RaceVerdict } from '../run/race-verdict';
import { applySampleEvent, emptySampleView, type SampleView } from './sample-view';

export const LANES: readonly Lane[] = ['scratch', 'base'];
export const LANE_LABELS: Record<Lane, string> = { scratch: 'From scratch', base: 'Pretrained, fine-tuned' };

type PerLane<T> = Record<Lane, T>;

export class RaceView {
  #status = $state<RaceStatus | 'idle'>('idle');
  #seconds = $state(0);
  #plans = $state.raw<PerLane<TrainingPlan> | null>(null);
  #curves = $state.raw<PerLane<Curve>>({ scratch: [], base: [] });
  #samples = $state.raw<PerLane<SampleView>>({ scratch: emptySampleView([]), base: emptySampleView([]) });
  #verdict = $state.raw<RaceVerdict | null>(null);
  #ended = $state(false);
  #runIds = $state.raw<PerLane<string> | null>(null); // the saved runs, once the race is over

  get status() {
    return this.#status;
  }
  get running() {
    return this.#status === 'racing' || this.#status === 'stopping';
  }
  get seconds() {
    return this.#seconds;
  }
  get plans() {
    return this.#plans;
  }
  get curves() {
    return this.#curves;
  }
  get samples() {
    return this.#samples;
  }
  get verdict() {
    return this.#verdict;
  }
  /** A race has finished (its result line is final). */
  get ended() {
    return this.#ended;
  }
  get runIds() {
    return this.#runIds;
  }

  started(seconds: number, plans: PerLane<TrainingPlan>): void {
    this.#seconds = seconds;
    this.#plans = plans;
    this.#curves = { scratch: [], base: [] };
    this.#samples = { scratch: emptySampleView([]), base: emptySampleView([]) };
    this.#verdict = null;
    this.#ended = false;
    this.#status = 'racing';
  }

  /** The worker is gone: whatever was racing has stopped. */
  halt(): void {
    if (this.running) this.#status = 'done';
  }

  onEvent(e: RaceEvent): void {
    switch (e.type) {
      case 'race-status':
        this.#status = e.status;
        return;
      case 'race-val':
        this.#curves = { ...this.#curves, [e.lane]: [...this.#curves[e.lane], [e.seconds, e.valBpc]] };
        return;
      case 'race-sample':
        this.#samples = { ...this.#samples, [e.lane]: applySampleEvent(this.#samples[e.lane], e.event) };
        return;
      case 'race-result':
        this.#verdict = e.verdict;
        this.#runIds = e.runIds;
        this.#ended = true;
        return;
      default:
        return e satisfies never;
    }
  }
}
