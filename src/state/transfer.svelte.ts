/**
 * Transfer learning in the page: where the next run starts (scratch or one of the English bases
 * of config/bases.ts), how a run from a base fine-tunes, and the race between the two. Choosing a
 * base downloads it (once; cached afterwards), fixes the architecture to its own and proposes its
 * learning rate; going back to scratch restores both.
 */
import { BASES, DEFAULT_BASE, baseEntry, type BaseId } from '../config/bases';
import type { FineTuneMode, Settings, StartFrom } from '../config/settings';
import type { BaseSummary } from '../worker/base-loader';
import { BaseView } from './base.svelte';
import { RaceView } from './race.svelte';
import type { Ask } from './worker-client';

export const RACE_TEMPERATURE = 0.5; // both race models sample at this temperature
const RACE_SAMPLE_LENGTH = 160; // characters per side-by-side sample

/** What Transfer needs from the session. */
export interface TransferHost {
  ask: Ask;
  settings: () => Settings; // the form's live settings (Transfer changes model and learning rate)
  prime: () => string;
  raceStarted: () => void; // a race replaces the model in hand
}

/** What Start from's menu offers: scratch, or one of the catalog's bases. */
export type StartChoice = 'scratch' | BaseId;

export class Transfer {
  startFrom = $state<'scratch' | 'base'>('scratch');
  // The page's base: the one last chosen under Start from (or named by a link). The race and the
  // classifier use it unless their own menus choose another.
  baseId = $state<BaseId>(DEFAULT_BASE);
  raceChoice = $state<BaseId | null>(null); // the race's own menu; null: the page's base
  fineTuneMode = $state<FineTuneMode>('all');
  raceSeconds = $state(60); // training time each model gets in a race
  /** Each base as the page sees it (download progress, figures), fetched only when something asks for it. */
  readonly bases = Object.fromEntries(BASES.map((b) => [b.id, new BaseView()])) as Record<BaseId, BaseView>;
  readonly race = new RaceView();
  #scratch: { model: Settings['model']; learningRate: number } | null = null; // restored on going back

  constructor(private readonly host: TransferHost) {}

  /** The page's base (Start from's, when it starts from one). */
  get base(): BaseView {
    return this.bases[this.baseId];
  }

  /** The base the race runs against. */
  get raceBase(): BaseId {
    return this.raceChoice ?? this.baseId;
  }

  /** What Start from's menu shows. */
  get choice(): StartChoice {
    return this.startFrom === 'scratch' ? 'scratch' : this.baseId;
  }

  /** What a new run's `train` request says about its start. */
  get start(): StartFrom {
    return this.startFrom === 'base'
      ? { from: 'base', mode: this.fineTuneMode, base: this.baseId }
      : { from: 'scratch' };
  }

  /**
   * Scratch, or a base: downloads it (once), then fixes the architecture to its own and proposes
   * its learning rate. A base that cannot be used leaves the page on scratch and its base as before.
   */
  async chooseStart(choice: StartChoice): Promise<void> {
    if (choice === 'scratch') {
      this.startFrom = 'scratch';
      return this.#restoreScratch();
    }
    const before = { startFrom: this.startFrom, baseId: this.baseId };
    [this.startFrom, this.baseId] = ['base', choice];
    const base = await this.#loadBase(choice);
    if (this.startFrom !== 'base' || this.baseId !== choice) return; // chosen otherwise meanwhile
    if (base) return this.#applyBase(base);
    this.baseId = before.baseId;
    this.startFrom = 'scratch';
    if (before.startFrom === 'base') this.#restoreScratch();
  }

  /** The page's base, as a link names it, without loading it (Start from loads it when chosen). */
  preferBase(id: BaseId): void {
    this.baseId = id;
  }

  /** Trains a model from scratch and one from the base on the loaded text, the same seconds each. */
  async startRace(): Promise<void> {
    const id = this.raceBase;
    if (!(await this.#loadBase(id))) return;
    const settings = $state.snapshot(this.host.settings());
    const sample = { prime: this.host.prime(), temperatures: [RACE_TEMPERATURE], length: RACE_SAMPLE_LENGTH };
    const seconds = this.raceSeconds;
    const reply = await this.host.ask({ type: 'race', settings, sample, seconds, mode: this.fineTuneMode, base: id });
    if (!reply) return;
    this.host.raceStarted();
    this.race.started(reply.seconds, reply.plans);
  }

  /** A base (the page's unless named), loaded for another use (the classifier, Look inside): whether it can be used. */
  async ensureBase(id: BaseId = this.baseId): Promise<boolean> {
    return (await this.#loadBase(id)) !== null;
  }

  /** Downloads (or reads from the cache) and checks a base, once; null when it cannot be used. */
  async #loadBase(id: BaseId): Promise<BaseSummary | null> {
    const view = this.bases[id];
    view.loading();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- an address to send, not state
    const url = new URL(baseEntry(id).folder, document.baseURI).href;
    // Asked even when the page has it: the worker may have restarted, and Look inside opens the base last asked for.
    const reply = await this.host.ask({ type: 'load-base', url, base: id });
    const summary = reply?.base ?? null;
    view.settle(summary && view.summary ? view.summary : summary); // as the first load said: downloaded or cached
    return summary;
  }

  #applyBase(base: BaseSummary): void {
    const settings = this.host.settings();
    const { embedDim, units, layers } = base.model;
    this.#scratch ??= { model: { ...settings.model }, learningRate: settings.train.learningRate };
    settings.model = { embedDim, units, layers, dropout: settings.model.dropout };
    settings.train.learningRate = base.fineTuneLearningRate;
  }

  #restoreScratch(): void {
    if (!this.#scratch) return;
    const settings = this.host.settings();
    settings.model = this.#scratch.model;
    settings.train.learningRate = this.#scratch.learningRate;
    this.#scratch = null;
  }
}
