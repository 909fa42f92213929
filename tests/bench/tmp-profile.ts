import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { patchWasmKernels } from '../../src/engine/kernels/wasm';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { createModel, useLstmPath } from '../../src/engine/model';
import { createOptimizer, trainStep } from '../../src/engine/train';
const arg = (name: string, fallback: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : fallback; };
const [units, layers, seq, batch] = [arg('units', 256), arg('layers', 2), arg('seq', 128), arg('batch', 64)];
tf.env().set('PROD', true);
patchWasmKernels();
await tf.setBackend('wasm');
useLstmPath('fused');
const model = createModel({ vocabSize: 80, embedDim: 32, units, layers, dropout: 0 }, 1);
const optimizer = createOptimizer('adam', 0.01);
const rng = new Rng(1);
const text = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7 + (i >> 3)) % 80);
const times: number[] = [];
for (let i = 0; i < 6; i++) { const t = performance.now(); const l = trainStep(model, optimizer, randomBatch(text, seq, batch, rng), 5, 0); await l.data(); l.dispose(); if (i >= 2) times.push(performance.now() - t); }
console.log('median step', times.sort((a, b) => a - b)[times.length >> 1].toFixed(1));
const info = await tf.profile(async () => { const l = trainStep(model, optimizer, randomBatch(text, seq, batch, rng), 5, 0); await l.data(); l.dispose(); });
const by = new Map<string, [number, number]>();
for (const k of info.kernels) { const key = k.name + ' ' + k.inputShapes.map((s) => JSON.stringify(s)).join('x'); const v = by.get(key) ?? [0, 0]; v[0] += k.kernelTimeMs as number; v[1]++; by.set(key, v); }
const total = [...by.values()].reduce((a, v) => a + v[0], 0);
console.log('profiled total', total.toFixed(1));
for (const [k, v] of [...by.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25)) console.log(v[0].toFixed(1).padStart(8), String(v[1]).padStart(5), k);
const g = globalThis as unknown as { T: Record<string, number[]> };
g.T = {};
{ const t = performance.now(); const l = trainStep(model, optimizer, randomBatch(text, seq, batch, rng), 5, 0); await l.data(); l.dispose(); console.log('step', performance.now() - t); }
for (const [k, v] of Object.entries(g.T)) console.log(k, v[0].toFixed(1), v[1]);
