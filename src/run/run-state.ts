/**
 * Everything a checkpoint captures about a run: model, optimizer, vocabulary, RNG, step, loss
 * history and best-validation weights. Made fresh, or restored from a checkpoint on any backend.
 */
import * as tf from '@tensorflow/tfjs';
import { CHECKPOINT_VERSION, type Checkpoint, type History, type NamedArray } from '../storage/checkpoint';
import { baseEntry, type BaseId } from '../config/bases';
import type { FineTuneMode, Settings } from '../config/settings';
import type { BaseMeta } from '../storage/base-model';
import {
  assignWeights,
  createModel,
  disposeModel,
  extendVocabulary,
  namedWeights,
  type CharModel,
} from '../engine/model';
import { Rng } from '../data/rng';
import { layerRates } from '../engine/finetune';
import { newRunId } from '../storage/ids';
import { createOptimizer } from '../engine/train';
import { growVocab, makeVocab, type Vocab } from '../data/vocab';
import type { Best } from './patience';
import type { TimelineEntry } from '../engine/inside-types';

export interface CorpusRef {
  name: string;
  hash: string; // SHA-256 of the decoded text, hex
  chars: number;
}

/** The pretrained base a fine-tuned run started from, and how it trains (kept in its checkpoints). */
export interface RunOrigin {
  base: string; // the base's name
  baseId?: string; // which of the catalog's bases (config/bases.ts); absent in runs from before there were two
  sha256: string; // of the base's weights file: which base, exactly
  mode: FineTuneMode;
  addedChars: number; // characters of the text the base had no row for, added at the start
}

/** A decoded base model: its description and float32 weights (see storage/base-model.ts). */
export interface LoadedBase {
  meta: BaseMeta;
  weights: NamedArray[];
  id?: BaseId; // which of the catalog's bases, where it came from the catalog
}

export class RunState {
  name: string;
  origin: RunOrigin | null = null; // set when the run started from the pretrained base
  bestValBpc: number | null = null;
  bestStep: number | null = null;
  step = 0;
  history: History = { train: [], val: [] };
  timeline: TimelineEntry[] = []; // how the writing grew (engine/timeline.ts)
  #best: tf.Tensor[] | null = null; // device copies of the best-validation weights

  private constructor(
    readonly runId: string,
    readonly createdAt: number,
    public corpus: CorpusRef,
    public vocab: Vocab,
    public model: CharModel,
    public optimizer: tf.Optimizer,
    readonly rng: Rng,
    public settings: Settings,
  ) {
    this.name = `${corpus.name} · ${settings.model.layers}×${settings.model.units}`;
  }

  static fresh(corpus: CorpusRef, vocab: Vocab, settings: Settings): RunState {
    const model = createModel({ ...settings.model, vocabSize: vocab.chars.length }, settings.train.seed);
    const optimizer = createOptimizer(settings.train.optimizer, settings.train.learningRate);
    return new RunState(
      newRunId(),
      Date.now(),
      corpus,
      vocab,
      model,
      optimizer,
      new Rng(settings.train.seed),
      settings,
    );
  }

  /**
   * A run starting from the base's weights on `text`: the base's architecture (settings.model is
   * overwritten with it), its vocabulary plus a row for each character of the text it lacks.
   */
  static fromBase(base: LoadedBase, corpus: CorpusRef, text: string, settings: Settings, mode: FineTuneMode) {
    const { vocabSize, ...architecture } = base.meta.model;
    const ownSettings = { ...settings, model: { ...architecture, dropout: settings.model.dropout } };
    const state = RunState.fresh(corpus, makeVocab(base.meta.vocab), ownSettings);
    assignWeights(
      state.model,
      base.weights.map((w) => w.values),
    );
    const grown = growVocab(state.vocab, text);
    const added = grown.chars.length - vocabSize;
    if (added > 0) state.#grow(grown);
    const { name, weights } = base.meta;
    state.origin = {
      base: name,
      ...(base.id ? { baseId: base.id } : {}),
      sha256: weights.sha256,
      mode,
      addedChars: added,
    };
    state.name = `${corpus.name} · from ${base.id ? baseEntry(base.id).noun : 'the English base'}`;
    return state;
  }

  /** Rebuilds the run on the current backend from a decoded checkpoint. */
  static async fromCheckpoint(c: Checkpoint): Promise<RunState> {
    const { meta } = c;
    const model = createModel(meta.model, meta.settings.train.seed);
    assignWeights(
      model,
      c.weights.map((w) => w.values),
    );
    const optimizer = createOptimizer(meta.settings.train.optimizer, meta.settings.train.learningRate);
    if (c.optimizer.length > 0) {
      const tensors = c.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(o.values, o.shape) }));
      await optimizer.setWeights(tensors);
      tf.dispose(tensors.map((t) => t.tensor));
    }
    const rng = new Rng(0);
    rng.state = meta.rngState;
    const state = new RunState(
      meta.runId,
      meta.createdAt,
      meta.corpus,
      makeVocab(meta.vocab),
      model,
      optimizer,
      rng,
      meta.settings,
    );
    Object.assign(state, {
      name: meta.name,
      step: meta.step,
      history: meta.history,
      bestValBpc: meta.bestValBpc,
      bestStep: meta.bestStep,
      origin: meta.origin ?? null,
      timeline: meta.timeline ?? [],
    });
    if (c.best.length > 0) state.#best = c.best.map((b) => tf.tensor(b.values, b.shape));
    return state;
  }

  /**
   * Continues on another text (fine-tuning): characters it has not seen get new embedding and
   * softmax rows; the optimizer restarts when the shapes change. Returns how many were added.
   */
  adoptCorpus(corpus: CorpusRef, text: string): number {
    const grown = growVocab(this.vocab, text);
    const added = grown.chars.length - this.vocab.chars.length;
    if (added > 0) this.#grow(grown);
    if (corpus.hash !== this.corpus.hash) {
      // the best so far was measured on the other text: this one's validation starts afresh
      this.#dropBest();
      this.bestValBpc = null;
      this.bestStep = null;
    }
    this.corpus = corpus;
    return added;
  }

  /** New embedding and softmax rows for the characters `vocab` adds; the optimizer restarts. */
  #grow(vocab: Vocab): void {
    this.vocab = vocab;
    this.model = extendVocabulary(this.model, vocab.chars.length, this.settings.train.seed + this.step);
    this.optimizer.dispose();
    this.optimizer = createOptimizer(this.settings.train.optimizer, this.settings.train.learningRate);
    this.#dropBest();
  }

  /**
   * Per-weight learning-rate shares for a step in `epoch` when fine-tuning the base in a mode that
   * freezes or scales layers (see engine/finetune.ts); undefined when every weight learns fully.
   */
  ratesAt(epoch: number): number[] | undefined {
    const mode = this.origin?.mode;
    return mode && mode !== 'all' ? layerRates(mode, this.model.config, epoch) : undefined;
  }

  /** Records an estimate; keeps a copy of the weights when validation loss is the best so far. */
  recordEstimate(step: number, valBpc: number, trainBpc: number): void {
    this.history.val.push([step, valBpc, trainBpc]);
    if (this.bestValBpc !== null && valBpc >= this.bestValBpc) return;
    this.bestValBpc = valBpc;
    this.bestStep = step;
    this.#dropBest();
    this.#best = namedWeights(this.model).map(([, v]) => tf.clone(v));
  }

  /** The best check so far, with the training figure measured with it; null before any. */
  get best(): Best | null {
    if (this.bestValBpc === null || this.bestStep === null) return null;
    const at = this.history.val.find(([step, val]) => step === this.bestStep && val === this.bestValBpc);
    return { step: this.bestStep, valBpc: this.bestValBpc, trainBpc: at?.[2] ?? this.bestValBpc };
  }

  /** Whether the weights in hand are not the best-validation copy (a later, worse check was recorded). */
  get pastBest(): boolean {
    const last = this.history.val.at(-1);
    return this.#best !== null && last !== undefined && last[0] !== this.bestStep;
  }

  /**
   * Makes the best-validation weights the model in hand, bit for bit (the optimizer's moments stay:
   * Continue training goes on from the best weights). Returns false when there is no copy to restore.
   */
  restoreBest(): boolean {
    if (!this.#best) return false;
    const best = this.#best;
    namedWeights(this.model).forEach(([, v], i) => v.assign(best[i]));
    return true;
  }

  #dropBest(): void {
    if (this.#best) tf.dispose(this.#best);
    this.#best = null;
  }

  /** Reads every tensor back from the device into a checkpoint. */
  async toCheckpoint(backend: string): Promise<Checkpoint> {
    const read = async (name: string, t: tf.Tensor): Promise<NamedArray> => ({
      name,
      shape: t.shape.slice(),
      values: Float32Array.from(await t.data()),
    });
    const named = namedWeights(this.model);
    const weights = await Promise.all(named.map(([name, v]) => read(name, v)));
    const best = this.#best ? await Promise.all(this.#best.map((t, i) => read(named[i][0], t))) : [];
    const slots = await this.optimizer.getWeights();
    const optimizer = await Promise.all(slots.map((s) => read(s.name, s.tensor)));
    tf.dispose(slots.filter((s) => s.name === 'iter').map((s) => s.tensor)); // a fresh scalar each call
    const now = Date.now();
    const meta = {
      format: 'inkling-checkpoint' as const,
      version: CHECKPOINT_VERSION,
      runId: this.runId,
      name: this.name,
      model: this.model.config,
      settings: this.settings,
      vocab: this.vocab.chars,
      step: this.step,
      rngState: this.rng.state,
      bestValBpc: this.bestValBpc,
      bestStep: this.bestStep,
      history: this.history,
      corpus: this.corpus,
      ...(this.origin ? { origin: this.origin } : {}),
      timeline: this.timeline,
      backend,
      createdAt: this.createdAt,
      updatedAt: now,
      tensors: { weights: [], best: [], optimizer: [] },
    };
    return { meta, weights, best, optimizer };
  }

  dispose(): void {
    this.#dropBest();
    this.optimizer.dispose();
    disposeModel(this.model);
  }
}
