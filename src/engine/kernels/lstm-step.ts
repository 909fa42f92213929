/**
 * One LSTM timestep as one tfjs kernel each way, the recurrent matMul inside:
 * - LstmStep (zx [T,B,4U], prev [B,W], r [U,4U]; attr `step`) -> state [B,6U]: step `step` of
 *   the sequence, reading its slice of zx in place (no unstack) and the previous state's h and c.
 *   Given ids [B] as well, zx is a table [V,4U] and row b reads the table's row ids[b].
 * - LstmStepGrad (states [T,B,6U], state0 [B,2U], dy [T+1,B,U], next [B,5U], rt [4U,U]; `step`)
 *   -> grad [B,5U]: the backward of step `step`, the recurrent gradient (next's dz × Rᵀ) inside.
 *   At the last step `next` is not read: dc comes from dy's last slice (the final c's gradient).
 * Layouts: lstm-step-math.ts. Registered here for CPU (that file's loops) and WASM
 * (wasm/lstm-step.ts: the backend's XNNPACK matMul, then a SIMD cell on its heap); WebGPU's are in
 * webgpu/lstm-step.ts (one WGSL program each way), WebGL's in webgl/lstm-step.ts (two packed
 * programs each way: a matMul, then the cell).
 */
import * as tf from '@tensorflow/tfjs';
import { GRAD_WIDTH, STATE_WIDTH, stepBackward, stepForward } from './lstm-step-math';
import { backwardViews, inputWidth, rowsOf, stepInput, stepOf, type Ins } from './lstm-step-views';
import { wasmBackward, wasmForward } from './wasm/lstm-step';
import { cpuMemory } from './memory';

export const LSTM_STEP = 'InklingLstmStep';
export const LSTM_STEP_GRAD = 'InklingLstmStepGrad';

const cpuForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { prev, r } = inputs as Ins;
  const [B, U4] = [rowsOf(inputs as Ins), inputWidth(inputs as Ins)];
  const memory = cpuMemory(backend);
  const out = memory.make([B, (U4 / 4) * STATE_WIDTH]);
  const z = stepInput(memory.read, inputs as Ins, B, U4, stepOf(attrs));
  stepForward(z, memory.read(prev), prev.shape[1], memory.read(r), B, U4 / 4, out.values());
  return out.info;
};

const cpuBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [T, B, W] = (inputs as Ins).states.shape;
  const U = W / STATE_WIDTH;
  const t = stepOf(attrs);
  const memory = cpuMemory(backend);
  const out = memory.make([B, GRAD_WIDTH * U]);
  const views = backwardViews(memory.read, inputs as Ins, t);
  const next = t < T - 1 ? memory.read((inputs as Ins).next) : null;
  stepBackward(views, next, views.dcLast, memory.read((inputs as Ins).rt), B, U, out.values());
  return out.info;
};

/** Registers a backend's pair of step kernels, once. */
export function registerStepKernels(backendName: string, forward: tf.KernelFunc, backward: tf.KernelFunc): void {
  if (!tf.getKernel(LSTM_STEP, backendName))
    tf.registerKernel({ kernelName: LSTM_STEP, backendName, kernelFunc: forward });
  if (!tf.getKernel(LSTM_STEP_GRAD, backendName))
    tf.registerKernel({ kernelName: LSTM_STEP_GRAD, backendName, kernelFunc: backward });
}

export const registerCpuStepKernels = () => registerStepKernels('cpu', cpuForward, cpuBackward);
export const registerWasmStepKernels = () => registerStepKernels('wasm', wasmForward, wasmBackward);

// Registered on import so that the engine runs under Node with no set-up (the table: registry.ts).
registerCpuStepKernels();
registerWasmStepKernels();

/** Whether the current backend has the step kernels (CPU, WASM; WebGPU and WebGL once the worker registers them). */
export const hasStepKernels = () => tf.getKernel(LSTM_STEP_GRAD, tf.getBackend()) !== undefined;

/** Step `step` forward: zx [T, B, 4U], prev [B, 2U] or [B, 6U], R [U, 4U] -> state [B, 6U]. */
export function lstmStep(zx: tf.Tensor3D, prev: tf.Tensor2D, R: tf.Tensor2D, step: number): tf.Tensor2D {
  return tf.engine().runKernel(LSTM_STEP, { zx, prev, r: R }, { step }) as tf.Tensor2D;
}

/**
 * One step forward whose input rows are looked up: table [V, 4U] (each character's input
 * projection), ids [B] int32, prev [B, 2U] or [B, 6U], R [U, 4U] -> state [B, 6U]. Generation's
 * step: the gather done inside the kernel, one dispatch fewer a character.
 */
export function lstmStepFromTable(table: tf.Tensor2D, ids: tf.Tensor1D, prev: tf.Tensor2D, R: tf.Tensor2D) {
  return tf.engine().runKernel(LSTM_STEP, { zx: table, prev, r: R, ids }, { step: 0 }) as tf.Tensor2D;
}

/**
 * Step `step` backward: states [T, B, 6U] (every step's), state0 [B, 2U], dy [T+1, B, U], next
 * [B, 5U] (the next step's result; anything at the last step), Rt [4U, U] -> grad [B, 5U].
 */
export function lstmStepGrad(
  s: { states: tf.Tensor3D; state0: tf.Tensor2D; dy: tf.Tensor3D },
  next: tf.Tensor2D,
  Rt: tf.Tensor2D,
  step: number,
): tf.Tensor2D {
  const inputs = { states: s.states, state0: s.state0, dy: s.dy, next, rt: Rt };
  return tf.engine().runKernel(LSTM_STEP_GRAD, inputs, { step }) as tf.Tensor2D;
}
