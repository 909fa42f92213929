/**
 * The backend pretraining runs on: tfjs' WASM backend with the app's SIMD kernels (one thread, any
 * machine), or WebGPU through Dawn under Node, set up as the app's worker sets it up, for a machine
 * with a GPU (see scripts/dawn.ts for what it needs).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../src/engine/kernels/registry';
import { gpuErrors, startDawnWebGpu } from '../dawn';
import type { PretrainBackend } from './options';
import { startGemmThread, startThreadedWasm } from './wasm-threads';

/** Starts `name` (WASM: on `threads` threads, see wasm-threads.ts); returns the device in words. */
export async function startBackend(name: PretrainBackend, threads: 1 | 2 = 1): Promise<string> {
  tf.env().set('PROD', true);
  if (name === 'webgpu') return `WebGPU on ${await startDawnWebGpu()}`;
  registerKernels('wasm');
  if (threads === 2) {
    if (!(await startThreadedWasm())) throw new Error('tfjs could not start its threaded WASM build');
    if (!(await startGemmThread())) throw new Error('the matMul helper thread did not start: use --threads 1');
    return 'WASM backend, two threads (matMuls split with a helper thread)';
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its WASM backend');
  return 'WASM backend, one thread';
}

/** Throws when the GPU device raised an error: some program never ran, so the weights are not to be trusted. */
export function assertDeviceHealthy(): void {
  if (gpuErrors.length) throw new Error(`the GPU device raised ${gpuErrors.length} error(s): ${gpuErrors[0]}`);
}
