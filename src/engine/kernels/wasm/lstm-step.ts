/**
 * The step kernels on tfjs-backend-wasm: the recurrent matMul through gemm.wat (gemm.ts; the
 * backend's own BatchMatMul, XNNPACK, on the threaded build), the cell through simd.wat on the
 * backend's heap, or through the JavaScript loops of lstm-step-math.ts where that cannot run.
 */
import * as tf from '@tensorflow/tfjs';
import { GRAD_WIDTH, STATE_WIDTH, cell, cellGrad, dcSource } from '../lstm-step-math';
import { backwardViews, inputWidth, rowsOf, stepInput, stepOf, type Ins } from '../lstm-step-views';
import { wasmMemory, type KernelArgs, type Memory } from '../memory';
import { copyOfRows, packPanels, panelsMatMul, type HeapRows } from './gemm';
import { wasmCell, wasmGemm, wasmSimd, type WasmGemm } from './modules';

type Backend = KernelArgs['backend'];
const BYTES = 4; // float32

const dispose = (backend: Backend, ...infos: tf.TensorInfo[]) =>
  infos.forEach((i) => (backend as tf.KernelBackend).disposeData(i.dataId));

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

/** The recurrent kernel's panels packed for gemm.wat, kept for one pass over a sequence (see below). */
interface Packed {
  r: object; // the kernel's dataId
  pass: object; // the pass's: zx forward, the stacked states backward
  panels: tf.TensorInfo;
}
const packed = new WeakMap<object, Packed>(); // by backend: one pass at a time

/**
 * r's panels for gemm.wat, packed at the first step of a pass and reused by the others: every
 * step of a pass multiplies by the same r, and packing it at each step cost 5–22% of the matMul.
 * A new r or a new pass (a fresh tensor each time) packs again, freeing the last pass's panels.
 */
function panelsOf(gemm: WasmGemm, backend: Backend, r: tf.TensorInfo, pass: tf.TensorInfo): tf.TensorInfo {
  const kept = packed.get(backend);
  if (kept?.r === r.dataId && kept.pass === pass.dataId) return kept.panels;
  if (kept) dispose(backend, kept.panels);
  const panels = packPanels(gemm, backend, r, false);
  packed.set(backend, { r: r.dataId, pass: pass.dataId, panels });
  return panels;
}

/**
 * a's B rows × b [K, N] on the heap, a read in place (h in the state, dz in the gradient): gemm.wat
 * with b's panels kept for the pass; simd.wat's matMulRows for a few rows; XNNPACK's where
 * neither runs (the threaded build).
 */
function stepMatMul(backend: Backend, memory: Memory, a: HeapRows, B: number, b: tf.TensorInfo, pass: tf.TensorInfo) {
  const [K, N] = b.shape;
  const simd = B <= SMALL_ROWS && N % 16 === 0 ? wasmSimd(backend) : null;
  const gemm = simd ? null : wasmGemm(backend);
  if (gemm) return panelsMatMul(gemm, backend, a, B, panelsOf(gemm, backend, b, pass), N);
  const rows = copyOfRows(memory, a, B, K);
  try {
    if (!simd) return wasmMatMul(backend, rows, b);
    const out = memory.make([B, N]);
    const at = (t: tf.TensorInfo) => memory.read(t).byteOffset; // after make: the heap may have grown
    simd.matMulRows(at(rows), at(b), B, K, N, at(out.info));
    return out.info;
  } finally {
    dispose(backend, rows);
  }
}

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
  const hr = stepMatMul(backend, memory, { info: prev, offset: 0, ld: prev.shape[1] }, B, r, (inputs as Ins).zx);
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
  dispose(backend, hr);
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
  const dz: HeapRows | null = t < T - 1 ? { info: next, offset: 0, ld: GRAD_WIDTH * U } : null;
  const dhRec = dz ? stepMatMul(backend, memory, dz, B, rt, states) : null;
  const simd = wasmCell(backend, U);
  if (simd) {
    const p = simdBackward(memory, inputs as Ins, t, dhRec, out.info);
    simd.cellGrad(p.state, p.prev, p.prevW, p.dOut, p.dhRec, p.dc.at, p.dc.width, B, U, p.out);
  } else {
    const v = backwardViews(memory.read, inputs as Ins, t);
    const dc = dcSource(dz ? memory.read(next) : null, v.dcLast, U);
    cellGrad(v.state, v.prev, v.prevWidth, v.dOut, dhRec && memory.read(dhRec), dc, B, U, out.values());
  }
  if (dhRec) dispose(backend, dhRec);
  return out.info;
};
