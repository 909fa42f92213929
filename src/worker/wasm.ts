/**
 * The WASM backend, served from this app's own origin: Vite emits the three `.wasm` builds
 * (plain, SIMD, threaded SIMD) as hashed assets and tfjs picks the one the browser supports.
 * Inkling's WASM kernels (src/engine/kernels/registry.ts: registerKernels('wasm')) replace some of
 * its stock ones.
 *
 * Threads: where the page is cross-origin isolated (COOP/COEP headers: `npm start` sends them),
 * tfjs loads its threaded build and XNNPACK splits each matMul across one thread per core.
 * tfjs sizes its pool as `hardwareConcurrency / 2` (it assumes two logical cores per physical
 * one), which is a single thread on a 2-core machine; so the worker reports twice its cores (the
 * module's start-up code reads the figure once; nothing else here reads it) and asks for one
 * thread per core, at most 4. Our own matMul (gemm.wat) runs there on two threads: this one and
 * a helper worker on the same shared heap (startGemmHelper, engine/kernels/gemm-pair.ts).
 */
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'; // importing it registers the backend
import * as tf from '@tensorflow/tfjs';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerKernels } from '../engine/kernels/registry';
import { CONTROL_BYTES, stopGemmHelper } from '../engine/kernels/wasm/gemm-pair';
import { attachGemmHelper, isShared, wasmHeapMemory } from '../engine/kernels/wasm/modules';
import type { GemmHelperStart } from './gemm-helper';

export const MAX_WASM_THREADS = 4; // XNNPACK gains little beyond this on a training step's small matMuls
const HELPER_START_MS = 10_000; // a helper not ready by then is given up: XNNPACK keeps the matMuls

let pathsSet = false;
let cores = 1; // the machine's, before the figure reported to the module is doubled

/** Points tfjs at the bundled .wasm files (absolute URLs, resolved by Vite against this script). */
export function useBundledWasm(): void {
  if (pathsSet) return;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
  });
  if (self.crossOriginIsolated) {
    cores = navigator.hardwareConcurrency || 1;
    // read by the module's start-up code (emscripten_num_logical_cores) when tfjs instantiates it
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores * 2, configurable: true });
    setThreadsCount(Math.min(MAX_WASM_THREADS, cores));
  }
  pathsSet = true;
}

/** Everything the app needs before setBackend('wasm'): the files, and the faster matMul. */
export function prepareWasm(): void {
  useBundledWasm();
  registerKernels('wasm');
}

/** The threads XNNPACK runs on, once the WASM backend has started; null before, or on another backend. */
export function wasmThreads(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const n = getThreadsCount();
  return n > 0 ? n : null;
}

let helper: Promise<boolean> | null = null;

/**
 * On the threaded build, once the WASM backend has started: a helper worker that runs half of
 * each large gemm.wat matMul on the shared heap. Resolves whether one is serving; without one,
 * XNNPACK runs the matMuls on its threads, as before.
 */
export function startGemmHelper(): Promise<boolean> {
  const memory = tf.getBackend() === 'wasm' ? wasmHeapMemory(tf.backend()) : null;
  if (!memory || !isShared(memory) || cores < 2) return Promise.resolve(false);
  helper ??= new Promise<boolean>((resolve) => {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const worker = new Worker(new URL('./gemm-helper.ts', import.meta.url), { type: 'module', name: 'gemm-helper' });
    // Settles once; an error after 'ready' still stops the helper, and the matMuls go back to XNNPACK.
    const give = (ready: boolean) => {
      clearTimeout(timer);
      if (!ready) {
        stopGemmHelper(new Int32Array(control));
        worker.terminate();
      }
      resolve(ready && attachGemmHelper(memory, new Int32Array(control)));
    };
    const timer = setTimeout(() => give(false), HELPER_START_MS);
    worker.onmessage = (event: MessageEvent<string>) => give(event.data === 'ready');
    worker.onerror = () => give(false);
    worker.postMessage({ memory, control } satisfies GemmHelperStart);
  });
  return helper;
}
