import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from './setup-tf';
import { createModel, disposeModel, forward } from '../../src/lib/model';
import { Rng } from '../../src/lib/rng';
import { generate, sampleLogits } from '../../src/lib/sampling';
import { buildVocab, encode } from '../../src/lib/vocab';

beforeAll(useCpu);

describe('sampleLogits', () => {
  const logits = [0.1, 2.5, 2.4, -1];

  it('is argmax as the temperature goes to 0', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 50; i++) expect(sampleLogits(logits, 0, rng)).toBe(1);
    for (let i = 0; i < 50; i++) expect(sampleLogits(logits, 1e-4, rng)).toBe(1);
  });

  it('is deterministic for a seed and follows softmax at T = 1', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 4000 }, () => sampleLogits(logits, 1, rng));
    };
    const a = draw(9);
    expect(draw(9)).toEqual(a);
    const freq1 = a.filter((i) => i === 1).length / a.length;
    const z = logits.reduce((s, l) => s + Math.exp(l), 0);
    expect(freq1).toBeCloseTo(Math.exp(2.5) / z, 1);
  });

  it('spreads choices more at higher temperature', () => {
    const rng = new Rng(3);
    const share = (t: number) => Array.from({ length: 3000 }, () => sampleLogits(logits, t, rng)).filter((i) => i === 1).length;
    expect(share(0.2)).toBeGreaterThan(share(1.2));
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

  it('streams one character per temperature per step, reproducibly from a seed', async () => {
    const rows = await collect(4, 12);
    expect(rows.map((r) => r.length)).toEqual([12, 12, 12]);
    expect(await collect(4, 12)).toEqual(rows);
  });

  it('keeps the LSTM state: greedy stepping equals a full forward over the same text', async () => {
    const model = createModel(config, 2);
    let text = 'abc';
    for await (const [c] of generate(model, vocab, 'abc', [0], 6, new Rng(1))) text += c;
    // Re-run the whole text in one sequence call: each next character must be its argmax.
    const logits = tf.tidy(() => forward(model, tf.tensor2d(encode(vocab, text), [1, text.length], 'int32')).logits.arraySync());
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
    disposeModel(model);
  });
});
