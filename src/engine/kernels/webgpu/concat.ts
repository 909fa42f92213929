/**
 * WebGPU's Concat along the outermost axis (tf.stack of a sequence's steps, and the concat of the
 * initial state with the previous h's) as buffer-to-buffer copies, one per input, instead of
 * tfjs' concat programs: those take at most 7 inputs each, so stacking 64 steps ran 12 shaders
 * that compute every element's source index, which the software adapter runs slowly
 * (tests/bench/RESULTS.md, "WebGPU on the software adapter"); copies need no shader.
 * Reaches into the backend's command encoder as its own kernels do (tfjs-backend-webgpu 4.22):
 * the copies are recorded in order with the programs, and the inputs are held until the queue is
 * submitted, exactly as a program's inputs are.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerOuterConcat, sizeOf, type OuterJoin } from '../concat-outer';

/** The parts of tfjs-backend-webgpu's backend a copy needs (public in its JavaScript). */
interface Internals {
  tensorMap: { get(id: unknown): { resource: unknown } };
  commandEncoder: GPUCommandEncoder;
  commandQueueOwnedIds: WeakSet<object>;
  uploadToGPU(id: unknown): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
}

const bytes = (x: tf.TensorInfo) => 4 * sizeOf(x.shape);

/** The inputs copied end to end into a new tensor; null where one is not a buffer. */
const copyConcat: OuterJoin = (parts, { shape }, backend) => {
  const b = backend as unknown as Internals;
  parts.forEach((x) => b.uploadToGPU(x.dataId));
  const sources = parts.map((x) => b.tensorMap.get(x.dataId).resource);
  if (!sources.every((s) => s instanceof GPUBuffer)) return null; // a texture-backed input: tfjs' way
  const out = (backend as WebGPUBackend).makeTensorInfo(shape, parts[0].dtype);
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
};

/** Replaces WebGPU's Concat and Pack, once: outermost-axis ones copy, the rest keep tfjs' programs. */
export const registerCopyConcat = () => registerOuterConcat('webgpu', copyConcat);
