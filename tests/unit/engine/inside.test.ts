/**
 * Look inside (engine/inside.ts): the panel's activations are the training forward pass's, the
 * cell ranking finds a planted quote unit, and the memory view is the gradient finite
 * differences measure.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { patchWasmKernels } from '../../../src/engine/kernels/wasm/replaced';
import {
  assignWeights,
  createModel,
  disposeModel,
  embed,
  forward,
  lstmLayer,
  namedWeights,
  useLstmPath,
  type CharModel,
} from '../../../src/engine/model';
import { gateSaturation, memoryAt, rankCells, readProbe, unitTrace } from '../../../src/engine/inside';
import { FEATURES, correlation } from '../../../src/data/text-features';

afterEach(() => void useLstmPath('fused'));

const config = { vocabSize: 13, embedDim: 5, units: 8, layers: 2, dropout: 0 };
const ids = Int32Array.from({ length: 90 }, (_, i) => (i * 7 + (i >> 2)) % 13);

describe.each(['cpu', 'wasm'])('the panel reads what training computes, on %s', (backend) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend(backend);
    if (backend === 'wasm') patchWasmKernels();
  });

  it("gives the training forward's bits and every layer's h within 1e-5, and gates that make c and h", async () => {
    const model = createModel(config, 4);
    const before = tf.memory().numTensors;
    const reading = await readProbe(model, ids, 10);
    expect(tf.memory().numTensors).toBe(before);
    // bits: from the logits of the training forward (fused path) on the same ids
    const logp = tf.tidy(() => tf.logSoftmax(forward(model, tf.tensor2d(ids, [1, ids.length], 'int32')).logits));
    const lp = logp.dataSync();
    logp.dispose();
    const V = config.vocabSize;
    for (let s = 0; s < ids.length - 10; s++) {
      const t = 10 + s;
      expect(Math.abs(reading.bits[s] - -lp[(t - 1) * V + ids[t]] / Math.LN2)).toBeLessThan(1e-5);
    }
    // h of every layer at every timestep: against the autodiff reference (stock tfjs ops)
    useLstmPath('autodiff');
    const hs = tf.tidy(() => {
      let x = embed(model, tf.tensor2d(ids, [1, ids.length], 'int32'));
      const zero = tf.zeros([1, config.units]) as tf.Tensor2D;
      return model.lstm.map((w) => (x = lstmLayer(x, w, zero, zero).out).dataSync());
    });
    useLstmPath('fused');
    for (let layer = 0; layer < config.layers; layer++) {
      for (let unit = 0; unit < config.units; unit++) {
        const h = unitTrace(reading, layer, 'h', unit).values;
        for (let s = 0; s < h.length; s++)
          expect(Math.abs(h[s] - hs[layer][(10 + s) * config.units + unit])).toBeLessThan(1e-5);
        // the gates as kept: c' = f·c + i·g and h = o·tanh(c')
        const [c, i, f, g, o] = (['c', 'i', 'f', 'g', 'o'] as const).map(
          (kind) => unitTrace(reading, layer, kind, unit).values,
        );
        for (let s = 1; s < h.length; s++) {
          expect(Math.abs(c[s] - (f[s] * c[s - 1] + i[s] * g[s]))).toBeLessThan(1e-5);
          expect(Math.abs(h[s] - o[s] * Math.tanh(c[s]))).toBeLessThan(1e-5);
        }
      }
    }
    disposeModel(model);
  });

  it('lists five next characters after each, best first, with probabilities that sum to at most 1', async () => {
    const model = createModel(config, 5);
    const reading = await readProbe(model, ids.subarray(0, 30));
    expect(Number.isNaN(reading.bits[0])).toBe(true); // nothing before the first character
    for (let s = 0; s < 30; s++) {
      const probs = Array.from(reading.topProbs.subarray(s * 5, s * 5 + 5));
      expect(probs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
      expect([...probs].sort((a, b) => b - a)).toEqual(probs);
      expect(new Set(reading.topIds.subarray(s * 5, s * 5 + 5)).size).toBe(5);
    }
    disposeModel(model);
  });
});

/**
 * One layer whose unit 0 flips its cell state on every double quote: on a quote the forget gate
 * closes, the input gate opens and g = tanh(K(0.5 − h)) writes +1 when the cell was outside
 * (c ≤ 0) and −1 when inside; elsewhere f = 1, i = 0 keep c. The other units are random.
 */
function plantedQuoteModel(chars: string[]): CharModel {
  const V = chars.length;
  const U = 6;
  const model = createModel({ vocabSize: V, embedDim: V, units: U, layers: 1, dropout: 0 }, 9);
  const values = namedWeights(model).map(([, v]) => Float32Array.from(v.dataSync()));
  const [embedding, kernel, recurrent, bias] = values;
  embedding.fill(0);
  for (let v = 0; v < V; v++) embedding[v * V + v] = 1; // one-hot inputs
  const q = chars.indexOf('"');
  const K = 40;
  for (let row = 0; row < V; row++) for (const col of [0, U, 2 * U, 3 * U]) kernel[row * 4 * U + col] = 0;
  for (let row = 0; row < U; row++) for (const col of [0, U, 2 * U, 3 * U]) recurrent[row * 4 * U + col] = 0;
  kernel[q * 4 * U + 0] = 40; // i: open on a quote
  bias[0] = -20;
  kernel[q * 4 * U + U] = -40; // f: close on a quote
  bias[U] = 20;
  recurrent[0 * 4 * U + 2 * U] = -K; // g: the opposite of where the cell was
  bias[2 * U] = 0.5 * K;
  bias[3 * U] = 20; // o: open
  assignWeights(model, values);
  return model;
}

describe('cells worth a look', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  it('rank a unit wired to flip on quotes first for "inside quotes", with r > 0.9', async () => {
    const text =
      'He said "stop here" and she said "no, go on" then left. "Why?" he asked, and she said "because" again.\n' +
      'The end of the line "is near" they said, "or far".';
    const chars = [...new Set(text)].sort();
    const model = plantedQuoteModel(chars);
    const reading = await readProbe(
      model,
      Int32Array.from(text, (ch) => chars.indexOf(ch)),
    );
    const cells = await rankCells(reading, text);
    const quotes = cells.filter((c) => c.feature === 'quotes');
    expect(quotes[0]).toMatchObject({ layer: 0, unit: 0 });
    expect(Math.abs(quotes[0].r)).toBeGreaterThan(0.9);
    expect(cells.some((c) => c.feature === 'number')).toBe(false); // no digits: not promised
    const gates = gateSaturation(reading);
    expect(gates[0].gates.find((g) => g.gate === 'o')!.high[0]).toBe(1); // unit 0's output gate is always open
    // Every r listed is the plain Pearson correlation of that unit's trace with the feature.
    for (const cell of cells) {
      const feature = FEATURES.find((f) => f.id === cell.feature)!;
      const trace = unitTrace(reading, cell.layer, cell.kind, cell.unit).values;
      expect(cell.r).toBeCloseTo(correlation(trace, 0, 1, feature.values(text)), 5); // float32 sums
    }
    disposeModel(model);
  });

  it('give a constant unit no correlation, and a unit that is a feature r = 1, in float32 sums', async () => {
    const text = 'It was the best of times, it was the worst of times. '.repeat(20);
    const [T, U] = [text.length, 4];
    const width = 6 * U;
    const space = FEATURES.find((f) => f.id === 'space')!.values(text);
    const states = new Float32Array(T * width);
    for (let t = 0; t < T; t++) {
      states[t * width + 0] = 3.7; // h0: constant
      states[t * width + 1] = 100 + space[t]; // h1: the feature, far from zero
      states[t * width + U + 2] = Math.sin(t); // c2: unrelated
    }
    const reading = { ids: new Int32Array(T), context: 0, layers: 1, units: U, states: [states] } as never;
    const cells = await rankCells(reading, text);
    const spaces = cells.filter((c) => c.feature === 'space');
    expect(spaces[0]).toMatchObject({ kind: 'h', unit: 1 });
    expect(spaces[0].r).toBeCloseTo(1, 5);
    for (const c of cells.filter((x) => x.kind === 'h' && x.unit === 0)) expect(Math.abs(c.r)).toBeLessThan(1e-3);
  });

  it('describe the text as read up to each character', () => {
    const of = (id: string, text: string) => Array.from(FEATURES.find((f) => f.id === id)!.values(text));
    expect(of('quotes', 'a "b" c')).toEqual([0, 0, 1, 1, 0, 0, 0]);
    expect(of('brackets', 'a(b[c])d')).toEqual([0, 1, 1, 1, 1, 1, 0, 0]);
    expect(of('line', 'ab\ncd')).toEqual([1, 2, 0, 1, 2]);
    expect(of('word-start', 'ab cd')).toEqual([1, 0, 0, 1, 0]);
    expect(of('sentence-end', 'a. B')).toEqual([0, 1, 1, 0]);
    expect(of('number', 'a 1,500.')).toEqual([0, 0, 1, 1, 1, 1, 1, 0]);
    expect(of('capital', 'aB c')).toEqual([0, 1, 0, 0]);
  });
});

describe('memory', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  it('is the gradient that finite differences measure, position by position', async () => {
    // Distinct characters: moving one embedding row moves exactly one input of the window.
    const V = 14;
    const model = createModel({ vocabSize: V, embedDim: 3, units: 5, layers: 2, dropout: 0 }, 21);
    const probe = Int32Array.from({ length: 12 }, (_, i) => i);
    const reading = await readProbe(model, probe);
    const at = 10; // explains the prediction of probe[11]
    const memory = await memoryAt(model, reading, at);
    expect(memory.from).toBe(0);
    expect(memory.weights.length).toBe(11);
    const logpNext = async () => -(await readProbe(model, probe)).bits[at + 1] * Math.LN2;
    const table = model.embedding.dataSync().slice();
    const eps = 1e-2;
    const numeric: number[] = [];
    for (let j = 0; j <= at; j++) {
      let sq = 0;
      for (let k = 0; k < 3; k++) {
        const moved = async (delta: number) => {
          const t = table.slice();
          t[probe[j] * 3 + k] += delta;
          model.embedding.assign(tf.tensor2d(t, [V, 3]));
          return logpNext();
        };
        const d = ((await moved(eps)) - (await moved(-eps))) / (2 * eps);
        sq += d * d;
      }
      numeric.push(Math.sqrt(sq));
    }
    model.embedding.assign(tf.tensor2d(table, [V, 3]));
    const max = Math.max(...numeric);
    numeric.forEach((n, j) => expect(Math.abs(n / max - memory.weights[j])).toBeLessThan(2e-2));
    disposeModel(model);
  });

  it('weighs at most the 100 characters before, and leaves no tensor behind', async () => {
    const model = createModel(config, 6);
    const long = Int32Array.from({ length: 160 }, (_, i) => (i * 5) % 13);
    const reading = await readProbe(model, long, 20);
    const before = tf.memory().numTensors;
    const memory = await memoryAt(model, reading, 130);
    expect(tf.memory().numTensors).toBe(before);
    expect(memory.weights.length).toBe(100);
    expect(memory.from).toBe(31);
    expect(Math.max(...memory.weights)).toBeCloseTo(1, 6);
    await expect(memoryAt(model, reading, 139)).rejects.toThrow(RangeError); // the last character has no next
    disposeModel(model);
  });
});
