/**
 * The WASM backend, served from this app's own origin: Vite emits the three `.wasm` builds
 * (plain, SIMD, threaded SIMD) as hashed assets and tfjs picks the one the browser supports.
 * Its matMul kernels are patched to transpose explicitly (see lib/wasm-kernels).
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'; // importing it registers the backend
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { patchWasmKernels } from '../engine/kernels/wasm';

let pathsSet = false;

/** Points tfjs at the bundled .wasm files (absolute URLs, resolved by Vite against this script). */
export function useBundledWasm(): void {
  if (pathsSet) return;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
  });
  pathsSet = true;
}

/** Everything the app needs before setBackend('wasm'): the files, and the faster matMul. */
export function prepareWasm(): void {
  useBundledWasm();
  patchWasmKernels();
}
