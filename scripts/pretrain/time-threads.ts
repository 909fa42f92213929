/**
 * The median WASM training step of the large base's candidate shapes on one or two threads (the
 * backend is chosen once per process, so run it once for each): `--batch 32 --seq 100` is
 * pretraining's batch; the app's fine-tuning batch is 32 rows of 64. The default scratch model
 * (1×128, embedding 32) comes first as the yardstick.
 * Run: node scripts/run-ts.mjs scripts/pretrain/time-threads.ts --threads 2 [--batch 32 --seq 100 --steps 7]
 */
import { createModel, disposeModel } from '../../src/engine/model';
import { createOptimizer, trainStep } from '../../src/engine/train';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { BASE_ALPHABET } from '../../src/data/alphabet';
import { startBackend } from './backend';
import { stopGemmThread } from './wasm-threads';
import { disableWasmGemm } from '../../src/engine/kernels/wasm/modules';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const threads = arg('threads', 2) === 1 ? 1 : 2;
const [batch, seq, steps] = [arg('batch', 32), arg('seq', 100), arg('steps', 7)];
const SHAPES: [embed: number, units: number, layers: number][] = [
  [32, 128, 1], // the default scratch model
  [32, 256, 1], // the small base
  [64, 512, 2],
  [64, 1024, 1],
  [64, 384, 3],
];

if (argv.includes('--no-gemm')) disableWasmGemm(true); // XNNPACK's matMul instead, for comparison
console.log(`${await startBackend('wasm', threads)}; batch ${batch}x${seq}; median of ${steps - 1} steps`);
const rng = new Rng(1);
const V = BASE_ALPHABET.length;
const ids = Int32Array.from({ length: 200_000 }, () => rng.int(V));
let yardstick = 0;
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null; // e.g. 1x128,2x512
for (const [embedDim, units, layers] of SHAPES) {
  if (only && !only.includes(`${layers}x${units}`)) continue;
  const model = createModel({ vocabSize: V, embedDim, units, layers, dropout: 0 }, 1);
  const optimizer = createOptimizer('adam', 0.002);
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    const loss = trainStep(model, optimizer, randomBatch(ids, seq, batch, rng), 5, i);
    await loss.data();
    loss.dispose();
    if (i > 0) ms.push(performance.now() - started); // the first step compiles and allocates
  }
  const median = ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
  yardstick ||= median;
  console.log(
    `${layers}x${units}, embedding ${embedDim}: ${median.toFixed(0)} ms/step = ${(median / yardstick).toFixed(2)}x default ` +
      `(${ms.map((m) => m.toFixed(0)).join(' ')})`,
  );
  optimizer.dispose();
  disposeModel(model);
}
await stopGemmThread();
process.exit(0); // the threaded build's pthread pool would keep the process alive
