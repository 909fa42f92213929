/**
 * WebGPU's AddN in sums a device can run. A WebGPU device has 8 storage buffers per shader stage
 * unless it asks for more (the spec's default, which tfjs keeps; Chromium's and Dawn's devices
 * report 8), one of them the output. tfjs-backend-webgpu 4.22's AddN builds one program over every
 * input: with more than 7 the pipeline fails validation, never runs, and the sum is whatever the
 * output buffer held. A 2-layer model's gradient norm (clipping) sums 9 tensors, an unfrozen
 * classifier's 10 or more. Here a longer sum runs as sums of at most `limit` inputs, then a sum
 * of those.
 */
import * as tf from '@tensorflow/tfjs';

interface WithDevice {
  device?: { limits: { maxStorageBuffersPerShaderStage: number } };
}

/** AddN over any number of inputs, through `stock` called with at most `limit(backend)` inputs. */
export function splitAddN(stock: tf.KernelFunc, limit: (backend: unknown) => number): tf.KernelFunc {
  return function splitAddN(args) {
    const inputs = args.inputs as unknown as tf.TensorInfo[];
    const most = Math.max(2, limit(args.backend));
    if (inputs.length <= most) return stock(args);
    const backend = args.backend as tf.KernelBackend;
    const parts: tf.TensorInfo[] = [];
    try {
      for (let i = 0; i < inputs.length; i += most) {
        const chunk = inputs.slice(i, i + most);
        parts.push(chunk.length === 1 ? chunk[0] : (stock({ ...args, inputs: chunk as never }) as tf.TensorInfo));
      }
      return splitAddN({ ...args, inputs: parts as never });
    } finally {
      for (const p of parts) if (!inputs.includes(p)) backend.disposeData(p.dataId);
    }
  };
}

/** The most inputs one WebGPU AddN program may read: the device's storage buffers, less the output. */
const webgpuLimit = (backend: unknown) =>
  ((backend as WithDevice).device?.limits.maxStorageBuffersPerShaderStage ?? 8) - 1;

/** Replaces WebGPU's AddN, once. */
export function registerSplitAddN(): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock || stock.kernelFunc.name === 'splitAddN') return;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc: splitAddN(stock.kernelFunc, webgpuLimit) });
}
