/// <reference lib="webworker" />
/**
 * What one training step costs in calls, on a backend set up exactly as the app's worker sets it
 * up (src/worker/backends.ts: the same kernels registered, the software-adapter kernels where the
 * adapter is one): tfjs kernels (tf.profile), and the GPU work they issue, WebGPU compute
 * dispatches (dispatchWorkgroups) or WebGL draws (drawElements / drawArrays). Counts, no timing.
 * The fused LSTM (the app's path) and, on request, the autodiff one, with the same fused Adam.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../src/config/backends';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { createModel, disposeModel, useLstmPath, type LstmPath } from '../../src/engine/model';
import { createOptimizer, trainStep } from '../../src/engine/train';
import { selectBackend } from '../../src/worker/backends';

interface Shape {
  units: number;
  layers: number;
  seqLen: number;
  batchSize: number;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Counts calls of `method` on every instance of `proto` until the returned stop is called. */
function counting(proto: object | undefined, methods: string[]): () => number {
  if (!proto) return () => 0;
  let calls = 0;
  const originals = methods.map((m) => [m, (proto as Record<string, unknown>)[m]] as const);
  for (const [m, original] of originals) {
    if (typeof original !== 'function') continue;
    (proto as Record<string, unknown>)[m] = function (this: unknown, ...args: unknown[]) {
      calls++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return () => {
    for (const [m, original] of originals) (proto as Record<string, unknown>)[m] = original;
    return calls;
  };
}

/** GPU calls of the backend in use: WebGPU dispatches, WebGL draws; null on CPU and WASM. */
function gpuCalls(): (() => number) | null {
  const backend = tf.getBackend();
  if (backend === 'webgpu') return counting(globalThis.GPUComputePassEncoder?.prototype, ['dispatchWorkgroups']);
  if (backend === 'webgl')
    return counting(globalThis.WebGL2RenderingContext?.prototype, ['drawElements', 'drawArrays']);
  return null;
}

async function countPath(path: LstmPath, { units, layers, seqLen, batchSize }: Shape) {
  useLstmPath(path);
  const model = createModel({ vocabSize: 80, embedDim: 32, units, layers, dropout: 0 }, 1);
  const optimizer = createOptimizer('adam', 0.01);
  const rng = new Rng(1);
  const ids = Int32Array.from({ length: 20_000 }, () => rng.int(80));
  const step = async () => {
    const loss = trainStep(model, optimizer, randomBatch(ids, seqLen, batchSize, rng), 5, 0);
    await loss.data();
    loss.dispose();
  };
  try {
    await step(); // compiles, and the optimizer makes its slots
    const stop = gpuCalls();
    await step();
    const gpu = stop?.() ?? null;
    const { kernels } = await tf.profile(step);
    const key = tf.getBackend() === 'webgpu' ? 'dispatchesPerStep' : 'drawsPerStep';
    return { kernelsPerStep: kernels.length, ...(gpu === null ? {} : { [key]: gpu }) };
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
}

scope.onmessage = async (e: MessageEvent<{ backend: BackendName; shape: Shape; autodiff: boolean }>) => {
  try {
    const { backend, shape, autodiff } = e.data;
    const chosen = await selectBackend(backend, null);
    if (chosen.backend !== backend) throw new Error(`${backend} did not start`);
    const fused = await countPath('fused', shape);
    const reference = autodiff ? await countPath('autodiff', shape) : null;
    scope.postMessage({ ok: true, result: { ...fused, autodiff: reference } });
  } catch (error) {
    scope.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};
