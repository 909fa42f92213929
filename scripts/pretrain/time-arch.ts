import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { patchWasmKernels } from '../../src/engine/kernels/wasm';
import { createModel, disposeModel } from '../../src/engine/model';
import { createOptimizer, trainStep } from '../../src/engine/train';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';

tf.env().set('PROD', true);
patchWasmKernels();
await tf.setBackend('wasm');
const archs = [
  [32, 128, 1],
  [32, 192, 1],
  [32, 256, 1],
  [64, 256, 1],
  [32, 128, 2],
  [32, 192, 2],
  [64, 256, 2],
];
const rng = new Rng(1);
const ids = Int32Array.from({ length: 100000 }, () => rng.int(98));
for (const [E, U, L] of archs) {
  const model = createModel({ vocabSize: 98, embedDim: E, units: U, layers: L, dropout: 0 }, 1);
  const opt = createOptimizer('adam', 0.002);
  const ms: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    const loss = trainStep(model, opt, randomBatch(ids, 64, 32, rng), 5, i);
    await loss.data();
    loss.dispose();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`E${E} ${L}x${U}: median ${ms[3].toFixed(0)} ms/step`);
  opt.dispose();
  disposeModel(model);
}
