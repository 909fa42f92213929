/**
 * Reading and making float32 tensors in the CPU and WASM backends' own memory, for kernels that
 * are plain loops (the fused LSTM cell, the fused Adam update).
 */
import * as tf from '@tensorflow/tfjs';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Reads and makes tensors in one backend's memory. */
export interface Memory {
  read(t: tf.TensorInfo): Float32Array;
  make(shape: number[]): { info: tf.TensorInfo; values: () => Float32Array };
}

export function cpuMemory(backend: KernelArgs['backend']): Memory {
  const cpu = backend as unknown as {
    data: { get(id: object): { values: Float32Array } };
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  return {
    read: (t) => cpu.data.get(t.dataId).values,
    make: (shape) => {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      return { info: cpu.makeTensorInfo(shape, 'float32', values), values: () => values };
    },
  };
}

/** On WASM: views into the heap, taken only after every allocation (the heap may grow). */
export function wasmMemory(backend: KernelArgs['backend']): Memory {
  const wasm = backend as unknown as {
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  };
  return {
    read: (t) => wasm.typedArrayFromHeap(t),
    make: (shape) => {
      const info = wasm.makeOutput(shape, 'float32');
      return { info, values: () => wasm.typedArrayFromHeap(info) };
    },
  };
}
