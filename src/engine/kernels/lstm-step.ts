/**
 * One LSTM timestep as one tfjs kernel each way, the recurrent matMul inside:
 * - LstmStep (zx [T,B,4U], prev [B,W], r [U,4U]; attr `step`) -> state [B,6U]: step `step` of
 *   the sequence, reading its slice of zx in place (no unstack) and the previous state's h and c.
 *   Given ids [B] as well, zx is a table [V,4U] and row b reads the table's row ids[b].
 * - LstmStepGrad (states [T,B,6U], state0 [B,2U], dy [T+1,B,U], next [B,5U], rt [4U,U]; `step`)
 *   -> grad [B,5U]: the backward of step `step`, the recurrent gradient (next's dz × Rᵀ) inside.
 *   At the last step `next` is not read: dc comes from dy's last slice (the final c's gradient).
 * Layouts: lstm-step-math.ts. Registered here for CPU (that file's loops) and WASM (the matMul
 * through the backend's own XNNPACK kernel, the cell as a loop on the heap); WebGPU's are in
 * lstm-step-gpu.ts (one WGSL program each way), WebGL's in lstm-step-webgl.ts (the backend's
 * matMul, then one GLSL cell program).
 */
import * as tf from '@tensorflow/tfjs';
import { GRAD_WIDTH, STATE_WIDTH, cell, cellGrad, dcSource, stepBackward, stepForward } from './lstm-step-math';
import { cpuMemory, wasmMemory, type KernelArgs, type Memory } from './memory';

export const LSTM_STEP = 'InklingLstmStep';
export const LSTM_STEP_GRAD = 'InklingLstmStepGrad';

type Ins = Record<string, tf.TensorInfo>;
const stepOf = (attrs: KernelArgs['attrs']) => (attrs as { step: number }).step;

/** Where a backward step reads: this step's state, the previous one, dOut, and the final c's gradient. */
function backwardViews(read: Memory['read'], { states, state0, dy }: Ins, t: number) {
  const [, B, W] = states.shape;
  const U = W / STATE_WIDTH;
  const [all, dys, rows] = [read(states), read(dy), B * W];
  const T = states.shape[0];
  return {
    state: all.subarray(t * rows, (t + 1) * rows),
    prev: t > 0 ? all.subarray((t - 1) * rows, t * rows) : read(state0),
    prevWidth: t > 0 ? W : 2 * U,
    dOut: dys.subarray(t * B * U, (t + 1) * B * U),
    dcLast: dys.subarray(T * B * U),
  };
}

/**
 * This step's input rows [B, 4U]: the step's slice of zx [T, B, 4U], or, given ids [B], the rows
 * of the table [V, 4U] they name (generation: the next characters' input projection).
 */
function stepInput(read: Memory['read'], { zx, ids }: Ins, B: number, U4: number, t: number): Float32Array {
  const all = read(zx);
  if (!ids) return all.subarray(t * B * U4, (t + 1) * B * U4);
  const which = read(ids) as unknown as Int32Array;
  const rows = new Float32Array(B * U4);
  for (let b = 0; b < B; b++) rows.set(all.subarray(which[b] * U4, (which[b] + 1) * U4), b * U4);
  return rows;
}

const inputWidth = ({ zx }: Ins) => zx.shape[zx.shape.length - 1]; // 4U
const rowsOf = ({ prev }: Ins) => prev.shape[0]; // B

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

type Backend = KernelArgs['backend'];
/** Runs the WASM backend's own BatchMatMul (XNNPACK) on two tensors of its heap. */
function wasmMatMul(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  return kernel({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
}

/** A [B, cols] copy of the first `cols` columns of `src`'s rows (`width` wide), on the heap. */
function wasmRows(memory: Memory, src: tf.TensorInfo, cols: number): { info: tf.TensorInfo } {
  const [B, width] = src.shape;
  const made = memory.make([B, cols]);
  const [from, to] = [memory.read(src), made.values()];
  for (let b = 0; b < B; b++) to.set(from.subarray(b * width, b * width + cols), b * cols);
  return made;
}

const dispose = (backend: Backend, ...infos: tf.TensorInfo[]) =>
  infos.forEach((i) => (backend as tf.KernelBackend).disposeData(i.dataId));

const wasmForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { prev, r } = inputs as Ins;
  const [B, U4] = [rowsOf(inputs as Ins), inputWidth(inputs as Ins)];
  const U = U4 / 4;
  const memory = wasmMemory(backend);
  const out = memory.make([B, U * STATE_WIDTH]);
  const h = wasmRows(memory, prev, U).info;
  const hr = wasmMatMul(backend, h, r);
  // heap views only now: every allocation above may have grown the heap
  const z = stepInput(memory.read, inputs as Ins, B, U4, stepOf(attrs));
  cell(z, memory.read(hr), memory.read(prev), prev.shape[1], B, U, out.values());
  dispose(backend, h, hr);
  return out.info;
};

const wasmBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { states, next, rt } = inputs as Ins;
  const [T, B, W] = states.shape;
  const [U, t] = [W / STATE_WIDTH, stepOf(attrs)];
  const memory = wasmMemory(backend);
  const out = memory.make([B, GRAD_WIDTH * U]);
  const dz = t < T - 1 ? wasmRows(memory, next, 4 * U).info : null;
  const dhRec = dz ? wasmMatMul(backend, dz, rt) : null;
  const v = backwardViews(memory.read, inputs as Ins, t);
  const dc = dcSource(dz ? memory.read(next) : null, v.dcLast, U);
  cellGrad(v.state, v.prev, v.prevWidth, v.dOut, dhRec && memory.read(dhRec), dc, B, U, out.values());
  if (dz) dispose(backend, dz, dhRec!);
  return out.info;
};

/** Registers a backend's pair of step kernels, once. */
export function registerStepKernels(backendName: string, forward: tf.KernelFunc, backward: tf.KernelFunc): void {
  if (!tf.getKernel(LSTM_STEP, backendName))
    tf.registerKernel({ kernelName: LSTM_STEP, backendName, kernelFunc: forward });
  if (!tf.getKernel(LSTM_STEP_GRAD, backendName))
    tf.registerKernel({ kernelName: LSTM_STEP_GRAD, backendName, kernelFunc: backward });
}

registerStepKernels('cpu', cpuForward, cpuBackward);
registerStepKernels('wasm', wasmForward, wasmBackward);

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
