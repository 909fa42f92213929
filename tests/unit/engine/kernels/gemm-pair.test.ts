/**
 * gemm.wat on two threads (gemm-pair.ts): a real second thread (a Node worker running the module's
 * own serveGemm, transpiled) on a shared memory. Split calls give exactly what one thread gives;
 * a helper that dies mid-run costs time, never a wrong or missing half; stopping ends its loop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import {
  CONTROL_BYTES,
  callsPosted,
  helperReady,
  pairedGemm,
  stopGemmHelper,
} from '../../../../src/engine/kernels/wasm/gemm-pair';
import { GEMM_WASM_SHARED } from '../../../../src/engine/kernels/wasm/generated/gemm.generated';
import type { WasmGemm } from '../../../../src/engine/kernels/wasm/modules';
import { Rng } from '../../../../src/data/rng';

const module = new WebAssembly.Module(Buffer.from(GEMM_WASM_SHARED, 'base64'));
const source = readFileSync(new URL('../../../../src/engine/kernels/wasm/gemm-pair.ts', import.meta.url), 'utf8');
const pairCode = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;

/** A worker serving `control` with serveGemm, as worker/gemm-helper.ts does in the browser. */
function startHelper(memory: WebAssembly.Memory, control: SharedArrayBuffer): Worker {
  const code = `
    const { workerData } = require('node:worker_threads');
    const pair = {};
    (function (exports) { ${pairCode} })(pair);
    const gemm = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
    pair.serveGemm(gemm, new Int32Array(workerData.control));`;
  return new Worker(code, { eval: true, workerData: { module, memory, control } });
}

async function whenReady(control: Int32Array) {
  for (let i = 0; i < 500 && !helperReady(control); i++) await new Promise((r) => setTimeout(r, 10));
  expect(helperReady(control)).toBe(true);
}

/** a [M, K] and panels for [K, N] (N a multiple of 8) at fixed places on a fresh shared heap. */
function setup(M: number, K: number, N: number) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmGemm;
  const [a, wp] = [4096, 4096 + M * K * 4 + 64];
  const out = wp + K * N * 4 + 64;
  const heap = new Float32Array(memory.buffer);
  const rng = new Rng(M * 31 + N);
  for (let i = 0; i < M * K + K * N + 16; i++) heap[a / 4 + i] = rng.next() * 2 - 1;
  const run = (g: WasmGemm) => {
    heap.fill(0, out / 4, out / 4 + Math.ceil(M / 4) * 4 * N);
    g.gemm(a, K * 4, wp, M, K, N, out, N * 4, 0);
    return heap.slice(out / 4, out / 4 + M * N);
  };
  return { memory, gemm, run };
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe('gemm.wat on two threads', () => {
  it.each([
    [64, 128, 512], // a training step's recurrent matMul
    [67, 200, 24], // rows past a block of 4; columns split 16 + 8
    [128, 512, 136], // more panels than one thread's half
  ])('a split [%i, %i] × [·, %i] equals one thread, value for value', async (M, K, N) => {
    const { memory, gemm, run } = setup(M, K, N);
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    workers.push(startHelper(memory, control));
    await whenReady(new Int32Array(control));
    const paired = pairedGemm(gemm, new Int32Array(control), 2000);
    const [alone, split] = [run(gemm), run(paired)];
    expect(callsPosted(new Int32Array(control))).toBe(1); // half of the call went to the helper
    expect(helperReady(new Int32Array(control))).toBe(true); // which answered it
    expect(split).toEqual(alone);
    expect(alone.some((v) => v !== 0)).toBe(true);
  });

  it('without a ready helper, or for a small call, runs on one thread', () => {
    const { gemm, run } = setup(8, 16, 16);
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    expect(run(pairedGemm(gemm, control))).toEqual(run(gemm));
    expect(callsPosted(control)).toBe(0);
  });

  it('a helper that dies mid-run: its half is done here, and later calls stay on this thread', async () => {
    const { memory, gemm, run } = setup(64, 128, 512);
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    const helper = startHelper(memory, control.buffer as SharedArrayBuffer);
    await whenReady(control);
    await helper.terminate(); // killed, as a closing page kills it: still marked ready
    const paired = pairedGemm(gemm, control, 50);
    expect(run(paired)).toEqual(run(gemm)); // after 50 ms without an answer
    expect(helperReady(control)).toBe(false);
    const posted = callsPosted(control);
    expect(run(paired)).toEqual(run(gemm));
    expect(callsPosted(control)).toBe(posted); // not posted again
  });

  it('stopGemmHelper ends the helper loop', async () => {
    const { memory } = setup(4, 4, 8);
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const helper = startHelper(memory, control);
    await whenReady(new Int32Array(control));
    const exited = new Promise<number>((done) => helper.once('exit', done));
    stopGemmHelper(new Int32Array(control));
    expect(await exited).toBe(0);
    expect(helperReady(new Int32Array(control))).toBe(false);
  });
});
