/**
 * Writes the base's three files from the run's current weights, then measures the held-out
 * bits/char on exactly what was written (float16 weights read back through the app's decoder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalBatches } from '../../src/data/batching';
import { assignWeights, createModel, disposeModel, namedWeights } from '../../src/engine/model';
import { estimateBpc } from '../../src/engine/train';
import type { RunState } from '../../src/run/run-state';
import {
  BASE_FILES,
  BASE_FORMAT,
  baseFiles,
  decodeBaseWeights,
  validateBaseMeta,
  type BaseMeta,
} from '../../src/storage/base-model';
import { sha256Hex } from '../../src/storage/sha256';
import type { Source } from './sources';
import type { PretrainOptions } from './options';

export const EVAL_SEQ = 64; // the app's default sequence length: the figure a person will compare with
const EVAL_ROWS = 64;
const EVAL_BATCHES = 64; // 64 x 64 x 64 = 262 K characters, spread evenly over the held-out book

interface Context {
  train: Source[];
  heldOut: Source;
  heldIds: Int32Array;
  seconds: number;
  opts: PretrainOptions;
}

async function heldOutBpc(meta: BaseMeta, json: unknown, bin: Uint8Array, heldIds: Int32Array): Promise<number> {
  const weights = await decodeBaseWeights(meta, json, bin);
  const model = createModel(meta.model, 1);
  try {
    assignWeights(
      model,
      weights.map((w) => w.values),
    );
    return await estimateBpc(model, evalBatches(heldIds, EVAL_SEQ, EVAL_ROWS, EVAL_BATCHES));
  } finally {
    disposeModel(model);
  }
}

export async function writeBase(state: RunState, c: Context): Promise<BaseMeta> {
  const weights = await Promise.all(
    namedWeights(state.model).map(async ([name, v]) => ({
      name,
      shape: v.shape.slice(),
      values: Float32Array.from(await v.data()),
    })),
  );
  const { modelJson, weightsBin } = await baseFiles(state.model.config, weights);
  const sourceMb = c.train.reduce((n, s) => n + s.meta.chars, 0) / 1e6;
  const t = state.settings.train;
  const meta: BaseMeta = {
    format: BASE_FORMAT,
    version: 1,
    name: `English base (pretrained on ${sourceMb.toFixed(1)} MB of public-domain books and speeches)`,
    model: state.model.config,
    vocab: state.vocab.chars,
    training: {
      seqLen: t.seqLen,
      batchSize: t.batchSize,
      learningRate: t.learningRate,
      steps: state.step,
      seconds: Math.round(c.seconds),
      chars: state.step * t.seqLen * t.batchSize,
    },
    sources: c.train.map((s) => s.meta),
    heldOut: c.heldOut.meta,
    valBpc: NaN,
    valChars: EVAL_SEQ * EVAL_ROWS * EVAL_BATCHES,
    weights: { bytes: weightsBin.byteLength, sha256: await sha256Hex(weightsBin) },
    fineTuneLearningRate: 0.002,
    command: `npm run pretrain -- --hours ${c.opts.hours}`,
    createdAt: new Date().toISOString(),
  };
  meta.valBpc = Number((await heldOutBpc(meta, modelJson, weightsBin, c.heldIds)).toFixed(4));
  validateBaseMeta(meta);
  mkdirSync(c.opts.out, { recursive: true });
  writeFileSync(join(c.opts.out, BASE_FILES.weights), weightsBin);
  writeFileSync(join(c.opts.out, BASE_FILES.model), JSON.stringify(modelJson));
  writeFileSync(join(c.opts.out, BASE_FILES.meta), JSON.stringify(meta, null, 1) + '\n');
  console.log(`wrote ${c.opts.out}: held-out ${meta.valBpc} bits/char over ${meta.valChars} characters`);
  return meta;
}
