/**
 * Transfer learning in the page: where the next run starts (scratch or the English base), how a
 * run from the base fine-tunes, and the race between the two. Choosing the base downloads it
 * (once; cached afterwards), fixes the architecture to its own and proposes its learning rate;
 * going back to scratch restores both.
 */
import type { FineTuneMode, Settings, StartFrom } from '../config/settings';
import type { BaseSummary } from '../worker/base-loader';
import { BaseView } from './base.svelte';
import { RaceView } from './race.svelte';
import type { Ask } from './worker-client';

export const RACE_TEMPERATURE = 0.5; // both race models sample at this temperature
const BASE_FOLDER = 'models/base-en/'; // the pretrained base's files, relative to the page
const RACE_SAMPLE_LENGTH = 160; // characters per side-by-side sample

/** What Transfer needs from the session. */
export interface TransferHost {
  ask: Ask;
  settings: () => Settings; // the form's live settings (Transfer changes model and learning rate)
  prime: () => string;
  raceStarted: () => void; // a race replaces the model in hand
}

export class Transfer {
  startFrom = $state<'scratch' | 'base'>('scratch');
  fineTuneMode = $state<FineTuneMode>('all');
  raceSeconds = $state(60); // training time each model gets in a race
  readonly base = new BaseView();
  readonly race = new RaceView();
  #scratch: { model: Settings['model']; learningRate: number } | null = null; // restored on going back

  constructor(private readonly host: TransferHost) {}

  /** What a new run's `train` request says about its start. */
  get start(): StartFrom {
    return this.startFrom === 'base' ? { from: 'base', mode: this.fineTuneMode } : { from: 'scratch' };
  }

  async chooseStart(from: 'scratch' | 'base'): Promise<void> {
    this.startFrom = from;
    if (from === 'scratch') return this.#restoreScratch();
    const base = await this.#loadBase();
    if (!base) this.startFrom = 'scratch';
    else if (this.startFrom === 'base') this.#applyBase(base);
  }

  /** Trains a model from scratch and one from the base on the loaded text, the same seconds each. */
  async startRace(): Promise<void> {
    if (!(await this.#loadBase())) return;
    const settings = $state.snapshot(this.host.settings());
    const sample = { prime: this.host.prime(), temperatures: [RACE_TEMPERATURE], length: RACE_SAMPLE_LENGTH };
    const seconds = this.raceSeconds;
    const reply = await this.host.ask({ type: 'race', settings, sample, seconds, mode: this.fineTuneMode });
    if (!reply) return;
    this.host.raceStarted();
    this.race.started(reply.seconds, reply.plans);
  }

  /** The base, loaded for another use (the classifier): whether it can be used. */
  async ensureBase(): Promise<boolean> {
    return (await this.#loadBase()) !== null;
  }

  /** Downloads (or reads from the cache) and checks the base, once; null when it cannot be used. */
  async #loadBase(): Promise<BaseSummary | null> {
    if (this.base.summary) return this.base.summary;
    this.base.loading();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- an address to send, not state
    const url = new URL(BASE_FOLDER, document.baseURI).href;
    const reply = await this.host.ask({ type: 'load-base', url });
    this.base.settle(reply?.base ?? null);
    return reply?.base ?? null;
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
