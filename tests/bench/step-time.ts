/**
 * Median training-step time under Node on tfjs' WASM backend, fused LSTM against the autodiff
 * reference, same model and batches; and the fused LSTM with its matMuls on XNNPACK instead of
 * gemm.wat (`xnnpackMs`), alternated with it. `node scripts/run-ts.mjs tests/bench/step-time.ts
 * [--units 128 --layers 1 --seq 64 --batch 32 --steps 15]`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { benchMeta } from './meta.mjs';
import { registerKernels } from '../../src/engine/kernels/registry';
import { disableWasmGemm } from '../../src/engine/kernels/wasm/modules';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { createModel, disposeModel, useLstmPath, type LstmPath } from '../../src/engine/model';
import { createOptimizer, trainStep } from '../../src/engine/train';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const [units, layers, seq, batch, steps] = [
  arg('units', 128),
  arg('layers', 1),
  arg('seq', 64),
  arg('batch', 32),
  arg('steps', 15),
];

tf.env().set('PROD', true);
registerKernels('wasm');
await tf.setBackend('wasm');

async function median(path: LstmPath): Promise<number> {
  useLstmPath(path);
  const model = createModel({ vocabSize: 80, embedDim: 32, units, layers, dropout: 0 }, 1);
  const optimizer = createOptimizer('adam', 0.01);
  const rng = new Rng(1);
  const text = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7 + (i >> 3)) % 80);
  const times: number[] = [];
  for (let i = 0; i < steps + 2; i++) {
    const start = performance.now();
    const loss = trainStep(model, optimizer, randomBatch(text, seq, batch, rng), 5, 0);
    await loss.data();
    loss.dispose();
    if (i >= 2) times.push(performance.now() - start); // two warm-up steps
  }
  optimizer.dispose();
  disposeModel(model);
  return times.sort((a, b) => a - b)[times.length >> 1];
}

/** The fused LSTM's median with its matMuls on XNNPACK rather than gemm.wat. */
async function onXnnpack(): Promise<number> {
  disableWasmGemm(true);
  try {
    return await median('fused');
  } finally {
    disableWasmGemm(false);
  }
}

const fused = await median('fused');
const xnnpack = await onXnnpack();
const autodiff = await median('autodiff');
const fused2 = await median('fused');
const xnnpack2 = await onXnnpack();
const result = { units, layers, seq, batch, steps, fusedMs: [fused, fused2], xnnpackMs: [xnnpack, xnnpack2] };
console.log(JSON.stringify({ meta: benchMeta(), ...result, autodiffMs: autodiff }));
