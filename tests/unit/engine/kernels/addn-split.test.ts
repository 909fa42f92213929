/**
 * The split AddN (src/engine/kernels/webgpu/addn.ts) is WebGPU's; its splitting is backend-agnostic,
 * so it is checked here wrapped around the CPU backend's AddN with WebGPU's default limit (8
 * storage buffers, one the output): the same sums, the stock kernel never asked for more than 7
 * inputs, nothing left on the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../../support/setup-tf';
import { splitAddN } from '../../../../src/engine/kernels/webgpu/addn';
import { createModel, disposeModel } from '../../../../src/engine/model';
import { batchLoss, clipScale } from '../../../../src/engine/train';
import { randomBatch } from '../../../../src/data/batching';
import { Rng } from '../../../../src/data/rng';

const LIMIT = 7; // WebGPU: maxStorageBuffersPerShaderStage 8 by default, less the output
const widest: number[] = []; // inputs per call of the stock kernel
let stock: tf.KernelConfig;

beforeAll(async () => {
  await useCpu();
  stock = tf.getKernel('AddN', 'cpu')!;
  const counted: tf.KernelFunc = (args) => {
    widest.push((args.inputs as unknown as tf.TensorInfo[]).length);
    return stock.kernelFunc(args);
  };
  tf.unregisterKernel('AddN', 'cpu');
  tf.registerKernel({ ...stock, kernelFunc: splitAddN(counted, () => LIMIT) });
});

afterAll(() => {
  tf.unregisterKernel('AddN', 'cpu');
  tf.registerKernel(stock);
});

describe('a sum of more tensors than one WebGPU program may read', () => {
  it('adds any number of tensors with at most 7 per call, leaving nothing behind', async () => {
    for (const n of [1, 2, 7, 8, 9, 15, 50]) {
      widest.length = 0;
      const xs = Array.from({ length: n }, (_, i) => tf.tensor1d([i + 1, 1 - 2 * i]));
      const before = tf.engine().backend.numDataIds();
      const sum = tf.addN(xs);
      expect(Array.from(await sum.data())).toEqual([(n * (n + 1)) / 2, n - n * (n - 1)]);
      expect(Math.max(0, ...widest)).toBeLessThanOrEqual(LIMIT);
      expect(tf.engine().backend.numDataIds()).toBe(before + 1); // the sum, and no partial sum
      tf.dispose([...xs, sum]);
    }
  });

  it("gives a 2-layer model's clipping norm, a sum over its 9 weights, as the plain sum does", () => {
    const model = createModel({ vocabSize: 7, embedDim: 4, units: 6, layers: 2, dropout: 0 }, 1);
    const ids = Int32Array.from({ length: 200 }, (_, i) => (i * 3 + (i >> 2)) % 7);
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => batchLoss(model, randomBatch(ids, 8, 4, new Rng(1))));
      widest.length = 0;
      const norm = clipScale(grads, 1).norm.dataSync()[0];
      expect(Object.keys(grads)).toHaveLength(9);
      expect(widest).toEqual([7, 2, 2]); // 7 weights, the last 2, then the two partial sums
      const plain = Math.sqrt(Object.values(grads).reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0));
      expect(norm).toBeCloseTo(plain, 5);
    });
    disposeModel(model);
  });
});
