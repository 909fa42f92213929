import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { randomBatch, splitTrainVal, evalBatches } from '../../../src/data/batching';
import { createModel, disposeModel, forward, namedWeights, orthogonalGates } from '../../../src/engine/model';
import { Rng } from '../../../src/data/rng';
import {
  LN2,
  clipByGlobalNorm,
  createOptimizer,
  dropCarry,
  estimateBpc,
  resetCarryRows,
  trainStep,
  type Carry,
} from '../../../src/engine/train';
import { StatefulBatcher } from '../../../src/data/batching';
import { buildVocab, encode } from '../../../src/data/vocab';

beforeAll(useCpu);

const TOY = 'the cat sat on the mat. the cat ate the rat. '.repeat(40);
const tiny = (vocabSize: number) => ({ vocabSize, embedDim: 8, units: 16, layers: 1, dropout: 0 });

describe('gradient clipping by global norm', () => {
  it('rescales to the max norm when above it and leaves small gradients alone', () => {
    tf.tidy(() => {
      const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // global norm 5
      const big = clipByGlobalNorm(grads, 1);
      expect(big.norm.dataSync()[0]).toBeCloseTo(5);
      expect(Array.from(big.grads.a.dataSync())).toEqual([expect.closeTo(0.6), 0]);
      expect(Array.from(big.grads.b.dataSync())).toEqual([0, expect.closeTo(0.8)]);
      const small = clipByGlobalNorm(grads, 10);
      expect(Array.from(small.grads.b.dataSync())).toEqual([0, expect.closeTo(4)]);
    });
  });
});

describe('model', () => {
  it('initialises each gate block of the recurrent kernel as an orthogonal matrix', () => {
    tf.tidy(() => {
      const w = orthogonalGates(6, 1);
      expect(w.shape).toEqual([6, 24]);
      for (const block of tf.split(w, 4, 1)) {
        const eye = tf.matMul(block, block, false, true).arraySync() as number[][];
        eye.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 4)));
      }
      expect(orthogonalGates(6, 1).arraySync()).toEqual(w.arraySync());
    });
  });

  it('maps ids [B, T] to logits [B*T, V] and per-layer states [B, U]', () => {
    const model = createModel({ ...tiny(11), layers: 2 }, 1);
    tf.tidy(() => {
      const out = forward(model, tf.zeros([3, 5], 'int32') as tf.Tensor2D);
      expect(out.logits.shape).toEqual([15, 11]);
      expect(out.state.h.map((h) => h.shape)).toEqual([
        [3, 16],
        [3, 16],
      ]);
    });
    expect(namedWeights(model).map(([n, v]) => `${n}:${v.shape}`)).toEqual([
      'embedding/embeddings:11,8',
      'lstm_1/kernel:8,64',
      'lstm_1/recurrent_kernel:16,64',
      'lstm_1/bias:64',
      'lstm_2/kernel:16,64',
      'lstm_2/recurrent_kernel:16,64',
      'lstm_2/bias:64',
      'dense/kernel:16,11',
      'dense/bias:11',
    ]);
    disposeModel(model);
  });

  it('starts near log2(V) bits per character and a few Adam steps lower the loss', async () => {
    const { vocab } = buildVocab(TOY);
    const { train, val } = splitTrainVal(encode(vocab, TOY), 0.1);
    const model = createModel(tiny(vocab.chars.length), 3);
    const optimizer = createOptimizer('adam', 0.02);
    const valBatches = evalBatches(val, 16, 4, 2);
    const before = await estimateBpc(model, valBatches);
    expect(before).toBeGreaterThan(Math.log2(vocab.chars.length) - 0.5);
    const rng = new Rng(5);
    const losses: number[] = [];
    for (let s = 0; s < 40; s++) {
      const loss = trainStep(model, optimizer, randomBatch(train, 16, 8, rng), 5, s);
      losses.push((await loss.data())[0] / LN2);
      loss.dispose();
    }
    const after = await estimateBpc(model, valBatches);
    expect(after).toBeLessThan(before - 1);
    expect(losses.at(-1)!).toBeLessThan(losses[0] - 1);
    optimizer.dispose();
    disposeModel(model);
  });

  it('does not grow the tensor count across training steps (dropout and 2 layers on)', async () => {
    const { vocab } = buildVocab(TOY);
    const ids = encode(vocab, TOY);
    const model = createModel({ ...tiny(vocab.chars.length), layers: 2, dropout: 0.2 }, 4);
    const optimizer = createOptimizer('rmsprop', 0.01);
    const rng = new Rng(1);
    const step = (s: number) => trainStep(model, optimizer, randomBatch(ids, 8, 4, rng), 5, s).dispose();
    step(0); // the first step creates the optimizer's slot variables
    const afterOne = tf.memory().numTensors;
    for (let s = 1; s < 6; s++) step(s);
    expect(tf.memory().numTensors).toBe(afterOne);
    optimizer.dispose();
    disposeModel(model);
  });
});

describe('stateful training (truncated BPTT)', () => {
  it('carries the state across batches, lowers the loss, and keeps the tensor count flat', async () => {
    const { vocab } = buildVocab(TOY);
    const ids = encode(vocab, TOY);
    const model = createModel(tiny(vocab.chars.length), 3);
    const optimizer = createOptimizer('adam', 0.02);
    const streams = new StatefulBatcher(ids, 16, 4);
    const carry: Carry = {};
    const losses: number[] = [];
    let afterOne = 0;
    for (let s = 0; s < 30; s++) {
      const { batch, fresh } = streams.at(s);
      if (fresh) dropCarry(carry);
      const loss = trainStep(model, optimizer, batch, 5, s, carry);
      losses.push((await loss.data())[0] / LN2);
      loss.dispose();
      expect(carry.state?.h[0].shape).toEqual([4, 16]);
      if (s === 1) afterOne = tf.memory().numTensors;
      if (s > 1 && !fresh) expect(tf.memory().numTensors).toBe(afterOne);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0] - 1);
    dropCarry(carry);
    optimizer.dispose();
    disposeModel(model);
  });
});

describe('carried state, row by row', () => {
  it('zeroes the rows that start afresh, keeps the others, and keeps the tensor count flat', async () => {
    const state = () => ({
      h: [tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2])],
      c: [tf.tensor2d([-1, -2, -3, -4, -5, -6], [3, 2]), tf.tensor2d([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [3, 2])],
    });
    const carry: Carry = { state: state() };
    const rows = async (t: tf.Tensor2D) => (await t.array()).map((r) => r.map((v) => v + 0)); // -0 reads as 0
    const before = tf.memory().numTensors;
    resetCarryRows(carry, [false, true, false]);
    expect(tf.memory().numTensors).toBe(before);
    expect(await rows(carry.state!.h[0])).toEqual([
      [1, 2],
      [0, 0],
      [5, 6],
    ]);
    expect(await rows(carry.state!.h[1])).toEqual([
      [7, 8],
      [0, 0],
      [11, 12],
    ]);
    expect(await rows(carry.state!.c[0])).toEqual([
      [-1, -2],
      [0, 0],
      [-5, -6],
    ]);
    resetCarryRows(carry, [false, false, false]);
    expect(await rows(carry.state!.c[1])).toEqual([
      [0.5, 0.5],
      [0, 0],
      [0.5, 0.5],
    ]);
    resetCarryRows(carry, [true, true, true]);
    expect(carry.state).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before - 4);
  });
});

describe('model lifecycle', () => {
  it('creating and disposing a model leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    disposeModel(createModel(tiny(7), 1));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('timing a training step (how Auto compares backends)', () => {
  it('times a real training step of the default architecture and leaves nothing behind', async () => {
    const { timeTrainingStep } = await import('../../../src/engine/step-timer');
    const before = tf.memory().numTensors;
    const ms = await timeTrainingStep();
    expect(ms).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
