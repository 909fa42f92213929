/**
 * Writes the base's three files from the run's current weights, with the held-out figures
 * measured on exactly what was written (float16 weights read back through the app's decoder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { namedWeights } from '../../src/engine/model';
import type { RunState } from '../../src/run/run-state';
import {
  BASE_FILES,
  BASE_FORMAT,
  baseFiles,
  validateBaseMeta,
  type BaseMeta,
  type CurvePoint,
} from '../../src/storage/base-model';
import { heldOutFigures } from './held-out';
import { sha256Hex } from '../../src/storage/sha256';
import type { Source } from './sources';
import type { PretrainOptions } from './options';

interface Context {
  train: Source[];
  heldOut: Source;
  heldIds: Int32Array;
  seconds: number;
  chars: number; // characters read over every stage
  opts: PretrainOptions;
  command: string; // every stage's command line, in order
  curve: CurvePoint[]; // held-out estimates so far
}

export async function writeBase(state: RunState, c: Context): Promise<BaseMeta> {
  const weights = await Promise.all(
    namedWeights(state.model).map(async ([name, v]) => ({
      name,
      shape: v.shape.slice(),
      values: Float32Array.from(await v.data()),
    })),
  );
  // Dropout is a stage's training option (its command records it), not part of the model people load.
  const config = { ...state.model.config, dropout: 0 };
  const { modelJson, weightsBin } = await baseFiles(config, weights);
  const sourceMb = c.train.reduce((n, s) => n + s.meta.chars, 0) / 1e6;
  const t = state.settings.train;
  const meta: BaseMeta = {
    format: BASE_FORMAT,
    version: 1,
    name: `English base (pretrained on ${sourceMb.toFixed(1)} MB of public-domain books and speeches)`,
    model: config,
    vocab: state.vocab.chars,
    training: {
      seqLen: t.seqLen,
      batchSize: t.batchSize,
      learningRate: t.learningRate,
      steps: state.step,
      seconds: Math.round(c.seconds),
      chars: c.chars,
    },
    sources: c.train.map((s) => s.meta),
    heldOut: c.heldOut.meta,
    valBpc: NaN,
    valBpcRows64: NaN,
    valChars: 0,
    weights: { bytes: weightsBin.byteLength, sha256: await sha256Hex(weightsBin) },
    fineTuneLearningRate: 0.002,
    command: c.command,
    curve: c.curve,
    createdAt: new Date().toISOString(),
  };
  Object.assign(meta, await heldOutFigures(meta, modelJson, weightsBin, c.heldIds));
  validateBaseMeta(meta);
  mkdirSync(c.opts.out, { recursive: true });
  writeFileSync(join(c.opts.out, BASE_FILES.weights), weightsBin);
  writeFileSync(join(c.opts.out, BASE_FILES.model), JSON.stringify(modelJson));
  writeFileSync(join(c.opts.out, BASE_FILES.meta), JSON.stringify(meta, null, 1) + '\n');
  console.log(`wrote ${c.opts.out}: held-out ${meta.valBpc} bits/char (rows of 64: ${meta.valBpcRows64})`);
  return meta;
}
