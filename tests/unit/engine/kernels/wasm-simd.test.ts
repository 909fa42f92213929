/**
 * The SIMD LSTM cell (src/engine/kernels/wasm/simd.wat) that the WASM backend's step kernels
 * run: the same numbers as the JavaScript loops it replaces, at every step forward and backward,
 * in generation's table mode, across the gates' whole range (saturated, and near 0 where tanh takes its polynomial);
 * and the committed binary is the WAT source's.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../../../src/engine/kernels/registry';
import { lstmStep, lstmStepFromTable, lstmStepGrad } from '../../../../src/engine/kernels/lstm-step';
import { disableWasmSimd, wasmCell } from '../../../../src/engine/kernels/wasm/modules';
import { relError } from '../../../../src/engine/engine-check';
import { SOURCES, moduleText } from '../../../../scripts/build-wasm.mjs';

const [T, B, U] = [4, 3, 8];

/** Values spread over [-scale, scale], a few exactly 0 and a few tiny. */
const spread = (shape: number[], scale: number, seed: number) =>
  tf.tidy(() => {
    const x = tf.randomUniform(shape, -scale, scale, 'float32', seed);
    const tiny = tf.randomUniform(shape, -1e-3, 1e-3, 'float32', seed + 1);
    const pick = tf.randomUniform(shape, 0, 1, 'float32', seed + 2);
    return tf.where(tf.less(pick, 0.2), tiny, x);
  });

/** Every step forward, then every step backward, as flat arrays: on the SIMD cell or on the loops. */
function forwardAndBackward(simd: boolean, scale: number) {
  disableWasmSimd(!simd);
  return tf.tidy(() => {
    const zx = spread([T, B, 4 * U], scale, 1) as tf.Tensor3D;
    const R = spread([U, 4 * U], scale / 4, 2) as tf.Tensor2D;
    const state0 = spread([B, 2 * U], 2, 3) as tf.Tensor2D;
    const rows: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) rows.push(lstmStep(zx, t ? rows[t - 1] : state0, R, t));
    const states = tf.stack(rows) as tf.Tensor3D;
    const dy = spread([T + 1, B, U], 1, 4) as tf.Tensor3D;
    const grads: tf.Tensor2D[] = [];
    const Rt = R.transpose() as tf.Tensor2D;
    for (let t = T - 1; t >= 0; t--)
      grads.push(lstmStepGrad({ states, state0, dy }, grads.at(-1) ?? tf.zeros([B, 5 * U]), Rt, t));
    const table = spread([7, 4 * U], scale, 5) as tf.Tensor2D;
    const fromTable = lstmStepFromTable(table, tf.tensor1d([6, 0, 3], 'int32'), rows[1], R);
    return { states: states.dataSync(), grads: tf.concat(grads).dataSync(), fromTable: fromTable.dataSync() };
  });
}

describe('the SIMD LSTM cell on the WASM backend', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('wasm');
    registerKernels('wasm');
  });
  afterEach(() => disableWasmSimd(false));

  it('runs where U is a multiple of 4, and leaves other widths to the loops', () => {
    const backend = tf.backend();
    expect(wasmCell(backend, 8)).not.toBeNull();
    expect(wasmCell(backend, 6)).toBeNull();
  });

  it.each([0.5, 4, 60])('matches the loops forward, backward and from a table (inputs within ±%s)', (scale) => {
    const before = tf.memory().numTensors;
    const simd = forwardAndBackward(true, scale);
    const loops = forwardAndBackward(false, scale);
    expect(relError(simd.states, loops.states)).toBeLessThan(1e-6);
    expect(relError(simd.grads, loops.grads)).toBeLessThan(1e-5);
    expect(relError(simd.fromTable, loops.fromTable)).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the committed WebAssembly', () => {
  it('is what its WAT source compiles to (`npm run wasm` rebuilds it)', async () => {
    for (const source of SOURCES) {
      const expected = await moduleText(source);
      expect(readFileSync(source.ts, 'utf8')).toBe(expected);
    }
  });
});
