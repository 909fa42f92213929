/**
 * Pretraining on two threads under Node (scripts/pretrain/wasm-threads.ts): tfjs' threaded SIMD
 * build started with its heap shared, gemm.wat's helper thread splitting the step's matMuls, and
 * a training step that equals the one-thread step (tfjs' plain SIMD build) to 1e-5.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../../src/engine/kernels/registry';
import { isShared, wasmHeapMemory } from '../../../src/engine/kernels/wasm/modules';
import { createModel, disposeModel, modelVariables } from '../../../src/engine/model';
import { createOptimizer, trainStep } from '../../../src/engine/train';
import { randomBatch } from '../../../src/data/batching';
import { Rng } from '../../../src/data/rng';
import {
  gemmThreadCalls,
  startGemmThread,
  startThreadedWasm,
  stopGemmThread,
} from '../../../scripts/pretrain/wasm-threads';

// Big enough that the recurrent and output matMuls are split (gemm-pair.ts: 16 rows, 2^17 multiply-adds).
const CONFIG = { vocabSize: 40, embedDim: 16, units: 64, layers: 2, dropout: 0 };
const [SEQ, BATCH] = [8, 32];

/** Two Adam steps of a fresh model from fixed weights and batches: the loss and every weight after. */
async function twoSteps(): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const model = createModel(CONFIG, 7);
  const optimizer = createOptimizer('adam', 0.01);
  const rng = new Rng(3);
  const ids = Int32Array.from({ length: 2000 }, () => rng.int(CONFIG.vocabSize));
  const losses: number[] = [];
  for (let step = 0; step < 2; step++) {
    const loss = trainStep(model, optimizer, randomBatch(ids, SEQ, BATCH, rng), 5, step);
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const weights = await Promise.all(modelVariables(model).map(async (v) => (await v.data()) as Float32Array));
  optimizer.dispose();
  disposeModel(model);
  return { losses, weights };
}

afterAll(async () => {
  await stopGemmThread();
});

describe('pretraining on two threads', () => {
  it('starts the threaded build on a shared heap, splits matMuls with a helper thread, and steps as one thread does', async () => {
    tf.env().set('PROD', true);
    registerKernels('wasm');
    const factory = tf.findBackendFactory('wasm');
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(isShared(wasmHeapMemory(tf.backend())!)).toBe(false); // the plain build: one thread
    const one = await twoSteps();

    // the same backend again, from tfjs' threaded build
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory);
    expect(await startThreadedWasm()).toBe(true);
    expect(isShared(wasmHeapMemory(tf.backend())!)).toBe(true);
    expect(await startGemmThread()).toBe(true);
    const before = gemmThreadCalls();
    const two = await twoSteps();
    expect(gemmThreadCalls() - before).toBeGreaterThan(10); // the helper took half of the step's matMuls

    expect(one.losses[1]).toBeLessThan(one.losses[0]); // it learns
    for (let s = 0; s < 2; s++) expect(Math.abs(two.losses[s] - one.losses[s])).toBeLessThan(1e-5);
    expect(two.weights).toHaveLength(one.weights.length);
    for (let w = 0; w < one.weights.length; w++) {
      let worst = 0;
      for (let i = 0; i < one.weights[w].length; i++)
        worst = Math.max(worst, Math.abs(two.weights[w][i] - one.weights[w][i]));
      expect(worst).toBeLessThan(1e-5);
    }
  }, 60_000);
});
