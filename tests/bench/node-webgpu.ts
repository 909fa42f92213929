/**
 * The engine on a real GPU without a browser: tfjs-backend-webgpu under Node through Dawn's Node
 * binding (the `webgpu` npm package), against tfjs' WASM backend on the same machine. Same model
 * code, kernels and fused Adam as the app's worker; the batches come from the built-in corpus.
 *
 *   apt-get install -y libvulkan1            # and the GPU's Vulkan driver
 *   npm install --no-save webgpu@0.6.2       # Dawn for Node (not a dependency: 130 MB, GPU machines only)
 *   npm run bench:gpu [-- --models 128,1,64,32/256,2,128,64 --steps 20 --backends wasm,webgpu --out FILE]
 *                     [--kernels auto|software|hardware]   (which matMuls WebGPU runs; auto: as the app picks)
 *
 * With no GPU, Chromium's own SwiftShader Vulkan driver gives Dawn a software adapter:
 * VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json: enough to check the numerics of both
 * matMul paths; its speed, like the browser's software adapter's, says nothing about a GPU.
 *
 * Per backend and model: a numerics check first (the same weights and batch on every backend: the
 * loss and every weight's gradient, compared with WASM's), then the median training step over `--steps`
 * steps after two warm-up steps, warm generation (4 streams), whether tf.memory().numTensors stayed
 * flat, the loss after the timed steps (the same batches everywhere), and any error the WebGPU
 * device raised.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchMeta } from './meta.mjs';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { buildVocab, encode } from '../../src/data/vocab';
import { registerKernels } from '../../src/engine/kernels/registry';
import { gpuErrors, startDawnWebGpu, type GpuKernels } from '../../scripts/dawn';
import { createModel, disposeModel, namedWeights } from '../../src/engine/model';
import { generate } from '../../src/engine/sampling';
import { batchLoss, createOptimizer, trainStep } from '../../src/engine/train';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const models = arg('models', '128,1,64,32/256,2,128,64') // units,layers,seq,batch per model
  .split('/')
  .map((m) => m.split(',').map(Number))
  .map(([units, layers, seq, batch]) => ({ units, layers, seq, batch }));
const steps = Number(arg('steps', '20')); // timed steps per backend and model, after 2 warm-up steps
const kernels = arg('kernels', 'auto'); // WebGPU matMuls: auto (as the app picks), software or hardware
const backends = arg('backends', 'wasm,webgpu').split(','); // WASM first: Dawn's threads stay once it starts

/** Sets up `name` as the app's worker does (the same kernels registered) and starts it. */
async function start(name: string): Promise<string> {
  if (name === 'wasm') {
    registerKernels('wasm');
  } else if (name === 'webgpu') {
    return startDawnWebGpu(kernels as GpuKernels);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start ${name}`);
  return name === 'wasm' ? `WASM, one thread, ${cpus()[0]?.model ?? 'CPU'}` : name;
}

const text = readFileSync('public/corpora/nineteenth-century.txt', 'utf8');
const { vocab } = buildVocab(text);
const ids = encode(vocab, text);
type Shape = (typeof models)[number];
const config = (m: Shape) => ({
  vocabSize: vocab.chars.length,
  embedDim: 32,
  units: m.units,
  layers: m.layers,
  dropout: 0,
});

interface Numerics {
  loss: number;
  grads: Record<string, Float32Array>; // per weight
}

/** The loss and every weight's gradient for seed-1 weights on one batch: equal on every backend. */
async function numerics(m: Shape): Promise<Numerics> {
  const model = createModel(config(m), 1);
  const batch = randomBatch(ids, m.seq, m.batch, new Rng(7));
  const { value, grads } = tf.variableGrads(() => batchLoss(model, batch));
  const names = namedWeights(model);
  const read: Record<string, Float32Array> = {};
  for (const [name, variable] of names) read[name] = (await grads[variable.name].data()) as Float32Array;
  const loss = (await value.data())[0];
  tf.dispose([value, grads]);
  disposeModel(model);
  return { loss, grads: read };
}

/** The largest, over weights, of |a − b| / |b| (L2 norms of each weight's gradient). */
function worstGradient(a: Numerics, b: Numerics): { weight: string; relative: number } {
  let worst = { weight: '', relative: 0 };
  for (const [name, gb] of Object.entries(b.grads)) {
    const ga = a.grads[name];
    let [diff, norm] = [0, 0];
    for (let i = 0; i < gb.length; i++) [diff, norm] = [diff + (ga[i] - gb[i]) ** 2, norm + gb[i] ** 2];
    const relative = Math.sqrt(diff / Math.max(norm, 1e-30));
    if (relative >= worst.relative) worst = { weight: name, relative };
  }
  return worst;
}

/** Characters per second streamed at 4 temperatures (one batch row each), warm: a first call compiles. */
async function timeGeneration(m: Shape, length = 200): Promise<number> {
  const model = createModel(config(m), 1);
  const run = async () => {
    const started = performance.now();
    let chars = 0;
    for await (const burst of generate(model, vocab, 'The ', [0.2, 0.5, 1.0, 1.2], length, new Rng(3)))
      chars += burst.length;
    return (chars * 1000) / (performance.now() - started);
  };
  await run();
  const charsPerSec = await run();
  disposeModel(model);
  return charsPerSec;
}

/** Median ms of a training step (Adam 0.01, clip 5, random rows), and the tensor count before and after. */
async function timeSteps(m: Shape) {
  const model = createModel(config(m), 1);
  const optimizer = createOptimizer('adam', 0.01);
  const rng = new Rng(1);
  const times: number[] = [];
  let tensorsAfterWarmUp = 0;
  let lastLoss = NaN;
  for (let i = 0; i < steps + 2; i++) {
    const started = performance.now();
    const loss = trainStep(model, optimizer, randomBatch(ids, m.seq, m.batch, rng), 5, 0);
    lastLoss = (await loss.data())[0]; // the step is done when its loss is read back
    loss.dispose();
    if (i >= 2) times.push(performance.now() - started);
    if (i === 1) tensorsAfterWarmUp = tf.memory().numTensors;
  }
  const tensorsAtEnd = tf.memory().numTensors;
  optimizer.dispose();
  disposeModel(model);
  const medianMs = [...times].sort((a, b) => a - b)[times.length >> 1];
  return {
    lastLoss,
    medianMs,
    stepsPerSec: 1000 / medianMs,
    targetsPerSec: (m.seq * m.batch * 1000) / medianMs,
    tensorsAfterWarmUp,
    tensorsAtEnd,
  };
}

interface Row {
  backend: string;
  device: string;
  model: Shape;
  loss: number;
  lastLoss: number; // after the timed steps (the same batches on every backend)
  medianMs: number;
  stepsPerSec: number;
  targetsPerSec: number;
  generationCharsPerSec: number; // 4 streams, warm
  tensorsAfterWarmUp: number;
  tensorsAtEnd: number;
  vsWasm?: {
    speed: number;
    lossRelative: number;
    lastLossRelative: number;
    worstGradient: { weight: string; relative: number };
  };
}

/** Every model on one backend: its numerics (kept for the comparison) and its timed steps. */
async function runBackend(name: string, device: string, checks: Map<string, Numerics>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const m of models) {
    const check = await numerics(m);
    checks.set(`${name} ${JSON.stringify(m)}`, check);
    const timed = { ...(await timeSteps(m)), generationCharsPerSec: await timeGeneration(m) };
    const label = `${m.layers}×${m.units}, ${m.batch} rows of ${m.seq}`;
    console.log(
      `  ${label}: ${timed.medianMs.toFixed(1)} ms/step (${timed.stepsPerSec.toFixed(2)} steps/s, ` +
        `${Math.round(timed.targetsPerSec)} targets/s); generation ${Math.round(timed.generationCharsPerSec)} characters/s; first loss ${check.loss.toFixed(6)}; tensors ${timed.tensorsAfterWarmUp} → ${timed.tensorsAtEnd}`,
    );
    rows.push({ backend: name, device, model: m, loss: check.loss, ...timed });
  }
  return rows;
}

/** WebGPU against WASM, per model: speed, and the same step's loss and gradients. */
function compare(rows: Row[], checks: Map<string, Numerics>): void {
  for (const row of rows.filter((r) => r.backend === 'webgpu')) {
    const key = JSON.stringify(row.model);
    const wasm = rows.find((r) => r.backend === 'wasm' && JSON.stringify(r.model) === key);
    const [a, b] = [checks.get(`webgpu ${key}`), checks.get(`wasm ${key}`)];
    if (!wasm || !a || !b) continue;
    row.vsWasm = {
      speed: wasm.medianMs / row.medianMs,
      lossRelative: Math.abs(a.loss - b.loss) / Math.abs(b.loss),
      lastLossRelative: Math.abs(row.lastLoss - wasm.lastLoss) / Math.abs(wasm.lastLoss),
      worstGradient: worstGradient(a, b),
    };
    const { speed, lossRelative, lastLossRelative, worstGradient: worst } = row.vsWasm;
    console.log(
      `${row.model.layers}×${row.model.units}: WebGPU at ${speed.toFixed(2)}× WASM's steps/s; against WASM (relative) the ` +
        `first loss differs by ${lossRelative.toExponential(1)}, the gradients by at most ${worst.relative.toExponential(1)} ` +
        `(${worst.weight}), the loss after ${steps + 2} steps by ${lastLossRelative.toExponential(1)}`,
    );
  }
}

tf.env().set('PROD', true);
const rows: Row[] = [];
const checks = new Map<string, Numerics>();
const failures: Record<string, string> = {};
for (const name of backends) {
  try {
    const device = await start(name);
    console.log(`== ${name}: ${device}`);
    rows.push(...(await runBackend(name, device, checks)));
  } catch (error) {
    failures[name] = (error as Error).message;
    console.log(`${name}: ${failures[name]}`);
  }
}
compare(rows, checks);
if (backends.includes('webgpu'))
  console.log(
    `WebGPU errors raised by the device: ${gpuErrors.length}${gpuErrors.length ? ` (first: ${gpuErrors[0]})` : ''}`,
  );
const out = arg('out', '');
if (out)
  writeFileSync(
    out,
    JSON.stringify({ meta: benchMeta(), date: new Date().toISOString(), steps, rows, failures, gpuErrors }, null, 2),
  );
process.exit(0); // Dawn keeps the event loop alive
