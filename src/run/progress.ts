/**
 * The bookkeeping behind progress events: step losses stay on the device until read back
 * together, each read step gets its share of the wall time since the first was queued, and a
 * progress report carries the steps read since the last one, with throughput and an ETA.
 */
import * as tf from '@tensorflow/tfjs';
import type { Progress, TrainingPlan } from './events';
import { LN2 } from '../engine/train';

const PROGRESS_EVERY_MS = 200; // at most ~5 progress events per second
const RECENT_STEPS = 20; // steps averaged for chars/s

export class ProgressMeter {
  #elapsedMs = 0; // training and evaluation time in this session
  #stepMs: number[] = []; // recent step durations, for chars/s
  #stepsDone = 0; // steps read in this session (a resumed run starts at its saved step)
  #points: Progress['points'] = []; // [step, bits/char] read but not yet reported
  #pointMs: number[] = []; // their durations
  #unread: tf.Scalar[] = []; // losses of steps not yet read back (nats)
  #unreadSince = 0; // when the first of them was queued
  #lastReport = 0;

  constructor(private readonly plan: TrainingPlan) {}

  get elapsedMs(): number {
    return this.#elapsedMs;
  }

  /** Losses queued and not yet read back. */
  get pending(): number {
    return this.#unread.length;
  }

  /** Whether a report is due: every loss read, and the last report long enough ago. */
  get due(): boolean {
    return this.#unread.length === 0 && performance.now() - this.#lastReport >= PROGRESS_EVERY_MS;
  }

  /** Keeps a step's loss (a scalar in nats, now owned here); `startedAt` is when the step began. */
  queue(loss: tf.Scalar, startedAt: number): void {
    if (this.#unread.length === 0) this.#unreadSince = startedAt;
    this.#unread.push(loss);
  }

  /** Time spent outside steps (evaluation), counted in the elapsed time and the ETA. */
  addTime(ms: number): void {
    this.#elapsedMs += ms;
  }

  /**
   * Reads the pending losses of the steps ending at `lastStep`, appending [step, bits/char] to
   * `history` too. Their steps share the wall time since the first was queued.
   */
  async read(lastStep: number, history: [number, number][]): Promise<void> {
    if (this.#unread.length === 0) return;
    const losses = this.#unread;
    this.#unread = [];
    const values = await Promise.all(losses.map((l) => l.data()));
    tf.dispose(losses);
    const ms = (performance.now() - this.#unreadSince) / losses.length;
    const first = lastStep - losses.length + 1;
    values.forEach(([nats], i) => {
      const point: [number, number] = [first + i, nats / LN2];
      this.#elapsedMs += ms;
      this.#stepMs = [...this.#stepMs.slice(1 - RECENT_STEPS), ms];
      this.#pointMs.push(ms);
      this.#stepsDone++;
      this.#points.push(point);
      history.push([...point]);
    });
  }

  /** The report for steps read since the last one; `step` is the run's current step. */
  report(step: number): Progress {
    const meanMs = this.#stepMs.reduce((a, b) => a + b, 0) / Math.max(1, this.#stepMs.length);
    const perStepMs = this.#elapsedMs / Math.max(1, this.#stepsDone); // evaluation time included
    const memory = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    const progress: Progress = {
      step,
      epoch: step / this.plan.stepsPerEpoch,
      points: this.#points,
      stepMs: this.#pointMs,
      charsPerSec: meanMs > 0 ? (this.plan.charsPerStep * 1000) / meanMs : 0,
      elapsedMs: this.#elapsedMs,
      etaMs: (this.plan.totalSteps - step) * perStepMs,
      tensors: memory.numTensors,
      gpuBytes: memory.numBytesInGPU ?? null,
    };
    this.#points = [];
    this.#pointMs = [];
    this.#lastReport = performance.now();
    return progress;
  }

  /** Drops losses never read (a run that failed mid-way). */
  dispose(): void {
    tf.dispose(this.#unread);
    this.#unread = [];
  }
}
