/**
 * The WASM backend, served from this app's own origin: Vite emits the three `.wasm` builds
 * (plain, SIMD, threaded SIMD) as hashed assets and tfjs picks the one the browser supports.
 * Its matMul kernels are patched to transpose explicitly (see lib/wasm-kernels).
 *
 * Threads: where the page is cross-origin isolated (COOP/COEP headers: `npm start` sends them),
 * tfjs loads its threaded build and XNNPACK splits each matMul across one thread per core.
 * tfjs sizes its pool as `hardwareConcurrency / 2` (it assumes two logical cores per physical
 * one), which is a single thread on a 2-core machine; so the worker reports twice its cores (the
 * module's start-up code reads the figure once; nothing else here reads it) and asks for one
 * thread per core, at most 4.
 */
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'; // importing it registers the backend
import * as tf from '@tensorflow/tfjs';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { patchWasmKernels } from '../engine/kernels/wasm';

export const MAX_WASM_THREADS = 4; // XNNPACK gains little beyond this on a training step's small matMuls

let pathsSet = false;

/** Points tfjs at the bundled .wasm files (absolute URLs, resolved by Vite against this script). */
export function useBundledWasm(): void {
  if (pathsSet) return;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
  });
  if (self.crossOriginIsolated) {
    const cores = navigator.hardwareConcurrency || 1;
    // read by the module's start-up code (emscripten_num_logical_cores) when tfjs instantiates it
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores * 2, configurable: true });
    setThreadsCount(Math.min(MAX_WASM_THREADS, cores));
  }
  pathsSet = true;
}

/** Everything the app needs before setBackend('wasm'): the files, and the faster matMul. */
export function prepareWasm(): void {
  useBundledWasm();
  patchWasmKernels();
}

/** The threads XNNPACK runs on, once the WASM backend has started; null before, or on another backend. */
export function wasmThreads(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const n = getThreadsCount();
  return n > 0 ? n : null;
}
