/// <reference lib="webworker" />
/**
 * The tfjs-examples lstm-text-generation way, as the baseline: one-hot windows of 40 characters
 * taken every 3, tf.layers LSTM(128) -> dense softmax, RMSprop(0.01), batch 128, model.fit.
 * Also measures the backend's large-matMul GFLOP/s: the practical roof.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { timeTrainingStep } from '../../src/engine/step-timer';
import { registerKernels } from '../../src/engine/kernels/registry';
import { useBundledWasm, wasmThreads } from '../../src/worker/wasm';

const WINDOW = 40; // characters of context per example
const STEP = 3; // stride between examples
const BATCH = 128;
const CHUNK = 256; // examples per model.fit call: 2 batches, so validation marks are hit within ~2 steps
const scope = self as unknown as DedicatedWorkerGlobalScope;

type Msg =
  | { type: 'roof'; backend: string }
  | { type: 'wasm-patch'; backend: 'wasm' }
  | { type: 'run'; backend: string; text: string; seconds: number; marks: number[] };

async function useBackend(name: string): Promise<void> {
  if (name === 'wasm') useBundledWasm(); // the stock kernels: the tfjs-examples way
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed`);
  await tf.ready();
}

async function roof(): Promise<{ n: number; gflops: number; threads: number | null }> {
  const n = tf.getBackend() === 'cpu' ? 256 : 1024;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    if (i > 0) times.push(performance.now() - t0);
  }
  tf.dispose([a, b]);
  times.sort((x, y) => x - y);
  return { n, threads: wasmThreads(), gflops: (2 * n ** 3) / (times[Math.floor(times.length / 2)] / 1000) / 1e9 };
}

/** The WASM matMul lever: Auto's probe step (the app's model) on stock kernels, then patched. */
async function wasmPatch(): Promise<{ stockMs: number[]; patchedMs: number[] }> {
  const stockMs: number[] = [];
  const patchedMs: number[] = [];
  for (let i = 0; i < 5; i++) stockMs.push(await timeTrainingStep());
  registerKernels('wasm');
  for (let i = 0; i < 5; i++) patchedMs.push(await timeTrainingStep());
  return { stockMs, patchedMs };
}

/** One-hot windows starting at the given offsets: xs [N, 40, V], ys [N, V]. */
function windows(ids: Int32Array, offsets: number[], V: number) {
  const xs = new Float32Array(offsets.length * WINDOW * V);
  const ys = new Float32Array(offsets.length * V);
  offsets.forEach((o, n) => {
    for (let t = 0; t < WINDOW; t++) xs[(n * WINDOW + t) * V + ids[o + t]] = 1;
    ys[n * V + ids[o + WINDOW]] = 1;
  });
  return { xs: tf.tensor3d(xs, [offsets.length, WINDOW, V]), ys: tf.tensor2d(ys, [offsets.length, V]) };
}

async function run(text: string, seconds: number, marks: number[]) {
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const ids = Int32Array.from(text, (c) => index.get(c)!);
  const V = chars.length;
  const cut = Math.round(ids.length * 0.9);
  const trainOffsets = Array.from({ length: Math.floor((cut - WINDOW - 1) / STEP) }, (_, i) => i * STEP);
  const valOffsets = Array.from(
    { length: 256 },
    (_, i) => cut + Math.floor((i * (ids.length - cut - WINDOW - 1)) / 256),
  );
  const val = windows(ids, valOffsets, V);
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 128, inputShape: [WINDOW, V] }));
  model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.rmsprop(0.01), loss: 'categoricalCrossentropy' });
  const stepMs: number[] = [];
  const valAt: { mark: number; bpc: number; atMs: number }[] = [];
  let trainMs = 0;
  let batchStart = 0;
  let nextMark = 0;
  const evaluate = async () => {
    const loss = model.evaluate(val.xs, val.ys, { batchSize: BATCH }) as tf.Scalar;
    const bpc = (await loss.data())[0] / Math.LN2;
    loss.dispose();
    return bpc;
  };
  valAt.push({ mark: 0, bpc: await evaluate(), atMs: 0 });
  while (trainMs < seconds * 1000) {
    const offsets = Array.from({ length: CHUNK }, () => trainOffsets[Math.floor(Math.random() * trainOffsets.length)]);
    const { xs, ys } = windows(ids, offsets, V);
    await model.fit(xs, ys, {
      epochs: 1,
      batchSize: BATCH,
      shuffle: true,
      callbacks: {
        onBatchBegin: async () => {
          batchStart = performance.now();
        },
        onBatchEnd: async () => {
          const ms = performance.now() - batchStart;
          stepMs.push(ms);
          trainMs += ms;
          if (trainMs >= seconds * 1000) model.stopTraining = true;
        },
      },
    });
    tf.dispose([xs, ys]);
    while (nextMark < marks.length && trainMs >= marks[nextMark] * 1000) {
      valAt.push({ mark: marks[nextMark], bpc: await evaluate(), atMs: trainMs });
      nextMark++;
    }
  }
  tf.dispose([val.xs, val.ys]);
  model.dispose();
  return { vocab: V, stepMs, valAt, targetsPerStep: BATCH, tensorsAfter: tf.memory().numTensors };
}

scope.onmessage = async (e: MessageEvent<Msg>) => {
  try {
    await useBackend(e.data.backend);
    const { data } = e;
    const result =
      data.type === 'roof'
        ? await roof()
        : data.type === 'wasm-patch'
          ? await wasmPatch()
          : await run(data.text, data.seconds, data.marks);
    scope.postMessage({ ok: true, result });
  } catch (error) {
    scope.postMessage({ ok: false, error: String(error) });
  }
};
