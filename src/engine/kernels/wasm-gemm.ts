/**
 * A matMul on tfjs-backend-wasm through gemm.wat, in place of XNNPACK's: on this project's 2-core
 * machine (one thread) the LSTM's matMuls ran 1.3–1.5× faster (55–62 GFLOP/s against 37–44).
 *
 * out [M, N] = a [M, K] × b [K, N] (+ bias [N]), b given as bᵀ [N, K] with `transposeB`. b is
 * packed PANEL_ROWS rows at a time into panels of 8 columns (gemm.wat's `pack`), each block
 * adding its product into out, so the panels stay in cache however long K is (a weight's
 * gradient has K = batch × sequence). The kernel writes whole blocks of 4 rows × 8 columns: where
 * M or N falls short of one, it writes a padded scratch copied into out at the end. A transposed
 * a is the caller's to make explicit.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmMemory } from './memory';
import type { WasmGemm } from './wasm-simd';

type Backend = Parameters<tf.KernelFunc>[0]['backend'];

export const PANEL_ROWS = 512; // rows of b packed at a time: a panel is 512 × 8 floats (16 KB, in L1)

/** The matrix of a rank-2 tensor, or of a rank-3 one holding a single matrix; null otherwise. */
function matrixOf(t: tf.TensorInfo): [number, number] | null {
  const { shape } = t;
  if (t.dtype !== 'float32' || shape.length < 2 || shape.length > 3) return null;
  if (shape.length === 3 && shape[0] !== 1) return null;
  const [rows, cols] = shape.slice(-2);
  return rows > 0 && cols > 0 ? [rows, cols] : null;
}

/** Whether gemmMatMul can take a × b (a not transposed; b as given, with `transposeB`) plus bias. */
export function canGemm(a: tf.TensorInfo, b: tf.TensorInfo, transposeB: boolean, bias?: tf.TensorInfo): boolean {
  const [ma, mb] = [matrixOf(a), matrixOf(b)];
  if (!ma || !mb || a.shape.length !== b.shape.length) return false;
  const [K, N] = transposeB ? [mb[1], mb[0]] : mb;
  return ma[1] === K && (!bias || isRowBias(bias, N));
}

/** A bias of one row, [N], [1, N] or [1, 1, N]: a column [N, 1] would add by rows. */
function isRowBias(bias: tf.TensorInfo, N: number): boolean {
  const { shape, dtype } = bias;
  return dtype === 'float32' && shape.at(-1) === N && shape.slice(0, -1).every((d) => d === 1);
}

const up = (x: number, to: number) => Math.ceil(x / to) * to;

/** a × b (+ bias) as a new tensor on the heap, shaped like tfjs' BatchMatMul output. See canGemm. */
export function gemmMatMul(
  gemm: WasmGemm,
  backend: Backend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeB: boolean,
  bias?: tf.TensorInfo,
): tf.TensorInfo {
  const memory = wasmMemory(backend);
  const free = (t: tf.TensorInfo) => (backend as tf.KernelBackend).disposeData(t.dataId);
  const [[M, K], mb] = [matrixOf(a)!, matrixOf(b)!];
  const N = transposeB ? mb[0] : mb[1];
  const [Mp, Np, kcMax] = [up(M, 4), up(N, 8), Math.min(PANEL_ROWS, K)];
  const out = memory.make([...a.shape.slice(0, -1), N]).info;
  const temps = [memory.make([kcMax * Np]).info]; // the panels
  if (Mp !== M || Np !== N) temps.push(memory.make([Mp * Np]).info); // the padded product
  try {
    const at = (t: tf.TensorInfo) => memory.read(t).byteOffset; // after every allocation
    const target = temps[1] ?? out;
    if (bias) fillRows(memory.read(target), memory.read(bias), M, Np);
    for (let k0 = 0; k0 < K; k0 += PANEL_ROWS) {
      const kc = Math.min(PANEL_ROWS, K - k0);
      gemm.pack(at(b), K, N, k0, kc, transposeB ? 1 : 0, at(temps[0]));
      gemm.gemm(at(a) + k0 * 4, K * 4, at(temps[0]), M, kc, Np, at(target), Np * 4, bias || k0 > 0 ? 1 : 0);
    }
    if (target !== out) copyRows(memory.read(target), memory.read(out), M, Np, N);
    return out;
  } catch (error) {
    free(out); // a failed kernel leaves nothing on the heap
    throw error;
  } finally {
    temps.forEach(free);
  }
}

/** The first M rows of out [·, width] each set to bias [N ≤ width]: the sum gemm.wat adds into. */
function fillRows(out: Float32Array, bias: Float32Array, M: number, width: number): void {
  for (let m = 0; m < M; m++) out.set(bias, m * width);
}

/** The first N columns of the first M rows of from [·, width] into to [M, N]. */
function copyRows(from: Float32Array, to: Float32Array, M: number, width: number, N: number): void {
  for (let m = 0; m < M; m++) to.set(from.subarray(m * width, m * width + N), m * N);
}
