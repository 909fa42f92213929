/**
 * RowScatterAdd, the gradient of a row lookup (the fused path's embedding on CPU and WASM): each
 * row added into the row its id names, repeated ids summed, ids out of range adding nothing, on
 * the SIMD kernel (widths a multiple of 4) and the loop (other widths), leaking nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../../../src/engine/kernels/registry';
import { rowScatterAdd } from '../../../../src/engine/kernels/scatter-add';
import { disableWasmSimd } from '../../../../src/engine/kernels/wasm/modules';

/** The expected [V, C] by hand. */
function byHand(x: number[][], ids: number[], V: number): number[] {
  const out = Array.from({ length: V }, () => new Array<number>(x[0].length).fill(0));
  ids.forEach((id, n) => id >= 0 && id < V && x[n].forEach((v, j) => (out[id][j] += v)));
  return out.flat();
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('wasm');
  registerKernels('wasm');
});

describe.each([
  ['cpu', false],
  ['wasm', false],
  ['wasm', true],
])('RowScatterAdd on %s (SIMD off: %s)', (backend, simdOff) => {
  it.each([8, 6])('adds rows into their ids, %s columns', async (C) => {
    await tf.setBackend(backend);
    disableWasmSimd(simdOff);
    const ids = [3, 0, 3, 7, -1, 2, 3];
    const x = ids.map((_, n) => Array.from({ length: C }, (_, j) => n * 10 + j * 0.25 - 1));
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => rowScatterAdd(tf.tensor2d(x), tf.tensor1d(ids, 'int32'), 5));
    expect(out.shape).toEqual([5, C]);
    const got = Array.from(await out.data());
    byHand(x, ids, 5).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disableWasmSimd(false);
  });
});
