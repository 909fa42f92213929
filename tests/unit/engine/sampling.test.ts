import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { createModel, disposeModel, forward } from '../../../src/engine/model';
import { Rng } from '../../../src/data/rng';
import { READ_EVERY, generate, sampleOnDevice } from '../../../src/engine/sampling';
import { buildVocab, encode } from '../../../src/data/vocab';
import { sampleHead, sampleHeadByOps } from '../../../src/engine/kernels/sample-head';
import '@tensorflow/tfjs-backend-wasm';

beforeAll(useCpu);

describe('sampleOnDevice', () => {
  const logits = [0.1, 2.5, 2.4, -1];
  const draw = (temperature: number, n: number, seed: number) =>
    tf.tidy(() =>
      Array.from(sampleOnDevice(tf.tensor2d(Array(n).fill(logits)), Array(n).fill(temperature), seed).dataSync()),
    );

  it('is argmax as the temperature goes to 0', () => {
    expect(draw(0, 50, 1).every((i) => i === 1)).toBe(true);
    expect(draw(1e-4, 50, 2).every((i) => i === 1)).toBe(true);
  });

  it('is deterministic for a seed and follows softmax at T = 1', () => {
    const a = draw(1, 4000, 9);
    expect(draw(1, 4000, 9)).toEqual(a);
    expect(draw(1, 4000, 10)).not.toEqual(a);
    const share = a.filter((i) => i === 1).length / a.length;
    const z = logits.reduce((sum, l) => sum + Math.exp(l), 0);
    expect(share).toBeCloseTo(Math.exp(2.5) / z, 1);
  });

  it('spreads choices more at higher temperature', () => {
    const ones = (t: number) => draw(t, 3000, 3).filter((i) => i === 1).length;
    expect(ones(0.2)).toBeGreaterThan(ones(1.2));
  });

  it('mixes greedy and sampled rows in one batch', () => {
    const ids = tf.tidy(() =>
      Array.from(sampleOnDevice(tf.tensor2d([logits, [5, 0, 0, 0]]), [0, 0.001], 1).dataSync()),
    );
    expect(ids).toEqual([1, 0]);
  });
});

describe('generate', () => {
  const { vocab } = buildVocab('abcdefgh ');
  const config = { vocabSize: vocab.chars.length, embedDim: 4, units: 8, layers: 2, dropout: 0 };

  async function collect(seed: number, length: number): Promise<string[]> {
    const model = createModel(config, 2);
    const rows = ['', '', ''];
    for await (const chars of generate(model, vocab, 'abc', [0, 0.5, 1.2], length, new Rng(seed))) {
      chars.forEach((c, r) => (rows[r] += c));
    }
    disposeModel(model);
    return rows;
  }

  it('draws each character from softmax(logits / T), at every temperature of the batch', async () => {
    const model = createModel(config, 2);
    // The output layer ignores the LSTM: every step's logits are the bias, 2 for the first character.
    const bias = Array.from({ length: vocab.chars.length }, (_, i) => (i === 0 ? 2 : 0));
    (model.denseKernel as tf.Variable).assign(tf.zerosLike(model.denseKernel));
    (model.denseBias as tf.Variable).assign(tf.tensor1d(bias));
    const rows = ['', ''];
    for await (const chars of generate(model, vocab, 'abc', [1, 0.5], 800, new Rng(4))) {
      chars.forEach((c, r) => (rows[r] += c));
    }
    disposeModel(model);
    const share = (text: string) => [...text].filter((c) => c === vocab.chars[0]).length / text.length;
    const softmax0 = (t: number) => Math.exp(2 / t) / (Math.exp(2 / t) + bias.length - 1);
    expect(share(rows[0])).toBeCloseTo(softmax0(1), 1); // 0.48
    expect(share(rows[1])).toBeCloseTo(softmax0(0.5), 1); // 0.87
  });

  it('streams one character per temperature per step, reproducibly from a seed', async () => {
    for (const length of [1, READ_EVERY, READ_EVERY + 3, 3 * READ_EVERY]) {
      const rows = await collect(4, length);
      expect(rows.map((r) => r.length)).toEqual([length, length, length]);
      expect(await collect(4, length)).toEqual(rows);
    }
  });

  it('keeps the LSTM state: greedy stepping equals a full forward over the same text', async () => {
    const model = createModel(config, 2);
    let text = 'abc';
    for await (const [c] of generate(model, vocab, 'abc', [0], 6, new Rng(1))) text += c;
    // Re-run the whole text in one sequence call: each next character must be its argmax.
    const logits = tf.tidy(() =>
      forward(model, tf.tensor2d(encode(vocab, text), [1, text.length], 'int32')).logits.arraySync(),
    );
    for (let t = 2; t < text.length - 1; t++) {
      expect(vocab.chars[logits[t].indexOf(Math.max(...logits[t]))]).toBe(text[t + 1]);
    }
    disposeModel(model);
  });

  it('leaves no tensors behind, also when stopped early', async () => {
    const model = createModel(config, 2);
    const before = tf.memory().numTensors;
    for await (const _ of generate(model, vocab, 'ab', [0.5, 1], 5, new Rng(1))) void _;
    expect(tf.memory().numTensors).toBe(before);
    for await (const _ of generate(model, vocab, 'ab', [0.5, 1], 50, new Rng(1))) break;
    expect(tf.memory().numTensors).toBe(before);
    let n = 0;
    for await (const _ of generate(model, vocab, 'ab', [0.5, 1], 50, new Rng(1))) if (++n === READ_EVERY + 2) break;
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });
});

describe('the sampling head kernel (the output layer and the draw in one kernel)', () => {
  const rng = new Rng(4);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
  const [B, U, V, W, S] = [5, 6, 9, 18, 3]; // h is the first U of a wider state row; a burst of S steps

  for (const backend of ['cpu', 'wasm']) {
    it(`picks, on ${backend}, the ids the stock ops pick, at every step of a burst`, async () => {
      await tf.setBackend(backend);
      const state = tf.tensor2d(rand(B * W), [B, W]);
      const kernel = tf.tensor2d(rand(U * V), [U, V]);
      const biases = tf.tensor3d(rand(S * B * V), [S, B, V]);
      const before = tf.memory().numTensors;
      for (let step = 0; step < S; step++) {
        const [got, want] = [sampleHead(state, kernel, biases, step), sampleHeadByOps(state, kernel, biases, step)];
        expect(got.dtype).toBe('int32');
        expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
        tf.dispose([got, want]);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([state, kernel, biases]);
      await tf.setBackend('cpu');
    });
  }

  it('gives a tie to the lower index, as argMax does', () => {
    const ids = tf.tidy(() =>
      Array.from(
        sampleHead(
          tf.zeros([2, 4]),
          tf.zeros([4, 3]),
          tf.tensor3d([
            [
              [1, 3, 3],
              [2, 2, 0],
            ],
          ]),
          0,
        ).dataSync(),
      ),
    );
    expect(ids).toEqual([1, 0]);
  });
});
