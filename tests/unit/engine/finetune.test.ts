import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { TINY_BASE, tinyBaseFiles } from '../support/base-fixture';
import { layerRates, ULMFIT_DECAY } from '../../../src/engine/finetune';
import { createModel, disposeModel, namedWeights } from '../../../src/engine/model';
import { createOptimizer, trainStep } from '../../../src/engine/train';
import { randomBatch } from '../../../src/data/batching';
import { Rng } from '../../../src/data/rng';
import { BASE_ALPHABET, coverage, foldTypography } from '../../../src/data/alphabet';
import { encode, growVocab, makeVocab, UNKNOWN } from '../../../src/data/vocab';
import { RunState } from '../../../src/run/run-state';
import { BASE_FILES, decodeBaseWeights, validateBaseMeta } from '../../../src/storage/base-model';
import { defaultSettings } from '../../../src/config/settings';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/storage/checkpoint';

const TWO_LAYERS = { vocabSize: 5, embedDim: 3, units: 4, layers: 2, dropout: 0 };
// namedWeights order: embedding, lstm_1 x3, lstm_2 x3, dense x2

describe('layer rates', () => {
  it('all, features and gradual unfreezing with ULMFiT’s discriminative rates', () => {
    expect(layerRates('all', TWO_LAYERS, 0)).toEqual(Array(9).fill(1));
    expect(layerRates('features', TWO_LAYERS, 3)).toEqual([1, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(layerRates('gradual', TWO_LAYERS, 0.5)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const d = 1 / ULMFIT_DECAY;
    expect(layerRates('gradual', TWO_LAYERS, 1)).toEqual([0, 0, 0, 0, d, d, d, 1, 1]);
    expect(layerRates('gradual', TWO_LAYERS, 2.9)).toEqual([0, d * d, d * d, d * d, d, d, d, 1, 1]);
    expect(layerRates('gradual', TWO_LAYERS, 3)).toEqual([ULMFIT_DECAY ** -3, d * d, d * d, d * d, d, d, d, 1, 1]);
  });
});

/** One Adam step on a tiny model with `rates`; each weight's largest change. */
async function oneStep(rates: number[] | undefined, lr = 0.01) {
  const model = createModel(TWO_LAYERS, 3);
  const optimizer = createOptimizer('adam', lr);
  const before = namedWeights(model).map(([, v]) => Float32Array.from(v.dataSync()));
  const rng = new Rng(1);
  const ids = Int32Array.from({ length: 200 }, () => rng.int(5));
  trainStep(model, optimizer, randomBatch(ids, 6, 4, rng), 100, 1, undefined, rates).dispose();
  const after = namedWeights(model).map(([, v]) => Float32Array.from(v.dataSync()));
  optimizer.dispose();
  disposeModel(model);
  return before.map((b, i) => ({ same: b.every((x, k) => Object.is(x, after[i][k])), max: maxDelta(b, after[i]) }));
}

const maxDelta = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('fine-tuning steps', () => {
  beforeAll(useCpu);

  it('frozen weights stay bit-identical; the others change', async () => {
    const features = await oneStep(layerRates('features', TWO_LAYERS, 0));
    expect(features.map((w) => w.same)).toEqual([false, true, true, true, true, true, true, false, false]);
    const gradual = await oneStep(layerRates('gradual', TWO_LAYERS, 1));
    expect(gradual.map((w) => w.same)).toEqual([true, true, true, true, false, false, false, false, false]);
  });

  it('each layer down moves 2.6 times less (Adam’s first step is ± its rate)', async () => {
    const lr = 0.01;
    const steps = await oneStep(layerRates('gradual', TWO_LAYERS, 3), lr);
    const rates = [ULMFIT_DECAY ** -3, ...Array(3).fill(ULMFIT_DECAY ** -2), ...Array(3).fill(1 / ULMFIT_DECAY), 1, 1];
    steps.forEach((w, i) => expect(w.max).toBeCloseTo(lr * rates[i], 5));
  });

  it('with RMSprop, unequal per-layer rates are refused rather than ignored', () => {
    const model = createModel(TWO_LAYERS, 3);
    const optimizer = createOptimizer('rmsprop', 0.01);
    const batch = randomBatch(
      Int32Array.from({ length: 50 }, (_, i) => i % 5),
      6,
      2,
      new Rng(1),
    );
    expect(() => trainStep(model, optimizer, batch, 5, 1, undefined, layerRates('gradual', TWO_LAYERS, 2))).toThrow(
      /Adam/,
    );
    optimizer.dispose();
    disposeModel(model);
  });
});

describe('the vocabulary onto the base', () => {
  beforeAll(useCpu);

  it('keeps every base id, appends the text’s new characters, and folds the rest into UNKNOWN past the cap', () => {
    const base = makeVocab([...BASE_ALPHABET]);
    expect(growVocab(base, 'plain ascii\n')).toBe(base);
    const grown = growVocab(base, 'café → naïve');
    expect(grown.chars.slice(0, base.chars.length)).toEqual(base.chars);
    expect(grown.chars.slice(base.chars.length)).toEqual(['ï', 'é', '→'].sort());
    const capped = growVocab(base, 'éèêë', base.chars.length + 2);
    expect(capped.chars.length).toBe(base.chars.length + 2);
    expect(encode(capped, 'ë')[0]).toBe(capped.unknownId); // the rarest, past the cap
    expect(capped.unknownId).toBe(base.unknownId);
  });

  it('fromBase starts from the base’s exact weights, with new rows only for new characters', async () => {
    const files = await tinyBaseFiles();
    const meta = validateBaseMeta(JSON.parse(new TextDecoder().decode(files[BASE_FILES.meta])));
    const modelJson = JSON.parse(new TextDecoder().decode(files[BASE_FILES.model]));
    const base = { meta, weights: await decodeBaseWeights(meta, modelJson, files[BASE_FILES.weights]) };
    const settings = defaultSettings();
    const corpus = { name: 'c.txt', hash: 'h', chars: 9 };
    const before = tf.memory().numTensors;
    const state = RunState.fromBase(base, corpus, 'déjà vu ', settings, 'gradual');
    expect(state.settings.model).toMatchObject({ units: TINY_BASE.units, embedDim: TINY_BASE.embedDim });
    expect(state.vocab.chars.length).toBe(BASE_ALPHABET.length + 2);
    expect(state.origin).toMatchObject({ mode: 'gradual', addedChars: 2, sha256: meta.weights.sha256 });
    const [embedding, kernel] = namedWeights(state.model).map(([, v]) => v.dataSync());
    const rows = BASE_ALPHABET.length * TINY_BASE.embedDim;
    expect(Array.from(embedding.slice(0, rows))).toEqual(Array.from(base.weights[0].values));
    expect(Array.from(kernel)).toEqual(Array.from(base.weights[1].values));
    const back = decodeCheckpoint(encodeCheckpoint(await state.toCheckpoint('cpu')));
    expect(back.meta.origin).toEqual(state.origin); // the checkpoint says where it came from
    state.dispose();
    expect(tf.memory().numTensors).toBe(before); // the model, its optimizer and the checkpoint's reads all freed
  });

  it('coverage counts what the base alphabet lacks and what folding would fix', () => {
    const fit = coverage('“Hi” — ok… Привет', BASE_ALPHABET);
    expect(fit.newChars).toContain('П');
    expect(fit.foldable).toBe(4); // “ ” — …
    expect(foldTypography('“Hi” — it’s…\r\n')).toBe('"Hi" -- it\'s...\n');
    expect(UNKNOWN).toBe(BASE_ALPHABET.at(-1));
  });
});

describe('streamed bits/char', () => {
  beforeAll(useCpu);

  it('equals the zero-state estimate for one row per stretch, and leaves no tensors behind', async () => {
    const { streamBpc, estimateBpc } = await import('../../../src/engine/train');
    const { batchAt } = await import('../../../src/data/batching');
    const model = createModel(TWO_LAYERS, 5);
    const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 7) % 5);
    const one = await streamBpc(model, ids, 4, 8, 8);
    const starts = [0, 1, 2, 3].map((i) => Math.round((i * (400 - 8 - 1)) / 3));
    expect(one).toBeCloseTo(await estimateBpc(model, [batchAt(ids, starts, 8)]), 5);
    const before = tf.memory().numTensors;
    const carried = await streamBpc(model, ids, 4, 64, 8);
    expect(Number.isFinite(carried)).toBe(true);
    expect(tf.memory().numTensors).toBe(before); // the carried state is disposed
    disposeModel(model);
  });
});
