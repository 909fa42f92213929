import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { randomBatch } from '../../../../src/data/batching';
import { createModel, disposeModel } from '../../../../src/engine/model';
import { Rng } from '../../../../src/data/rng';
import { generate } from '../../../../src/engine/sampling';
import { createOptimizer, trainStep } from '../../../../src/engine/train';
import { buildVocab } from '../../../../src/data/vocab';
import { patchWasmKernels, wasmKernelsPatched } from '../../../../src/engine/kernels/wasm/replaced';
import { LONG_K, STRETCH } from '../../../../src/engine/kernels/wasm/long-matmul';
import { disableWasmGemm } from '../../../../src/engine/kernels/wasm/modules';

/** Runs `f` on a backend and returns its result as plain numbers. */
async function on(backend: string, f: () => tf.Tensor): Promise<number[]> {
  await tf.setBackend(backend);
  const t = f();
  const values = Array.from(await t.data());
  t.dispose();
  return values;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  patchWasmKernels();
  patchWasmKernels(); // idempotent
});

describe('WASM kernels, patched: matMul transposes explicitly, unstack and slice copy straight from the heap, sum over rows in SIMD, gather copies rows, transpose by tiles', () => {
  it('are in force', () => {
    expect(wasmKernelsPatched()).toBe(true);
  });

  it("give the CPU backend's numbers for every transpose combination, batched and fused", async () => {
    const rng = new Rng(3);
    const data = (n: number) => Array.from({ length: n }, () => rng.next() * 2 - 1);
    const [a, b, bias] = [data(2 * 3 * 5), data(2 * 5 * 4), data(4)];
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const product = () =>
        tf.tidy(() => {
          const x = tf.tensor3d(a, ta ? [2, 5, 3] : [2, 3, 5]);
          const y = tf.tensor3d(b, tb ? [2, 4, 5] : [2, 5, 4]);
          const batched = tf.matMul(x, y, ta, tb);
          // Fused (bias, activation) on rank 2, as the layers API uses it.
          const x2 = tf.tensor2d(a.slice(0, 15), ta ? [5, 3] : [3, 5]);
          const y2 = tf.tensor2d(b.slice(0, 20), tb ? [4, 5] : [5, 4]);
          const fused = tf.fused.matMul({
            a: x2,
            b: y2,
            transposeA: ta,
            transposeB: tb,
            bias: tf.tensor1d(bias),
            activation: 'relu',
          });
          return tf.concat([batched.flatten(), fused.flatten()]);
        });
      const expected = await on('cpu', product);
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      const got = await on('wasm', product);
      expect(tf.backend().numDataIds()).toBe(before); // the transposed copies are freed
      expect(got).toHaveLength(36);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    }
  });

  it("give the CPU backend's numbers for a weight gradient's long inner dimension, run in stretches where XNNPACK runs it", async () => {
    disableWasmGemm(true); // as on the threaded build, where gemm.wat stands aside (wasm-gemm.test.ts covers it)
    onTestFinished(() => disableWasmGemm(false));
    // K = 2,100: over LONG_K, and not a multiple of STRETCH, so the last stretch is short.
    const [M, K, N] = [6, 2100, 12];
    expect(K).toBeGreaterThanOrEqual(LONG_K);
    expect(K % STRETCH).not.toBe(0);
    const rng = new Rng(5);
    const [a, b] = [M * K, K * N].map((n) => Array.from({ length: n }, () => rng.next() * 2 - 1));
    for (const transposeA of [false, true]) {
      const product = () =>
        tf.tidy(() => {
          const x = tf.tensor2d(a, transposeA ? [K, M] : [M, K]);
          return tf.matMul(x, tf.tensor2d(b, [K, N]), transposeA, false);
        });
      const expected = await on('cpu', product);
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      const got = await on('wasm', product);
      expect(tf.backend().numDataIds()).toBe(before); // every stretch and partial product freed
      expect(got).toHaveLength(M * N);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
    }
  });

  it('unstack as the CPU backend does, on every axis, freeing nothing twice and leaking nothing', async () => {
    const values = Array.from({ length: 4 * 3 * 5 }, (_, i) => i * 0.5 - 7);
    for (const axis of [0, 1, 2, -1]) {
      const parts = () =>
        tf.tidy(() => tf.concat(tf.unstack(tf.tensor3d(values, [4, 3, 5]), axis).map((t) => t.flatten())));
      const expected = await on('cpu', parts);
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      expect(await on('wasm', parts)).toEqual(expected);
      expect(tf.backend().numDataIds()).toBe(before);
    }
  });

  it('slice as the CPU backend does, contiguous and strided, rank 1 to 4, leaking nothing', async () => {
    const values = Array.from({ length: 2 * 4 * 3 * 5 }, (_, i) => i * 0.25 - 9);
    const cases: [number[], number[], number[]][] = [
      [[120], [7], [30]], // rank 1
      [
        [8, 15],
        [2, 3],
        [4, 9],
      ], // strided rows
      [
        [4, 6, 5],
        [1, 0, 0],
        [2, 6, 5],
      ], // contiguous
      [
        [4, 6, 5],
        [0, 2, 1],
        [4, 3, -1],
      ], // strided, -1: to the end
      [
        [2, 4, 3, 5],
        [1, 1, 0, 2],
        [1, 2, 3, 2],
      ],
    ];
    for (const [shape, begin, size] of cases) {
      const part = () => tf.tidy(() => tf.slice(tf.tensor(values, shape), begin, size).flatten());
      const expected = await on('cpu', part);
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      expect(await on('wasm', part)).toEqual(expected);
      expect(tf.backend().numDataIds()).toBe(before);
    }
    const ints = () => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2]);
    expect(await on('wasm', ints)).toEqual([2, 3, 5, 6]);
  });

  it('sum as the CPU backend does: over axis 0 (SIMD, 4 columns at a time) and every other way', async () => {
    const rng = new Rng(9);
    const cases: [number[], number | number[], boolean][] = [
      [[37, 12], 0, false], // a bias's gradient: the SIMD column sum
      [[37, 12], [0], true],
      [[5, 2, 6], 0, false], // rank 3 over axis 0: 12 columns
      [[37, 10], 0, false], // 10 columns: not a multiple of 4, the stock kernel
      [[37, 12], 1, false],
      [[37, 12], -2, true],
      [[6, 4], [0, 1], false],
      [[9], 0, false],
    ];
    for (const [shape, axis, keepDims] of cases) {
      const values = Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next() * 2 - 1);
      const sum = () => tf.tidy(() => tf.sum(tf.tensor(values, shape), axis, keepDims).flatten());
      const shapeOf = () => tf.tidy(() => tf.tensor1d(tf.sum(tf.tensor(values, shape), axis, keepDims).shape));
      const [expected, expectedShape] = [await on('cpu', sum), await on('cpu', shapeOf)];
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      const got = await on('wasm', sum);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
      expect(got.length).toBe(expected.length);
      expect(await on('wasm', shapeOf)).toEqual(expectedShape);
      expect(tf.backend().numDataIds()).toBe(before);
    }
  });

  it('gather as the CPU backend does: rows by id copied whole, every other gather through the stock kernel', async () => {
    const values = Array.from({ length: 5 * 3 * 4 }, (_, i) => i * 0.5 - 7);
    const cases: [number[], number[], number[], number][] = [
      [[5, 12], [4, 0, 4, 2], [4], 0], // rows by id: copied
      [[5, 3, 4], [1, 3, 3, 0, 2, 4], [2, 3], 0], // rank 3, ids [2, 3]
      [[5, 12], [11, 0, 5], [3], 1], // along axis 1: the stock kernel
    ];
    for (const [shape, ids, idShape, axis] of cases) {
      const gather = () => tf.tidy(() => tf.gather(tf.tensor(values, shape), tf.tensor(ids, idShape, 'int32'), axis));
      const expected = await on('cpu', gather);
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      expect(await on('wasm', gather)).toEqual(expected);
      expect(tf.backend().numDataIds()).toBe(before);
    }
  });

  it('transpose as the CPU backend does: matrices and batches of them tile by tile, other permutations stock', async () => {
    const rng = new Rng(4);
    const cases: [number[], number[], tf.DataType][] = [
      [[19, 13], [1, 0], 'float32'], // not a multiple of the 8×8 tile either way
      [[8, 16], [1, 0], 'float32'],
      [[1, 5], [1, 0], 'float32'],
      [[3, 10, 7], [0, 2, 1], 'float32'], // a batch: each matrix transposed
      [[3, 10, 7], [2, 0, 1], 'float32'], // another permutation: the stock kernel
      [[6, 9], [1, 0], 'int32'], // not float32: the stock kernel
    ];
    for (const [shape, perm, dtype] of cases) {
      const values = Array.from({ length: shape.reduce((a, b) => a * b) }, () => Math.round(rng.next() * 200 - 100));
      const swap = () => tf.tidy(() => tf.transpose(tf.tensor(values, shape, dtype), perm));
      const [expected, expectedShape] = [
        await on('cpu', swap),
        (await tf.setBackend('cpu'), tf.tidy(() => swap().shape)),
      ];
      const before = (await tf.setBackend('wasm'), tf.backend().numDataIds());
      expect(await on('wasm', swap)).toEqual(expected);
      const t = swap();
      expect(t.shape).toEqual(expectedShape);
      t.dispose();
      expect(tf.backend().numDataIds()).toBe(before);
    }
  });

  it('train the model as the CPU backend does, with no tensor growth', async () => {
    const config = { vocabSize: 12, embedDim: 8, units: 16, layers: 2, dropout: 0 };
    const ids = Int32Array.from({ length: 600 }, (_, i) => (i * 7 + (i >> 3)) % 12);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const model = createModel(config, 5);
      const optimizer = createOptimizer('adam', 0.05);
      const rng = new Rng(9);
      const losses: number[] = [];
      let tensors = 0;
      for (let step = 0; step < 12; step++) {
        const loss = trainStep(model, optimizer, randomBatch(ids, 10, 4, rng), 5, step);
        losses.push((await loss.data())[0]);
        loss.dispose();
        if (step === 0) tensors = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      const kernel = Array.from(await model.denseKernel.data());
      optimizer.dispose();
      disposeModel(model);
      return { losses, kernel };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    wasm.losses.forEach((l, i) => expect(l).toBeCloseTo(cpu.losses[i], 4));
    wasm.kernel.forEach((w, i) => expect(w).toBeCloseTo(cpu.kernel[i], 4));
    expect(wasm.losses.at(-1)!).toBeLessThan(wasm.losses[0]);
  });

  it("generate the CPU backend's greedy text, with no tensor growth", async () => {
    const { vocab } = buildVocab('abcdefgh ');
    const config = { vocabSize: vocab.chars.length, embedDim: 4, units: 8, layers: 2, dropout: 0 };
    const greedy = async (backend: string) => {
      await tf.setBackend(backend);
      const model = createModel(config, 2);
      const tensors = tf.memory().numTensors;
      let text = '';
      for await (const [c] of generate(model, vocab, 'abc', [0, 1], 40, new Rng(1))) text += c;
      expect(tf.memory().numTensors).toBe(tensors);
      disposeModel(model);
      return text;
    };
    const cpu = await greedy('cpu');
    expect(cpu).toHaveLength(40);
    expect(await greedy('wasm')).toBe(cpu);
  });
});
