/**
 * The sampling head as one tfjs kernel: the output layer and the draw of the next character.
 * InklingSampleHead (state [B, W], kernel [U, V], biases [S, B, V]; attr `step`) -> ids [B] int32:
 * for each row, argmax over v of (h · kernel[:, v] + biases[step, row, v]), h being the state's
 * first U columns (the step kernel's packed [h | c | ...] row). With Gumbel noise at the row's
 * temperature folded into the biases (sampling.ts) that argmax is a draw from the softmax.
 * One kernel where the ops took five (slice h, slice the bias, matMul, add, argMax): on a GPU each
 * is a dispatch, and a character's step is dispatch-bound. Registered here for CPU and WASM
 * (plain loops over the backend's memory); WebGPU's and WebGL's are in webgpu/ and webgl/sample-head.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelArgs } from './memory';

export const SAMPLE_HEAD = 'InklingSampleHead';

/** The reference maths; `out` gets each row's index of the largest logit (the first, on ties). */
export function sampleHeadMath(
  state: Float32Array,
  width: number,
  kernel: Float32Array,
  biases: Float32Array,
  dims: { B: number; U: number; V: number; step: number },
  out: Int32Array,
): void {
  const { B, U, V, step } = dims;
  const logits = new Float32Array(V);
  for (let b = 0; b < B; b++) {
    logits.set(biases.subarray((step * B + b) * V, (step * B + b + 1) * V));
    for (let j = 0; j < U; j++) {
      const h = state[b * width + j];
      for (let v = 0; v < V; v++) logits[v] += h * kernel[j * V + v];
    }
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[v] > logits[best]) best = v;
    out[b] = best;
  }
}

type Ins = Record<string, tf.TensorInfo>;
type Read = (t: tf.TensorInfo) => Float32Array;

/** The kernel on one backend's memory: `make` returns the output and, once made, its values. */
function headOn(read: Read, make: (B: number) => { info: tf.TensorInfo; values: () => Int32Array }) {
  return ({ inputs, attrs }: KernelArgs) => {
    const { state, kernel, biases } = inputs as Ins;
    const [U, V] = kernel.shape;
    const B = state.shape[0];
    const out = make(B); // before the views: on WASM an allocation may grow the heap
    const dims = { B, U, V, step: (attrs as { step: number }).step };
    sampleHeadMath(read(state), state.shape[1], read(kernel), read(biases), dims, out.values());
    return out.info;
  };
}

const cpu: tf.KernelFunc = (args) => {
  const backend = args.backend as unknown as {
    data: { get(id: object): { values: Float32Array } };
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Int32Array): tf.TensorInfo;
  };
  return headOn(
    (t) => backend.data.get(t.dataId).values,
    (B) => {
      const values = new Int32Array(B);
      return { info: backend.makeTensorInfo([B], 'int32', values), values: () => values };
    },
  )(args);
};

const wasm: tf.KernelFunc = (args) => {
  const backend = args.backend as unknown as {
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
  };
  return headOn(
    (t) => backend.typedArrayFromHeap(t) as Float32Array,
    (B) => {
      const info = backend.makeOutput([B], 'int32');
      return { info, values: () => backend.typedArrayFromHeap(info) as Int32Array };
    },
  )(args);
};

/** Registers a backend's head kernel, once. */
/** The shapes a GPU head program is written for (webgpu/ and webgl/sample-head.ts). */
export interface HeadDims {
  B: number; // rows
  U: number; // units (h is the state row's first U values)
  V: number; // vocabulary
  W: number; // state row width
}

/** A head's shapes from its inputs. */
export function headDims(inputs: Record<string, tf.TensorInfo>): HeadDims {
  const { state, kernel } = inputs;
  return { B: state.shape[0], W: state.shape[1], U: kernel.shape[0], V: kernel.shape[1] };
}

export function registerSampleHead(backendName: string, kernelFunc: tf.KernelFunc): void {
  if (!tf.getKernel(SAMPLE_HEAD, backendName)) tf.registerKernel({ kernelName: SAMPLE_HEAD, backendName, kernelFunc });
}

export const registerCpuSampleHead = () => registerSampleHead('cpu', cpu);
export const registerWasmSampleHead = () => registerSampleHead('wasm', wasm);

// Registered on import so that the engine runs under Node with no set-up (the table: registry.ts).
registerCpuSampleHead();
registerWasmSampleHead();

/**
 * The next ids [B] (int32): per row, argmax(h · kernel + biases[step]), h = state[:, :U].
 * state [B, W ≥ U], kernel [U, V], biases [S, B, V].
 */
export function sampleHead(state: tf.Tensor2D, kernel: tf.Tensor2D, biases: tf.Tensor3D, step: number): tf.Tensor1D {
  return tf.engine().runKernel(SAMPLE_HEAD, { state, kernel, biases }, { step }) as tf.Tensor1D;
}

/** The same with stock ops: the reference the unit tests hold the kernel to. */
export function sampleHeadByOps(state: tf.Tensor2D, kernel: tf.Tensor2D, biases: tf.Tensor3D, step: number) {
  return tf.tidy(() => {
    const [B, V] = [state.shape[0], kernel.shape[1]];
    const h = tf.slice(state, [0, 0], [B, kernel.shape[0]]);
    const bias = tf.reshape(tf.slice(biases, [step, 0, 0], [1, B, V]), [B, V]);
    return tf.argMax(tf.add(tf.matMul(h, kernel), bias), 1) as tf.Tensor1D;
  });
}
