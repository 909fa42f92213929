/**
 * a [M, K] × b [K, N] on tfjs-backend-wasm when K is long, as a sum over K in stretches.
 *
 * XNNPACK keeps a few rows of a in cache and streams all of b (packed) past them, once per few
 * rows. When K is long, b is megabytes (a weight gradient, hᵀ [256, 8192] × dz [8192, 1024]) and
 * every pass goes to main memory (tests/bench/RESULTS.md, "WASM: weight gradients in stretches").
 * Cut K into stretches of STRETCH and b's stretch stays in cache while a's rows pass; the
 * partial products add up to the same result (to float rounding: the sum is regrouped).
 */
import * as tf from '@tensorflow/tfjs';

type Backend = Parameters<tf.KernelFunc>[0]['backend'];

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

export const STRETCH = 512; // rows of b per partial product: 512 × N floats (2 MB at N = 1024) stay in cache
export const LONG_K = 4 * STRETCH; // from this K on, the matMul runs in stretches

/** Whether `a` [M, K] × `b` [K, N] (rank 2, float32, no transposes left) is worth cutting into stretches. */
export function isLongMatMul(a: tf.TensorInfo, b: tf.TensorInfo): boolean {
  if (a.shape.length !== 2 || b.shape.length !== 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const [M, K] = a.shape;
  return K >= LONG_K && K > 4 * M; // a short, wide a: b dwarfs what each pass over it computes
}

/** Copies columns [k0, k0 + n) of a [M, K] and rows [k0, k0 + n) of b [K, N] into fresh tensors. */
function stretch(heap: WasmHeap, a: tf.TensorInfo, b: tf.TensorInfo, k0: number, n: number) {
  const [[M, K], N] = [a.shape, b.shape[1]];
  const [as, bs] = [heap.makeOutput([M, n], 'float32'), heap.makeOutput([n, N], 'float32')];
  const [from, to] = [heap.typedArrayFromHeap(a), heap.typedArrayFromHeap(as)]; // views after both allocations
  for (let m = 0; m < M; m++) to.set(from.subarray(m * K + k0, m * K + k0 + n), m * n);
  heap.typedArrayFromHeap(bs).set(heap.typedArrayFromHeap(b).subarray(k0 * N, (k0 + n) * N));
  return [as, bs];
}

/** a [M, K] × b [K, N] as Σ over stretches of K of the stock matMul; the result is a new [M, N]. */
export function longMatMul(stock: tf.KernelFunc, backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const heap = backend as unknown as WasmHeap;
  const owner = backend as tf.KernelBackend;
  const K = a.shape[1];
  let sum: tf.TensorInfo | null = null;
  try {
    for (let k0 = 0; k0 < K; k0 += STRETCH) {
      const part = stretchProduct(stock, backend, a, b, k0, Math.min(STRETCH, K - k0));
      if (!sum) {
        sum = part;
        continue;
      }
      const [into, add] = [heap.typedArrayFromHeap(sum), heap.typedArrayFromHeap(part)];
      for (let i = 0; i < into.length; i++) into[i] += add[i];
      owner.disposeData(part.dataId);
    }
    return sum!;
  } catch (error) {
    if (sum) owner.disposeData(sum.dataId); // a failed kernel leaves nothing on the heap
    throw error;
  }
}

/** One stretch's partial product; its copied operands are freed whatever happens. */
function stretchProduct(
  stock: tf.KernelFunc,
  backend: Backend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  k0: number,
  n: number,
) {
  const [as, bs] = stretch(backend as unknown as WasmHeap, a, b, k0, n);
  try {
    return stock({
      inputs: { a: as, b: bs },
      backend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
  } finally {
    (backend as tf.KernelBackend).disposeData(as.dataId);
    (backend as tf.KernelBackend).disposeData(bs.dataId);
  }
}
