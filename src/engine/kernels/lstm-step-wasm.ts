/**
 * The step kernels on tfjs-backend-wasm: the recurrent matMul through the backend's own
 * BatchMatMul (XNNPACK), the cell through the SIMD module of lstm-cell.wat on the backend's heap
 * (wasm-cell.ts), or through the JavaScript loops of lstm-step-math.ts where that cannot run.
 */
import * as tf from '@tensorflow/tfjs';
import { GRAD_WIDTH, STATE_WIDTH, cell, cellGrad, dcSource } from './lstm-step-math';
import { backwardViews, inputWidth, rowsOf, stepInput, stepOf, type Ins } from './lstm-step-views';
import { wasmMemory, type KernelArgs, type Memory } from './memory';
import { wasmCell, wasmSimd } from './wasm-simd';

type Backend = KernelArgs['backend'];
const BYTES = 4; // float32

/** Runs the WASM backend's own BatchMatMul (XNNPACK) on two tensors of its heap. */
function wasmMatMul(backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  return kernel({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
}

/**
 * Up to this many rows (a step of generation, or of Try it), the recurrent matMul runs in
 * simd.wat on this thread: XNNPACK splits even one row across its threads, where the hand-off
 * costs more than the row's arithmetic.
 */
export const SMALL_ROWS = 4;

/** a [B, K] × b [K, N] on the heap: simd.wat's matMulRows for a few rows, else XNNPACK's. */
function stepMatMul(backend: Backend, memory: Memory, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const [[B, K], N] = [a.shape, b.shape[1]];
  const simd = B <= SMALL_ROWS && N % 16 === 0 ? wasmSimd(backend) : null;
  if (!simd) return wasmMatMul(backend, a, b);
  const out = memory.make([B, N]);
  const at = (t: tf.TensorInfo) => memory.read(t).byteOffset; // after make: the heap may have grown
  simd.matMulRows(at(a), at(b), B, K, N, at(out.info));
  return out.info;
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

/**
 * The byte offset of this step's input rows [B, 4U]: zx's slice in place, or (generation, given
 * ids) a heap copy of the table rows they name, returned as `temp` for the caller to dispose.
 */
function inputAt(memory: Memory, inputs: Ins, B: number, U4: number, t: number) {
  if (!inputs.ids) return { at: memory.read(inputs.zx).byteOffset + t * B * U4 * BYTES, temp: null };
  const temp = memory.make([B, U4]);
  temp.values().set(stepInput(memory.read, inputs, B, U4, t));
  return { at: temp.values().byteOffset, temp: temp.info };
}

export const wasmForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { prev, r } = inputs as Ins;
  const [B, U4] = [rowsOf(inputs as Ins), inputWidth(inputs as Ins)];
  const U = U4 / 4;
  const memory = wasmMemory(backend);
  const out = memory.make([B, U * STATE_WIDTH]);
  const h = wasmRows(memory, prev, U).info;
  const hr = stepMatMul(backend, memory, h, r);
  const simd = wasmCell(backend, U);
  if (simd) {
    const z = inputAt(memory, inputs as Ins, B, U4, stepOf(attrs));
    const at = (t: tf.TensorInfo) => memory.read(t).byteOffset; // heap views only now: it may have grown
    simd.cell(z.at, at(hr), at(prev), prev.shape[1], B, U, at(out.info));
    if (z.temp) dispose(backend, z.temp);
  } else {
    const z = stepInput(memory.read, inputs as Ins, B, U4, stepOf(attrs));
    cell(z, memory.read(hr), memory.read(prev), prev.shape[1], B, U, out.values());
  }
  dispose(backend, h, hr);
  return out.info;
};

/** The SIMD backward of step t: the same reads as `backwardViews`, as heap offsets. */
function simdBackward(memory: Memory, inputs: Ins, t: number, dhRec: tf.TensorInfo | null, out: tf.TensorInfo) {
  const { states, state0, dy, next } = inputs;
  const [T, B, W] = states.shape;
  const U = W / STATE_WIDTH;
  const at = (x: tf.TensorInfo) => memory.read(x).byteOffset;
  const prev = t > 0 ? at(states) + (t - 1) * B * W * BYTES : at(state0);
  const dc = dhRec
    ? { at: at(next) + 4 * U * BYTES, width: GRAD_WIDTH * U }
    : { at: at(dy) + T * B * U * BYTES, width: U };
  const dOut = at(dy) + t * B * U * BYTES;
  const state = at(states) + t * B * W * BYTES;
  return { state, prev, prevW: t > 0 ? W : 2 * U, dOut, dhRec: dhRec ? at(dhRec) : 0, dc, B, U, out: at(out) };
}

export const wasmBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { states, next, rt } = inputs as Ins;
  const [T, B, W] = states.shape;
  const [U, t] = [W / STATE_WIDTH, stepOf(attrs)];
  const memory = wasmMemory(backend);
  const out = memory.make([B, GRAD_WIDTH * U]);
  const dz = t < T - 1 ? wasmRows(memory, next, 4 * U).info : null;
  const dhRec = dz ? stepMatMul(backend, memory, dz, rt) : null;
  const simd = wasmCell(backend, U);
  if (simd) {
    const p = simdBackward(memory, inputs as Ins, t, dhRec, out.info);
    simd.cellGrad(p.state, p.prev, p.prevW, p.dOut, p.dhRec, p.dc.at, p.dc.width, B, U, p.out);
  } else {
    const v = backwardViews(memory.read, inputs as Ins, t);
    const dc = dcSource(dz ? memory.read(next) : null, v.dcLast, U);
    cellGrad(v.state, v.prev, v.prevWidth, v.dOut, dhRec && memory.read(dhRec), dc, B, U, out.values());
  }
  if (dz) dispose(backend, dz, dhRec!);
  return out.info;
};
