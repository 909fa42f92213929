/**
 * Dawn's Node binding (the `webgpu` npm package, installed by hand: `npm install --no-save
 * webgpu@0.6.2`, plus libvulkan1 and the GPU's Vulkan driver) as tfjs-backend-webgpu's device
 * under Node, with every error the device raises kept. Used by `npm run bench:gpu` and by
 * `npm run pretrain -- --backend webgpu`.
 */
import * as tf from '@tensorflow/tfjs';
import { useSoftwareGpuKernels } from '../src/engine/kernels/webgpu/matmul';
import { registerKernels } from '../src/engine/kernels/registry';

/** Dawn's navigator.gpu and its adapter, or a message saying what is missing. */
export async function dawn(): Promise<{ adapter: GPUAdapter } | string> {
  let webgpu: { create(options: string[]): GPU; globals: object };
  try {
    webgpu = (await import(/* @vite-ignore */ ['web', 'gpu'].join(''))) as typeof webgpu;
  } catch {
    return 'the `webgpu` package is not installed: npm install --no-save webgpu@0.6.2';
  }
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return "Dawn found no adapter: install libvulkan1 and the GPU's Vulkan driver";
  return { adapter };
}

/** Validation and out-of-memory errors the device raised: any is a bug (a program that never ran). */
export const gpuErrors: string[] = [];

/**
 * Registers tfjs' WebGPU backend on Dawn's adapter, with the device tfjs itself would request.
 * (tfjs registers 'webgpu' only if navigator.gpu exists when its module loads; under Node it
 * does not, since the app's kernels import the module before Dawn is loaded.)
 */
export async function registerDawnBackend(adapter: GPUAdapter): Promise<void> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  device.addEventListener('uncapturederror', (e) => {
    gpuErrors.push((e as GPUUncapturedErrorEvent).error.message.split('\n')[0]);
  });
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
}

/** Which matMuls WebGPU runs: `auto` as the app picks (the software-adapter ones on a fallback adapter). */
export type GpuKernels = 'auto' | 'software' | 'hardware';

/**
 * Starts tfjs' WebGPU backend on Dawn, set up as the app's worker sets it up (the same kernels
 * registered, the same matMul choice); returns the adapter in words. Throws a message saying what
 * is missing when there is no adapter.
 */
export async function startDawnWebGpu(kernels: GpuKernels = 'auto'): Promise<string> {
  const found = await dawn();
  if (typeof found === 'string') throw new Error(found);
  const info = found.adapter.info;
  await registerDawnBackend(found.adapter);
  registerKernels('webgpu'); // the app's worker's list
  registerKernels('webgl');
  const fallback =
    info.architecture === 'swiftshader' || Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const software = kernels === 'auto' ? fallback : kernels === 'software';
  useSoftwareGpuKernels(software); // the app: on for a software adapter, off for a GPU
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start WebGPU on this adapter');
  return `${info.vendor} ${info.architecture} ${info.description}, ${software ? 'software-adapter' : 'GPU'} matMuls`;
}
