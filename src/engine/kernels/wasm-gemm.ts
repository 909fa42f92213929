/**
 * A matMul on tfjs-backend-wasm through gemm.wat, in place of XNNPACK's: on this project's 2-core
 * machine (one thread) the LSTM's matMuls ran 1.3–1.5× faster (50–56 GFLOP/s against 37–44).
 *
 * out [M, N] = a [M, K] × b [K, N] (+ bias [N]), b given as bᵀ [N, K] with `transposeB`. b is
 * packed PANEL_ROWS rows at a time into panels of 8 columns (gemm.wat's `pack`), each block
 * adding its product into out, so the panels stay in cache however long K is (a weight's
 * gradient has K = batch × sequence). A transposed a is the caller's to make explicit.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmGemm } from './wasm-simd';

type Backend = Parameters<tf.KernelFunc>[0]['backend'];

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

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
  const biasFits = !bias || (bias.dtype === 'float32' && bias.shape.reduce((x, y) => x * y, 1) === N);
  return ma[1] === K && biasFits;
}

/** a × b (+ bias) as a new tensor on the heap, shaped like tfjs' BatchMatMul output. See canGemm. */
export function gemmMatMul(
  gemm: WasmGemm,
  backend: Backend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeB: boolean,
  bias?: tf.TensorInfo,
): tf.TensorInfo {
  const heap = backend as unknown as WasmHeap;
  const [[M, K], mb] = [matrixOf(a)!, matrixOf(b)!];
  const N = transposeB ? mb[0] : mb[1];
  const out = heap.makeOutput([...a.shape.slice(0, -1), N], 'float32');
  const scratch = heap.makeOutput([Math.min(PANEL_ROWS, K) * Math.ceil(N / 8) * 8 + 8], 'float32');
  try {
    const at = (t: tf.TensorInfo) => heap.typedArrayFromHeap(t).byteOffset; // after every allocation
    if (bias) fillRows(heap.typedArrayFromHeap(out), heap.typedArrayFromHeap(bias), M, N);
    const [wp, tmp] = [at(scratch), at(scratch) + Math.min(PANEL_ROWS, K) * Math.ceil(N / 8) * 32];
    for (let k0 = 0; k0 < K; k0 += PANEL_ROWS) {
      const kc = Math.min(PANEL_ROWS, K - k0);
      gemm.pack(at(b), K, N, k0, kc, transposeB ? 1 : 0, wp);
      gemm.gemmN(at(a) + k0 * 4, K * 4, wp, M, kc, N, at(out), bias || k0 > 0 ? 1 : 0, tmp);
    }
    return out;
  } catch (error) {
    (backend as tf.KernelBackend).disposeData(out.dataId); // a failed kernel leaves nothing on the heap
    throw error;
  } finally {
    (backend as tf.KernelBackend).disposeData(scratch.dataId);
  }
}

/** Every row of out [M, N] set to bias [N]: the sum gemm.wat then adds into. */
function fillRows(out: tf.TypedArray, bias: tf.TypedArray, M: number, N: number): void {
  for (let m = 0; m < M; m++) out.set(bias, m * N);
}
