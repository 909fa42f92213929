/**
 * How the base's architecture was chosen: the median WASM training step of each candidate, at the
 * app's default batch (32 rows of 64), against the default scratch model (1×128, embedding 32).
 * The bound: a fine-tuning step costs at most 3× a default scratch step.
 * Run: node scripts/run-ts.mjs scripts/pretrain/time-arch.ts
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../src/engine/kernels/registry';
import { createModel, disposeModel } from '../../src/engine/model';
import { createOptimizer, trainStep } from '../../src/engine/train';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { BASE_ALPHABET } from '../../src/data/alphabet';

const CANDIDATES: [embed: number, units: number, layers: number][] = [
  [32, 128, 1], // the default scratch model: the yardstick
  [32, 192, 1],
  [32, 256, 1],
  [64, 256, 1],
  [32, 128, 2],
  [32, 192, 2],
  [64, 256, 2],
  [32, 384, 1],
  [32, 512, 1],
];

tf.env().set('PROD', true);
registerKernels('wasm');
await tf.setBackend('wasm');
const rng = new Rng(1);
const V = BASE_ALPHABET.length;
const ids = Int32Array.from({ length: 100_000 }, () => rng.int(V));
let yardstick = 0;
for (const [embedDim, units, layers] of CANDIDATES) {
  const model = createModel({ vocabSize: V, embedDim, units, layers, dropout: 0 }, 1);
  const optimizer = createOptimizer('adam', 0.002);
  const ms: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const loss = trainStep(model, optimizer, randomBatch(ids, 64, 32, rng), 5, i);
    await loss.data();
    loss.dispose();
    if (i > 0) ms.push(performance.now() - started); // the first step compiles and allocates
  }
  const median = ms.sort((a, b) => a - b)[3];
  yardstick ||= median;
  const params = [
    model.embedding,
    model.denseKernel,
    model.denseBias,
    ...model.lstm.flatMap((w) => [w.kernel, w.recurrentKernel, w.bias]),
  ].reduce((n, v) => n + v.size, 0);
  const mb = (params * 2) / 1e6; // float16 on disk
  console.log(
    `${layers}x${units}, embedding ${embedDim}: ${median.toFixed(0)} ms/step = ${(median / yardstick).toFixed(2)}x default; ` +
      `${(params / 1e6).toFixed(2)} M parameters, ${mb.toFixed(2)} MB as float16`,
  );
  optimizer.dispose();
  disposeModel(model);
}
