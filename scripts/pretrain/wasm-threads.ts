/**
 * The page's two-thread matMul under Node (`npm run pretrain -- --threads 2`): tfjs' threaded SIMD
 * build, whose heap is a shared memory, and a node:worker_threads helper that runs gemm.wat on
 * that heap, splitting each large matMul with this thread as the page's gemm-helper worker does
 * (src/engine/kernels/wasm/gemm-pair.ts).
 *
 * tfjs-backend-wasm turns threads off under Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is false
 * there) because its emscripten glue hands each pthread its scripts as Blob URLs, which Node's
 * Worker cannot load. The glue itself supports worker_threads; so while the backend starts, the
 * two Blobs it makes (the pthread worker's script and the module's factory) are written to a
 * temporary folder and their paths given instead.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import pairSource from '../../src/engine/kernels/wasm/gemm-pair.ts?raw';
import { CONTROL_BYTES, callsPosted, stopGemmHelper } from '../../src/engine/kernels/wasm/gemm-pair';
import { GEMM_WASM_SHARED } from '../../src/engine/kernels/wasm/generated/gemm.generated';
import { attachGemmHelper, isShared, wasmHeapMemory } from '../../src/engine/kernels/wasm/modules';

const FACTORY = 'var WasmBackendModuleThreadedSimd';
// The factory's source refers to these names of tfjs' Node bundle; the pthread worker lacks them.
const FACTORY_PRELUDE =
  "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), " +
  "require$$4 = require('os'), commonjsGlobal = globalThis;\n";
const HELPER_START_MS = 10_000;

/**
 * Starts tfjs' WASM backend from its threaded SIMD build (kernels registered beforehand, as for
 * the plain one). XNNPACK keeps one thread: the second core is gemm.wat's helper's.
 */
export async function startThreadedWasm(): Promise<boolean> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  setThreadsCount(1);
  const dir = mkdtempSync(join(tmpdir(), 'inkling-wasm-'));
  const factory = join(dir, 'factory.js');
  const texts = new WeakMap<Blob, string>();
  const [RealBlob, createObjectURL] = [globalThis.Blob, URL.createObjectURL];
  globalThis.Blob = class extends RealBlob {
    constructor(parts: BlobPart[] = [], options?: BlobPropertyBag) {
      super(parts, options);
      const text = parts.every((p) => typeof p === 'string') ? parts.join('') : '';
      texts.set(this, text);
      // posted to each pthread as a Blob, which the worker script below reads as this file instead
      if (text.startsWith(FACTORY)) writeFileSync(factory, FACTORY_PRELUDE + text);
    }
  };
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (!text || text.startsWith(FACTORY)) return createObjectURL(blob);
    const file = join(dir, 'pthread.js'); // the pthread worker's script
    const redirect = `URL.createObjectURL = () => ${JSON.stringify(factory)}; URL.revokeObjectURL = () => {};\n`;
    writeFileSync(file, redirect + text);
    return file;
  };
  try {
    return (await tf.setBackend('wasm')) && isShared(wasmHeapMemory(tf.backend())!);
  } finally {
    [globalThis.Blob, URL.createObjectURL] = [RealBlob, createObjectURL];
  }
}

/** gemm-pair.ts as CommonJS: the helper thread's loop (serveGemm), from the module the app runs. */
const pairCode = () =>
  ts.transpileModule(pairSource, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;

let helper: { worker: Worker; control: Int32Array } | null = null;

/**
 * Starts gemm.wat's helper thread on the shared heap of the running WASM backend and splits its
 * matMuls with it; false where it cannot (not the threaded build, or the helper did not start).
 */
export async function startGemmThread(): Promise<boolean> {
  const memory = tf.getBackend() === 'wasm' ? wasmHeapMemory(tf.backend()) : null;
  if (!memory || !isShared(memory)) return false;
  const module = new WebAssembly.Module(Uint8Array.from(atob(GEMM_WASM_SHARED), (c) => c.charCodeAt(0)));
  const shared = new SharedArrayBuffer(CONTROL_BYTES);
  const control = new Int32Array(shared);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const pair = {};
    (function (exports) { ${pairCode()} })(pair);
    let gemm = null;
    try {
      gemm = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
    } catch {}
    parentPort.postMessage(gemm ? 'ready' : 'failed');
    if (gemm) pair.serveGemm(gemm, new Int32Array(workerData.control));`;
  const worker = new Worker(code, { eval: true, workerData: { module, memory, control: shared } });
  worker.unref(); // the process ends when training does, whatever the helper is doing
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), HELPER_START_MS);
    worker.once('message', (m) => (clearTimeout(timer), resolve(m === 'ready')));
    worker.once('error', () => (clearTimeout(timer), resolve(false)));
  });
  if (!ready || !attachGemmHelper(memory, control)) {
    stopGemmHelper(control);
    await worker.terminate();
    return false;
  }
  helper = { worker, control };
  return true;
}

/** How many matMuls the helper thread has been handed half of (0 with none). */
export const gemmThreadCalls = () => (helper ? callsPosted(helper.control) : 0);

/** Ends the helper thread: the matMuls go back to one thread (XNNPACK's, on the threaded build). */
export async function stopGemmThread(): Promise<void> {
  if (!helper) return;
  stopGemmHelper(helper.control);
  await helper.worker.terminate();
  helper = null;
}
