/**
 * A matMul on tfjs-backend-wasm through gemm.wat, in place of XNNPACK's, which is slower on the
 * LSTM's shapes on one thread (tests/bench/RESULTS.md, "WASM: a matMul of our own").
 *
 * out [M, N] = a [M, K] × b [K, N] (+ bias [N]), b given as bᵀ [N, K] with `transposeB`. b is
 * packed PANEL_ROWS rows at a time into panels of 8 columns (gemm.wat's `pack`), each block
 * adding its product into out, so the panels stay in cache however long K is (a weight's
 * gradient has K = batch × sequence). A b read by many matMuls (the recurrent kernel, at every
 * timestep) can be packed whole once (`packPanels`) and multiplied from there (`panelsMatMul`).
 * The kernel writes whole blocks of 4 rows × 8 columns: where M or N falls short of one, it
 * writes a padded scratch copied into out at the end.
 *
 * a's rows are read where they lie, any stride apart, except a stride of a multiple of 1,024
 * floats (4 KB): the kernel's four rows then share cache sets and it slows markedly (a weight's
 * gradient, [256, 8192] × [8192, 1024]; measured in RESULTS.md). Such rows are copied first into rows
 * STRIDE_PAD floats longer; a transposed a is transposed into a copy, its rows padded the same way
 * where their length is such a multiple.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmMemory, type Memory } from '../memory';
import type { WasmGemm, WasmSimd } from './modules';

type Backend = Parameters<tf.KernelFunc>[0]['backend'];
type HeapMemory = Memory & { free(t: tf.TensorInfo): void };

export const PANEL_ROWS = 512; // rows of b packed at a time: a panel is 512 × 8 floats (16 KB, in L1)
const STRIDE_PAD = 8; // floats added to a row stride of a multiple of 1,024 floats
const BYTES = 4; // float32

/** Rows of a matrix on the heap: `info`'s values from float `offset` on, each row `ld` floats after the last. */
export interface HeapRows {
  info: tf.TensorInfo;
  offset: number;
  ld: number;
}

/** The matrix of a rank-2 tensor, or of a rank-3 one holding a single matrix; null otherwise. */
function matrixOf(t: tf.TensorInfo): [number, number] | null {
  const { shape } = t;
  if (t.dtype !== 'float32' || shape.length < 2 || shape.length > 3) return null;
  if (shape.length === 3 && shape[0] !== 1) return null;
  const [rows, cols] = shape.slice(-2);
  return rows > 0 && cols > 0 ? [rows, cols] : null;
}

/** Whether gemmMatMul can take a × b (each as given, with its transpose) plus bias. */
export function canGemm(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias?: tf.TensorInfo,
): boolean {
  const [ma, mb] = [matrixOf(a), matrixOf(b)];
  if (!ma || !mb || a.shape.length !== b.shape.length) return false;
  const [K, N] = transposeB ? [mb[1], mb[0]] : mb;
  return (transposeA ? ma[0] : ma[1]) === K && (!bias || isRowBias(bias, N));
}

/** A bias of one row, [N], [1, N] or [1, 1, N]: a column [N, 1] would add by rows. */
function isRowBias(bias: tf.TensorInfo, N: number): boolean {
  const { shape, dtype } = bias;
  return dtype === 'float32' && shape.at(-1) === N && shape.slice(0, -1).every((d) => d === 1);
}

const up = (x: number, to: number) => Math.ceil(x / to) * to;
const at = (memory: Memory, t: tf.TensorInfo) => memory.read(t).byteOffset; // after every allocation
const conflicts = (ld: number) => ld % 1024 === 0; // rows a multiple of 4 KB apart share cache sets
const padded = (K: number) => (conflicts(K) ? K + STRIDE_PAD : K); // a stride for rows of K that does not

/**
 * a's M rows of K as the kernel reads them at full speed: as given, or, where they lie a multiple
 * of 4 KB apart, copied into padded rows, returned as `temp` for the caller to free.
 */
function readable(memory: HeapMemory, a: HeapRows, M: number, K: number) {
  if (M < 2 || !conflicts(a.ld)) return { rows: a, temp: null };
  const temp = copyOfRows(memory, a, M, K, padded(K));
  return { rows: { info: temp, offset: 0, ld: padded(K) }, temp };
}

/** A new [M, ld] tensor on the heap holding a's M rows of K values (K ≤ ld) at its rows' starts. */
export function copyOfRows(memory: Memory, a: HeapRows, M: number, K: number, ld = K): tf.TensorInfo {
  const copy = memory.make([M, ld]).info;
  copyRows(memory.read(a.info).subarray(a.offset), memory.read(copy), M, K, a.ld, ld); // views after make
  return copy;
}

/** a [M, K], or aᵀ given as [K, M], as readable rows; a transposed one is a temp copy. */
function rowsOfA(simd: WasmSimd, memory: HeapMemory, a: tf.TensorInfo, transposeA: boolean, M: number, K: number) {
  if (!transposeA) return readable(memory, { info: a, offset: 0, ld: K }, M, K);
  const temp = memory.make([M * padded(K)]).info;
  simd.transpose(at(memory, a), K, M, at(memory, temp), padded(K));
  return { rows: { info: temp, offset: 0, ld: padded(K) }, temp };
}

/**
 * b [K, N] (or bᵀ [N, K]) packed whole, a new [K, N rounded up to 8] tensor on the heap: panels of
 * 8 columns, PANEL_ROWS rows of b at a time. For panelsMatMul.
 */
export function packPanels(gemm: WasmGemm, backend: Backend, b: tf.TensorInfo, transposeB: boolean): tf.TensorInfo {
  const memory = wasmMemory(backend);
  const mb = matrixOf(b)!;
  const [K, N] = transposeB ? [mb[1], mb[0]] : mb;
  const panels = memory.make([K, up(N, 8)]).info;
  for (let k0 = 0; k0 < K; k0 += PANEL_ROWS) {
    const into = at(memory, panels) + k0 * up(N, 8) * BYTES;
    gemm.pack(at(memory, b), K, N, k0, Math.min(PANEL_ROWS, K - k0), transposeB ? 1 : 0, into);
  }
  return panels;
}

/**
 * out [M, N] (a fresh tensor shaped `shape`) = a's rows × b (+ bias), `panelsAt(k0, kc)` giving
 * the byte offset of b's panels for rows [k0, k0 + kc).
 */
function multiply(
  gemm: WasmGemm,
  memory: HeapMemory,
  a: HeapRows,
  [M, K, N]: [number, number, number],
  panelsAt: (k0: number, kc: number) => number,
  shape: number[],
  bias?: tf.TensorInfo,
): tf.TensorInfo {
  const [Mp, Np] = [up(M, 4), up(N, 8)];
  const out = memory.make(shape).info;
  const blocks = Mp !== M || Np !== N ? memory.make([Mp * Np]).info : null; // the product, whole blocks
  try {
    const target = blocks ?? out;
    if (bias) fillRows(memory.read(target), memory.read(bias), M, Np);
    for (let k0 = 0; k0 < K; k0 += PANEL_ROWS) {
      const kc = Math.min(PANEL_ROWS, K - k0);
      const panels = panelsAt(k0, kc);
      const rows = at(memory, a.info) + (a.offset + k0) * BYTES;
      gemm.gemm(rows, a.ld * BYTES, panels, M, kc, Np, at(memory, target), Np * BYTES, bias || k0 > 0 ? 1 : 0);
    }
    if (blocks) copyRows(memory.read(blocks), memory.read(out), M, N, Np, N);
    return out;
  } catch (error) {
    memory.free(out); // a failed kernel leaves nothing on the heap
    throw error;
  } finally {
    if (blocks) memory.free(blocks);
  }
}

/** a × b (+ bias) as a new tensor on the heap, shaped like tfjs' BatchMatMul output. See canGemm. */
export function gemmMatMul(
  kernels: { gemm: WasmGemm; simd: WasmSimd },
  backend: Backend,
  [a, b]: [tf.TensorInfo, tf.TensorInfo],
  [transposeA, transposeB]: [boolean, boolean],
  bias?: tf.TensorInfo,
): tf.TensorInfo {
  const memory = withFree(backend);
  const [M, K] = transposeA ? matrixOf(a)!.reverse() : matrixOf(a)!;
  const N = transposeB ? matrixOf(b)![0] : matrixOf(b)![1];
  const left = rowsOfA(kernels.simd, memory, a, transposeA, M, K);
  let scratch: tf.TensorInfo | null = null; // one block of panels
  const packBlock = (k0: number, kc: number) => {
    scratch ??= memory.make([Math.min(PANEL_ROWS, K) * up(N, 8)]).info;
    kernels.gemm.pack(at(memory, b), K, N, k0, kc, transposeB ? 1 : 0, at(memory, scratch));
    return at(memory, scratch);
  };
  try {
    return multiply(kernels.gemm, memory, left.rows, [M, K, N], packBlock, [...a.shape.slice(0, -2), M, N], bias);
  } finally {
    if (scratch) memory.free(scratch);
    if (left.temp) memory.free(left.temp);
  }
}

/** a's rows [M, K] × b packed whole by packPanels ([K, N]): a new [M, N] tensor on the heap. */
export function panelsMatMul(
  gemm: WasmGemm,
  backend: Backend,
  a: HeapRows,
  M: number,
  panels: tf.TensorInfo,
  N: number,
): tf.TensorInfo {
  const memory = withFree(backend);
  const K = panels.shape[0];
  const left = readable(memory, a, M, K);
  try {
    return multiply(gemm, memory, left.rows, [M, K, N], (k0) => at(memory, panels) + k0 * up(N, 8) * BYTES, [M, N]);
  } finally {
    if (left.temp) memory.free(left.temp);
  }
}

/** The heap's memory, and a way to free what a kernel made on it. */
function withFree(backend: Backend): HeapMemory {
  return { ...wasmMemory(backend), free: (t) => (backend as tf.KernelBackend).disposeData(t.dataId) };
}

/** The first M rows of out [·, width] each set to bias [N ≤ width]: the sum gemm.wat adds into. */
function fillRows(out: Float32Array, bias: Float32Array, M: number, width: number): void {
  for (let m = 0; m < M; m++) out.set(bias, m * width);
}

/** M rows of `cols` values from `from` (rows `ldFrom` apart) into `to` (rows `ldTo` apart). */
function copyRows(from: Float32Array, to: Float32Array, M: number, cols: number, ldFrom: number, ldTo: number): void {
  for (let m = 0; m < M; m++) to.set(from.subarray(m * ldFrom, m * ldFrom + cols), m * ldTo);
}
