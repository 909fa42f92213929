/**
 * `--from DIR`: a pretraining stage that starts from a written base (its float16 weights, step,
 * training seconds and stage commands) instead of a checkpoint, with a fresh optimizer. It lets a
 * base be trained further where its checkpoint is gone, e.g. on another machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignWeights } from '../../src/engine/model';
import { RunState, type CorpusRef } from '../../src/run/run-state';
import type { Vocab } from '../../src/data/vocab';
import type { Settings } from '../../src/config/settings';
import { BASE_FILES, decodeBaseWeights, validateBaseMeta, type CurvePoint } from '../../src/storage/base-model';

/** A run to continue pretraining, from a checkpoint or a written base. */
export interface Restored {
  state: RunState;
  seconds: number; // training seconds already spent, which the schedule counts against --hours
  chars: number; // characters read so far (rows × length × steps, summed over stages, whose rows may differ)
  stages: string[]; // every earlier stage's command
  curve: CurvePoint[]; // the held-out estimates so far, so the published curve goes on where it stopped
}

/** A run holding the base in `dir`; throws if its architecture or vocabulary differ from the options'. */
export async function restoreFromBase(
  dir: string,
  corpus: CorpusRef,
  vocab: Vocab,
  settings: Settings,
): Promise<Restored> {
  const meta = validateBaseMeta(JSON.parse(readFileSync(join(dir, BASE_FILES.meta), 'utf8')));
  const { units, layers, embedDim } = settings.model;
  const m = meta.model;
  if (m.units !== units || m.layers !== layers || m.embedDim !== embedDim)
    throw new Error(
      `${dir} holds a ${m.layers}x${m.units} base (embedding ${m.embedDim}); pass the same --units/--layers/--embed`,
    );
  if (meta.vocab.join('') !== vocab.chars.join(''))
    throw new Error(`${dir} has another vocabulary than the pretraining text`);
  const json: unknown = JSON.parse(readFileSync(join(dir, BASE_FILES.model), 'utf8'));
  const weights = await decodeBaseWeights(meta, json, new Uint8Array(readFileSync(join(dir, BASE_FILES.weights))));
  const state = RunState.fresh(corpus, vocab, settings);
  assignWeights(
    state.model,
    weights.map((w) => w.values),
  );
  state.step = meta.training.steps;
  return {
    state,
    seconds: meta.training.seconds,
    chars: meta.training.chars,
    stages: meta.command.split(' && '),
    curve: meta.curve ?? [],
  };
}
