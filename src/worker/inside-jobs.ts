/**
 * Look inside, in the worker: reads a probe with the model asked for, keeps the reading so that a
 * unit's trace or a character's memory needs no new pass, and answers the page. A probe runs
 * between the training loop's awaits like any other request: its ops are queued in one go, so it
 * never sees a half-applied step.
 */
import * as tf from '@tensorflow/tfjs';
import { applyTextOptions } from '../data/corpus';
import { decode, encode, makeVocab, type Vocab } from '../data/vocab';
import { defaultSettings, type Settings } from '../config/settings';
import {
  MAX_PROBE,
  gateSaturation,
  meanBits,
  memoryAt,
  rankCells,
  readProbe,
  unitTrace,
  type ProbeReading,
} from '../engine/inside';
import type { InsideModel, UnitChoice, UnitTrace } from '../engine/inside-types';
import { assignWeights, createModel, disposeModel, type CharModel } from '../engine/model';
import type { LoadedBase } from '../run/run-state';
import { RequestError } from './errors';
import type { Request, WorkerEvent } from './protocol';
import type { LoadedCorpus } from './run-starts';

type Req<T extends Request['type']> = Extract<Request, { type: T }>;

// characters read before a validation stretch, so that even its first ones are predicted from context
export const PROBE_CONTEXT = 100;
export const DEFAULT_PROBE = 2000; // characters of the validation text shown by default

/** A model the page can look inside, with what describes it. */
export interface Inspectable {
  model: CharModel;
  vocab: Vocab;
  name: string;
  step: number;
  settings: Settings | null; // the run's (its text options and validation share), when it has a run
}

/** What the handler has in hand, read when a request comes. */
export interface InsideSources {
  hand: () => Inspectable | null;
  race: (lane: 'scratch' | 'base') => Inspectable | null;
  base: () => LoadedBase | null;
  corpus: () => LoadedCorpus | null;
}

/**
 * The probe: the person's text, or a stretch of the loaded text's validation split (from a line
 * start near its beginning) with up to PROBE_CONTEXT characters before it as context.
 */
export function probeOf(text: string | null, corpus: LoadedCorpus | null, settings: Settings | null, vocab: Vocab) {
  if (text !== null) {
    const shown = [...text].slice(0, MAX_PROBE).join('');
    if (shown.length < 2) throw new RequestError('settings', 'Type or paste at least two characters to look inside.');
    return { ids: encode(vocab, shown), context: 0, fromValidation: false };
  }
  if (!corpus) throw new RequestError('no-corpus', 'Load a text first: Look inside reads a stretch of it.');
  const s = settings ?? defaultSettings();
  const all = applyTextOptions(corpus.text, s.text);
  const ids = encode(vocab, all);
  let cut = ids.length - Math.max(1, Math.round(ids.length * s.train.valFraction));
  const newline = all.indexOf('\n', cut);
  if (newline >= 0 && newline - cut < 200 && newline + 1 < ids.length - 1) cut = newline + 1;
  const start = Math.max(0, cut - PROBE_CONTEXT);
  const end = Math.min(ids.length, cut + DEFAULT_PROBE);
  if (end - cut < 2) throw new RequestError('no-corpus', 'The validation text is too short to look inside.');
  return { ids: ids.slice(start, end), context: cut - start, fromValidation: true };
}

export class InsideJobs {
  #last: { reading: ProbeReading; model: CharModel } | null = null;
  #base: { sha256: string; model: CharModel } | null = null; // the English base, built once when asked for
  #stretch: { corpus: LoadedCorpus; key: string; probe: ReturnType<typeof probeOf> } | null = null;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    private readonly sources: InsideSources,
  ) {}

  async inside(req: Req<'inside'>): Promise<void> {
    const started = performance.now();
    const target = this.#resolve(req.model);
    const probe = this.#probe(req.probe, target);
    const reading = await readProbe(target.model, probe.ids, probe.context);
    this.#last = { reading, model: target.model };
    const text = decode(target.vocab, probe.ids.subarray(probe.context));
    const cells = await rankCells(reading, text);
    const best = cells[0] ?? { layer: 0, kind: 'c', unit: 0 };
    const trace = traceOr(reading, req.unit, best);
    const at = req.at;
    const memory =
      at !== undefined && Number.isInteger(at) && at >= 0 && at < text.length - 1
        ? await memoryAt(target.model, reading, at)
        : null; // none asked for, or none to show: the page asks again for its focus
    this.post({
      type: 'inside',
      id: req.id,
      trace,
      memory,
      view: {
        model: req.model,
        modelName: target.name,
        step: target.step,
        probe: text,
        fromValidation: probe.fromValidation,
        bits: reading.bits,
        bpc: meanBits(reading.bits),
        topIds: reading.topIds,
        topProbs: reading.topProbs,
        vocab: target.vocab.chars,
        layers: reading.layers,
        units: reading.units,
        cells,
        gates: gateSaturation(reading),
        ms: performance.now() - started,
      },
    });
  }

  unit(req: Req<'inside-unit'>): void {
    const reading = this.#requireReading();
    try {
      this.post({ type: 'inside-unit', id: req.id, trace: unitTrace(reading, req.layer, req.kind, req.unit) });
    } catch {
      throw new RequestError('settings', `This model has no such unit: layer ${req.layer + 1}, unit ${req.unit}.`);
    }
  }

  async memory(req: Req<'inside-memory'>): Promise<void> {
    const last = this.#last;
    if (!last) throw new RequestError('no-model', 'Look inside a text first.');
    const shown = last.reading.ids.length - last.reading.context;
    if (!(Number.isInteger(req.at) && req.at >= 0 && req.at < shown - 1))
      throw new RequestError(
        'settings',
        'Choose a character that has a next one to see what its prediction looked back at.',
      );
    if (isDisposed(last.model)) throw new RequestError('no-model', 'That model is gone: look inside again.');
    this.post({ type: 'inside-memory', id: req.id, memory: await memoryAt(last.model, last.reading, req.at) });
  }

  // The validation stretch needs the whole text encoded: kept while the text, its options and the
  // vocabulary stay the same (refreshes while training read the same stretch each time).
  #probe(text: string | null, target: Inspectable): ReturnType<typeof probeOf> {
    const corpus = this.sources.corpus();
    if (text !== null || !corpus) return probeOf(text, corpus, target.settings, target.vocab);
    const s = target.settings ?? defaultSettings();
    const key = JSON.stringify([s.text, s.train.valFraction, target.vocab.chars]);
    if (this.#stretch?.corpus !== corpus || this.#stretch.key !== key)
      this.#stretch = { corpus, key, probe: probeOf(null, corpus, target.settings, target.vocab) };
    return this.#stretch.probe;
  }

  #requireReading(): ProbeReading {
    if (!this.#last) throw new RequestError('no-model', 'Look inside a text first.');
    return this.#last.reading;
  }

  #resolve(which: InsideModel): Inspectable {
    switch (which) {
      case 'hand': {
        const hand = this.sources.hand();
        if (!hand)
          throw new RequestError('no-model', 'There is no model in hand yet: press Train, or open a saved run.');
        return hand;
      }
      case 'race-scratch':
      case 'race-base': {
        const lane = this.sources.race(which === 'race-scratch' ? 'scratch' : 'base');
        if (!lane)
          throw new RequestError('no-model', 'Run a race first: then both of its models can be looked inside.');
        return lane;
      }
      case 'base':
        return this.#baseModel();
    }
  }

  /** The English base as downloaded, before any training: built from the loaded base's weights. */
  #baseModel(): Inspectable {
    const base = this.sources.base();
    if (!base) throw new RequestError('base', 'Load the English base first (Start from: English base).');
    if (this.#base?.sha256 !== base.meta.weights.sha256) {
      if (this.#base) disposeModel(this.#base.model);
      const model = createModel(base.meta.model, 1);
      assignWeights(
        model,
        base.weights.map((w) => w.values),
      );
      this.#base = { sha256: base.meta.weights.sha256, model };
    }
    const vocab = makeVocab(base.meta.vocab);
    return {
      model: this.#base.model,
      vocab,
      name: 'the English base, before any training',
      step: base.meta.training.steps,
      settings: null,
    };
  }

  dispose(): void {
    if (this.#base) disposeModel(this.#base.model);
    this.#base = null;
    this.#last = null;
    this.#stretch = null;
  }
}

/** The trace of the unit asked for, or of `best` where there is no such unit (or none was asked). */
function traceOr(reading: ProbeReading, asked: UnitChoice | undefined, best: UnitChoice): UnitTrace {
  if (asked)
    try {
      return unitTrace(reading, asked.layer, asked.kind, asked.unit);
    } catch {
      // a unit of an earlier model: the best cell instead
    }
  return unitTrace(reading, best.layer, best.kind, best.unit);
}

/** A model whose run was replaced since the probe was read. */
const isDisposed = (model: CharModel) => (model.embedding as tf.Variable & { isDisposed: boolean }).isDisposed;
