/**
 * WebGPU's Concat along the outermost axis (tf.stack of a sequence's steps, and the concat of the
 * initial state with the previous h's) as buffer-to-buffer copies, one per input, instead of
 * tfjs' concat programs: those take at most 7 inputs each, so stacking 64 steps ran 12 shaders
 * that compute every element's source index. On the software adapter the two stacks of a
 * training step took ~1.3 s (README, "WebGPU on the software adapter"); copies need no shader.
 * Reaches into the backend's command encoder as its own kernels do (tfjs-backend-webgpu 4.22):
 * the copies are recorded in order with the programs, and the inputs are held until the queue is
 * submitted, exactly as a program's inputs are. Imported by the worker only.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The parts of tfjs-backend-webgpu's backend a copy needs (public in its JavaScript). */
interface Internals {
  tensorMap: { get(id: unknown): { resource: unknown } };
  commandEncoder: GPUCommandEncoder;
  commandQueueOwnedIds: WeakSet<object>;
  uploadToGPU(id: unknown): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
}

const bytes = (x: tf.TensorInfo) => 4 * x.shape.reduce((p, d) => p * d, 1);

/** Whether the inputs lie end to end in the output: every axis before `axis` has size 1. */
function contiguous(xs: tf.TensorInfo[], axis: number): boolean {
  const dtype = xs[0].dtype;
  if (dtype !== 'float32' && dtype !== 'int32') return false;
  return xs.every((x) => x.dtype === dtype && x.shape.slice(0, axis).every((d) => d === 1));
}

/** The inputs copied end to end into a new tensor of `shape`; null where one is not a buffer. */
function copyConcat(xs: tf.TensorInfo[], shape: number[], backend: WebGPUBackend): tf.TensorInfo | null {
  const b = backend as unknown as Internals;
  const parts = xs.filter((x) => bytes(x) > 0);
  if (parts.length === 0) return null; // an empty result: tfjs' kernel makes it without a buffer
  parts.forEach((x) => b.uploadToGPU(x.dataId));
  const sources = parts.map((x) => b.tensorMap.get(x.dataId).resource);
  if (!sources.every((s) => s instanceof GPUBuffer)) return null; // a texture-backed input: tfjs' way
  const out = backend.makeTensorInfo(shape, xs[0].dtype);
  b.uploadToGPU(out.dataId);
  const target = b.tensorMap.get(out.dataId).resource as GPUBuffer;
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  let offset = 0;
  parts.forEach((x, i) => {
    b.commandEncoder.copyBufferToBuffer(sources[i] as GPUBuffer, 0, target, offset, bytes(x));
    b.commandQueueOwnedIds.add(x.dataId);
    offset += bytes(x);
  });
  b.commandQueueOwnedIds.add(out.dataId);
  return out;
}

/** Concat (`stack` false) or Pack (tf.stack, `stack` true) along the outermost axis, else tfjs'. */
function copying(stock: tf.KernelFunc, stack: boolean): tf.KernelFunc {
  return function copyConcatKernel(args) {
    const xs = Object.values(args.inputs) as tf.TensorInfo[];
    const rank = (xs[0]?.shape.length ?? 0) + (stack ? 1 : 0);
    const axis = ((args.attrs as { axis: number }).axis + rank) % Math.max(rank, 1);
    if (xs.length < 2 || !contiguous(xs, stack ? 0 : axis) || (stack && axis !== 0)) return stock(args);
    const shape = stack ? [xs.length, ...xs[0].shape] : [...xs[0].shape];
    if (!stack) shape[axis] = xs.reduce((sum, x) => sum + x.shape[axis], 0);
    return copyConcat(xs, shape, args.backend as WebGPUBackend) ?? stock(args);
  };
}

/** Replaces WebGPU's Concat and Pack, once: outermost-axis ones copy, the rest keep tfjs' programs. */
export function registerCopyConcat(): void {
  for (const [name, stack] of [
    ['Concat', false],
    ['Pack', true],
  ] as const) {
    const stock = tf.getKernel(name, 'webgpu');
    if (!stock || stock.kernelFunc.name === 'copyConcatKernel') continue;
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ ...stock, kernelFunc: copying(stock.kernelFunc, stack) });
  }
}
