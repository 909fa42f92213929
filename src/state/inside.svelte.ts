/**
 * The Look inside panel's state: which model, which probe, the last view of it (surprise, next
 * characters, cells worth a look, gates), the chosen unit's trace, the focused character's memory,
 * and how the writing grew. Views are asked of the worker on demand, when the model in hand
 * changes (a run stops, opens or is imported), and after each validation estimate while training
 * if the panel is showing, no more often than keeps refreshing within a tenth of training time.
 */
import type {
  ActivationKind,
  InsideModel,
  InsideView,
  MemoryView,
  TimelineEntry,
  UnitTrace,
} from '../engine/inside-types';
import type { TrainingStatus } from '../run/events';
import type { ReplyTo, RequestBody } from '../worker/protocol';
import { mayRefresh } from './inside-helpers';
import { WorkerRequestError } from './worker-client';

/** Sends a request and resolves with its reply; rejects with the worker's sentence. */
export type InsideRequest = <B extends RequestBody>(body: B) => Promise<ReplyTo<B['type']>>;

export interface InsideHost {
  request: InsideRequest;
  loadBase: () => Promise<boolean>; // the English base, loaded (true) or failed
  models: () => InsideModel[]; // the models there are now to look inside
  showing: () => boolean; // the Look inside view is on screen
}

export const MODEL_NAMES: Record<InsideModel, string> = {
  hand: 'The model in hand',
  base: 'The English base (as downloaded)',
  'race-scratch': 'The race: from scratch',
  'race-base': 'The race: from the English base',
};

export type InsideStatus = 'idle' | 'loading' | 'ready';

export class InsideState {
  #chosen = $state<InsideModel | null>(null); // the person's choice; null follows the model in hand
  #probe = $state<string | null>(null); // null: a stretch of the validation text
  #view = $state.raw<InsideView | null>(null);
  #status = $state<InsideStatus>('idle');
  #error = $state<string | null>(null);
  #unit = $state.raw<{ layer: number; kind: ActivationKind; unit: number } | null>(null);
  #trace = $state.raw<UnitTrace | null>(null);
  #focus = $state(0);
  #memory = $state.raw<MemoryView | null>(null);
  #timeline = $state.raw<TimelineEntry[]>([]);

  #stale = true; // the model changed since the last view
  #busy = false;
  #again = false; // a refresh was asked for while one ran
  #lastEndedAt: number | null = null;
  #lastMs = 0;
  #memoryBusy = false;
  #unitBusy = false;
  #generation = 0; // views read: a trace or memory asked of an older one is asked again

  constructor(private readonly host: InsideHost) {}

  get models(): InsideModel[] {
    return this.host.models();
  }
  /** The model looked inside: the person's choice while it exists, else the model in hand, else the base. */
  get model(): InsideModel {
    const models = this.host.models();
    if (this.#chosen && models.includes(this.#chosen)) return this.#chosen;
    return models.includes('hand') ? 'hand' : 'base';
  }
  get probe() {
    return this.#probe;
  }
  get view() {
    return this.#view;
  }
  get status() {
    return this.#status;
  }
  get error() {
    return this.#error;
  }
  get unit() {
    return this.#unit;
  }
  get trace() {
    return this.#trace;
  }
  get focus() {
    return this.#focus;
  }
  get memory() {
    return this.#memory;
  }
  get timeline() {
    return this.#timeline;
  }
  /** What the panel says of itself, in a sentence. */
  get summary(): string {
    if (this.#error) return this.#error;
    if (this.#status === 'loading' && !this.#view) return 'Reading the probe…';
    const v = this.#view;
    if (!v) return 'Nothing read yet: press Refresh.';
    const source = v.fromValidation ? 'a stretch of the validation text' : 'your text';
    const steps = v.step === 1 ? '1 training step' : `${v.step.toLocaleString('en-US')} training steps`;
    return `${v.modelName.charAt(0).toUpperCase()}${v.modelName.slice(1)}, after ${steps}, read ${v.probe.length.toLocaleString('en-US')} characters of ${source}: ${v.bpc.toFixed(2)} bits/char.`;
  }

  chooseModel(model: InsideModel): void {
    this.#chosen = model;
    this.#stale = true;
    void this.refresh();
  }

  /** Text the person gave (null: back to the validation text), read by `model` if given. */
  setProbe(text: string | null, model?: InsideModel): void {
    this.#probe = text === null || text.length === 0 ? null : text;
    if (model) this.#chosen = model;
    this.#stale = true;
    void this.refresh();
  }

  /** Shows one unit coloured over the probe. */
  chooseUnit(layer: number, kind: ActivationKind, unit: number): void {
    this.#unit = { layer, kind, unit };
    void this.#askUnit();
  }

  /** The character whose next-character prediction and memory are shown. */
  setFocus(at: number): void {
    const length = this.#view?.probe.length ?? 0;
    const next = Math.max(0, Math.min(length - 1, Math.round(at)));
    if (next === this.#focus && this.#memory?.at === next) return;
    this.#focus = next;
    void this.#askMemory();
  }

  /** The panel came on screen: read the probe if nothing is shown, or the model changed meanwhile. */
  shown(): void {
    if (this.#stale || !this.#view) void this.refresh();
  }

  /** A validation estimate while training: refresh if the panel shows and the time share allows. */
  onVal(): void {
    if (!this.host.showing()) return void (this.#stale = true);
    if (this.#busy || !mayRefresh(performance.now(), this.#lastEndedAt, this.#lastMs)) return;
    void this.refresh();
  }

  /** A run's status changed: once it has stopped or finished, its final model is worth a look. */
  onStatus(status: TrainingStatus): void {
    if (status !== 'stopped' && status !== 'finished') return;
    this.modelChanged();
  }

  /** The model in hand changed (opened, imported, a race ended, the worker restarted). */
  modelChanged(timeline?: TimelineEntry[]): void {
    if (timeline) this.#timeline = [...timeline].sort((a, b) => a.step - b.step);
    this.#stale = true;
    if (this.host.showing()) void this.refresh();
  }

  /** A new run starts: its writing has not grown yet. */
  newRun(): void {
    this.#timeline = [];
    this.#stale = true;
  }

  onTimeline(entry: TimelineEntry): void {
    const rest = this.#timeline.filter((e) => e.step !== entry.step);
    this.#timeline = [...rest, entry].sort((a, b) => a.step - b.step);
  }

  /** The worker restarted: what it kept of the last probe is gone. */
  reset(): void {
    this.#view = null;
    this.#trace = null;
    this.#memory = null;
    this.#status = 'idle';
    this.#busy = false;
    this.#again = false;
    this.#stale = true;
  }

  /** Reads the probe afresh, then the chosen unit's trace and the focused character's memory. */
  async refresh(): Promise<void> {
    if (this.#busy) return void (this.#again = true);
    this.#busy = true;
    this.#status = 'loading';
    this.#stale = false;
    try {
      const model = this.model;
      if (model === 'base' && !(await this.host.loadBase())) {
        this.#error = 'The English base could not be loaded, so there is nothing to look inside yet.';
        return;
      }
      // The unit shown and the focused character come back with the view: one message, one redraw.
      const [unit, at] = [this.#unit, this.#focus];
      const reply = await this.host.request({ type: 'inside', model, probe: this.#probe, at, ...(unit && { unit }) });
      const view = reply.view;
      this.#view = view;
      this.#generation++;
      this.#lastMs = view.ms;
      this.#error = null;
      this.#focus = Math.min(this.#focus, Math.max(0, view.probe.length - 1));
      const chosenMeanwhile = this.#unit !== unit;
      const { layer, kind, unit: index } = reply.trace;
      if (!chosenMeanwhile) this.#unit = { layer, kind, unit: index }; // the best cell when none fitted
      this.#trace = reply.trace;
      this.#memory = reply.memory?.at === this.#focus ? reply.memory : null;
      // What was chosen or focused while the view was read, or not answered with it, is asked for now.
      await Promise.all([chosenMeanwhile ? this.#askUnit() : null, this.#memory ? null : this.#askMemory()]);
    } catch (error) {
      this.#error = sentence(error);
    } finally {
      this.#busy = false;
      this.#lastEndedAt = performance.now();
      this.#status = this.#view ? 'ready' : 'idle';
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    }
  }

  // One request of each kind at a time; when it answers, the latest wish is asked for if it changed.
  async #askUnit(): Promise<void> {
    if (this.#unitBusy || !this.#view || !this.#unit) return;
    this.#unitBusy = true;
    const [wanted, generation] = [this.#unit, this.#generation];
    try {
      const reply = await this.host.request({ type: 'inside-unit', ...wanted });
      if (this.#unit === wanted && this.#generation === generation) this.#trace = reply.trace;
    } catch (error) {
      this.#error = sentence(error);
    } finally {
      this.#unitBusy = false;
    }
    if (this.#unit !== wanted || this.#generation !== generation) await this.#askUnit();
  }

  async #askMemory(): Promise<void> {
    if (this.#memoryBusy || !this.#view || this.#view.probe.length === 0) return;
    // The last character predicts nothing the probe holds: the panel says so instead of asking.
    if (this.#focus >= this.#view.probe.length - 1) return void (this.#memory = null);
    this.#memoryBusy = true;
    const [at, generation] = [this.#focus, this.#generation];
    try {
      const reply = await this.host.request({ type: 'inside-memory', at });
      if (this.#focus === at && this.#generation === generation) this.#memory = reply.memory;
      this.#error = null; // an earlier refusal no longer describes what is shown
    } catch (error) {
      this.#error = sentence(error);
    } finally {
      this.#memoryBusy = false;
    }
    if (this.#focus !== at || this.#generation !== generation) await this.#askMemory();
  }
}

function sentence(error: unknown): string | null {
  if (error instanceof WorkerRequestError) return error.code === 'superseded' ? null : error.message;
  return `Looking inside failed: ${error instanceof Error ? error.message : String(error)}.`;
}
