/**
 * How the worker makes the RunState a `train` or `race` request asks for: from scratch, from the
 * pretrained base, or the open run continued (resumed, or fine-tuned on another text).
 */
import { DEFAULT_BASE, baseEntry, opening, type BaseId } from '../config/bases';
import { defaultSettings, type FineTuneMode, type Settings, type StartFrom } from '../config/settings';
import { applyTextOptions } from '../data/corpus';
import { buildVocab } from '../data/vocab';
import type { Lane } from '../run/race-verdict';
import { RunState, type CorpusRef, type LoadedBase } from '../run/run-state';
import { checkTrainable } from '../run/plan';
import { RequestError } from './errors';
import { TrainingLoop, type LoopHooks } from '../run/training-loop';
import { Race, type RaceHooks } from '../run/race';
import type { SampleSpec } from '../run/events';
import type { Request } from './protocol';

export type LoadedCorpus = CorpusRef & { text: string };

const countChars = (text: string) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

function requireBase(base: LoadedBase | null, id: BaseId = DEFAULT_BASE): LoadedBase {
  if (!base) {
    throw new RequestError(
      'base',
      `${opening(baseEntry(id).noun)} is not loaded yet: choose it under Start from first.`,
    );
  }
  return base;
}

/** Gradual unfreezing's per-layer rates need Adam; RMSprop keeps one rate for all. */
function checkMode(settings: Settings, mode: FineTuneMode): void {
  if (mode === 'gradual' && settings.train.optimizer !== 'adam') {
    throw new RequestError('settings', 'Gradual unfreezing gives each layer its own learning rate: choose Adam.');
  }
}

/** A new run on the loaded text, from scratch or from the base. */
export function newRun(start: StartFrom, settings: Settings, corpus: LoadedCorpus, base: LoadedBase | null) {
  const text = applyTextOptions(corpus.text, settings.text);
  if (start.from === 'scratch') return RunState.fresh(corpus, buildVocab(text).vocab, settings);
  checkMode(settings, start.mode);
  return RunState.fromBase(requireBase(base, start.base), corpus, text, settings, start.mode);
}

/**
 * The open run, continued on the loaded text: its own (resume) or another (fine-tuning). The
 * text is checked against the new settings before anything about the run changes.
 */
export function resumedRun(state: RunState | null, settings: Settings, corpus: LoadedCorpus): RunState {
  if (!state) throw new RequestError('no-model', 'There is no model to resume: open a saved run or train a new one.');
  const own = { ...settings, model: state.settings.model, text: state.settings.text };
  const text = applyTextOptions(corpus.text, own.text);
  checkTrainable(countChars(text), own.train, corpus.name);
  if (state.origin) checkMode(own, state.origin.mode);
  state.settings = own;
  if (corpus.hash !== state.corpus.hash) state.adoptCorpus(corpus, text);
  return state;
}

/**
 * The race's two runs: the same architecture (the base's), text and split; scratch at the
 * default learning rate, the pretrained one at the rate its base proposes.
 */
export function raceRuns(
  settings: Settings,
  corpus: LoadedCorpus,
  base: LoadedBase | null,
  mode: FineTuneMode,
  id: BaseId = DEFAULT_BASE,
) {
  const b = requireBase(base, id);
  const { vocabSize: _, ...architecture } = b.meta.model;
  const model = { ...architecture, dropout: settings.model.dropout };
  const scratchRate = defaultSettings().train.learningRate;
  const scratch = { ...settings, model, train: { ...settings.train, learningRate: scratchRate } };
  const tuned = { ...settings, model, train: { ...settings.train, learningRate: b.meta.fineTuneLearningRate } };
  const runs = {} as Record<Lane, RunState>;
  runs.scratch = newRun({ from: 'scratch' }, scratch, corpus, null);
  try {
    runs.base = newRun({ from: 'base', mode, base: id }, tuned, corpus, b);
  } catch (error) {
    runs.scratch.dispose();
    throw error;
  }
  runs.scratch.name = `${corpus.name} · race, from scratch`;
  runs.base.name = `${corpus.name} · race, from ${baseEntry(id).noun}`;
  return runs;
}

/** The loop that trains `state` on the corpus; a state made for it (not `inHand`) is freed if the loop cannot start. */
export function loopFor(
  state: RunState,
  corpus: LoadedCorpus,
  sample: SampleSpec,
  hooks: LoopHooks,
  inHand: RunState | null,
) {
  try {
    return new TrainingLoop(
      state,
      applyTextOptions(corpus.text, state.settings.text),
      state.settings,
      { ...sample },
      hooks,
    );
  } catch (error) {
    if (state !== inHand) state.dispose();
    throw error;
  }
}

/** A race as asked, with its two runs; both are freed if it cannot start. Samples use one temperature. */
export function raceFor(
  req: Extract<Request, { type: 'race' }>,
  corpus: LoadedCorpus,
  base: LoadedBase | null,
  hooks: RaceHooks,
) {
  const runs = raceRuns(req.settings, corpus, base, req.mode, req.base);
  const sample = { ...req.sample, temperatures: req.sample.temperatures.slice(0, 1) };
  try {
    const text = applyTextOptions(corpus.text, req.settings.text);
    return { race: new Race(runs, text, { seconds: req.seconds, sample, sampleEverySec: 10 }, hooks), runs };
  } catch (error) {
    runs.scratch.dispose();
    runs.base.dispose();
    throw error;
  }
}
