/**
 * tfjs-backend-wasm kernels (tfjs 4.22) re-registered where the stock ones are slow for an LSTM,
 * with the same numbers:
 * - BatchMatMul/_FusedMatMul run gemm.wat (gemm.ts) on one thread, faster than XNNPACK on the
 *   LSTM's shapes, and on the threaded build split over two (gemm-pair.ts) once its helper
 *   thread is ready. Where it does not apply (batches, activations, the threaded build before its
 *   helper is ready or for a few rows, where XNNPACK reuses its packed weights from call to call):
 * - BatchMatMul/_FusedMatMul with `transposeA`/`transposeB` take a slow path, several times slower
 *   than transposing the operand first, and backprop asks for a transpose on every matMul. The
 *   wrappers transpose explicitly, then call the stock kernel with no transpose. A BatchMatMul
 *   with a long inner dimension (each weight's gradient) runs as a sum over stretches of it.
 * - Unpack (tf.unstack) and Slice read through `readSync`, which copies the whole input out of the
 *   WASM heap once per slice: T copies of a [T, B, 4U] tensor per layer, megabytes for a slice of
 *   the LSTM's stacked states. The replacements copy what the slice holds, straight from the heap.
 * - Sum over axis 0 (every bias's gradient) transposes first. The replacement sums the rows in
 *   place with the SIMD column sum (simd.wat).
 * - GatherV2 along axis 0 (a lookup of rows by id) computes every element's index. The
 *   replacement copies each row whole.
 * - Transpose of a matrix, or of each matrix of a batch (every matMul's transposed operand here),
 *   walks the output's columns, missing the cache. The replacement goes tile by tile.
 * What each replacement saves is measured in tests/bench/RESULTS.md ("WASM: hand-written SIMD").
 */
import * as tf from '@tensorflow/tfjs';
import { isLongMatMul, longMatMul } from './long-matmul';
import { canGemm, gemmMatMul } from './gemm';
import { isShared, wasmGemm, wasmHeapMemory, wasmSimd } from './modules';
import { MIN_ROWS } from './gemm-pair';

const PATCHED = new WeakSet<tf.KernelFunc>();

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** `x` with its last two axes swapped, through the backend's own Transpose kernel. */
function swapLastTwo(x: tf.TensorInfo, backend: KernelArgs['backend'], transpose: tf.KernelFunc): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
}

/**
 * gemm.wat's matMul (gemm.ts) where it applies: one matrix a side, a bias or none, no
 * activation; on the threaded build, MIN_ROWS rows or more. Null where it does not apply.
 */
function viaGemm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const { transposeA = false, transposeB = false, activation } = (attrs ?? {}) as MatMulAttrs;
  const [gemm, simd] = [wasmGemm(backend), wasmSimd(backend)];
  const [a, b, bias] = [inputs.a!, inputs.b!, inputs.bias ?? undefined];
  if (!gemm || !simd || (activation && activation !== 'linear') || inputs.preluActivationWeights) return null;
  if (!canGemm(a, b, transposeA, transposeB, bias)) return null;
  if (a.shape.at(transposeA ? -1 : -2)! < MIN_ROWS && isShared(wasmHeapMemory(backend)!)) return null;
  return gemmMatMul({ gemm, simd }, backend, [a, b], [transposeA, transposeB], bias);
}

/**
 * gemm.wat where it applies (above); else transposed operands made explicit, then the stock
 * kernel, and a plain BatchMatMul with a long inner dimension (a weight gradient) runs in
 * stretches of it (long-matmul.ts).
 */
function explicitTranspose(stock: tf.KernelFunc, transpose: tf.KernelFunc, plain: boolean): tf.KernelFunc {
  return (args) => {
    const viaOwn = viaGemm(args);
    if (viaOwn) return viaOwn;
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = (attrs ?? {}) as MatMulAttrs;
    const a = transposeA ? swapLastTwo(inputs.a!, backend, transpose) : inputs.a!;
    const b = transposeB ? swapLastTwo(inputs.b!, backend, transpose) : inputs.b!;
    try {
      if (plain && isLongMatMul(a, b)) return longMatMul(stock, backend, a, b);
      if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
      return stock({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      // the transposed copies are this kernel's own intermediates
      const owner = backend as tf.KernelBackend;
      if (transposeA) owner.disposeData(a.dataId);
      if (transposeB) owner.disposeData(b.dataId);
    }
  };
}

/** The parts of tfjs-backend-wasm's BackendWasm this file uses. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** Unstacking along axis 0: every slice is one contiguous block, copied once from the heap. */
function heapUnpack(stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const value = inputs.value!;
    const rank = value.shape.length;
    const axis = ((attrs as { axis: number }).axis + rank) % rank;
    if (axis !== 0 || value.dtype === 'string') return stock({ inputs, backend, attrs });
    const heap = backend as unknown as WasmHeap;
    const [n, ...shape] = value.shape;
    const outs = Array.from({ length: n }, () => heap.makeOutput(shape, value.dtype));
    const source = heap.typedArrayFromHeap(value); // views only after every allocation: the heap may grow
    const size = source.length / Math.max(1, n);
    outs.forEach((out, i) => heap.typedArrayFromHeap(out).set(source.subarray(i * size, (i + 1) * size)));
    return outs;
  };
}

/**
 * Slicing straight from the heap: the stock kernel first copies the whole input out of the heap
 * (`readSync`), megabytes for a slice of the LSTM's stacked states. Copies each contiguous run of
 * the slice once instead.
 */
function heapSlice(stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    if (x.dtype === 'string') return stock({ inputs, backend, attrs });
    const { begin, size } = attrs as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const heap = backend as unknown as WasmHeap;
    const out = heap.makeOutput(extent, x.dtype);
    const [from, to] = [heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out)]; // after the allocation
    const strides = tf.util.computeStrides(x.shape);
    const run = extent.at(-1) ?? 1; // the innermost axis: one contiguous run per outer index
    const runs = to.length / Math.max(1, run);
    const outer = extent.slice(0, -1);
    for (let r = 0; r < runs; r++) {
      let offset = start.at(-1) ?? 0;
      for (let axis = outer.length - 1, rest = r; axis >= 0; axis--) {
        offset += (start[axis] + (rest % outer[axis])) * strides[axis];
        rest = Math.floor(rest / outer[axis]);
      }
      to.set(from.subarray(offset, offset + run), r * run);
    }
    return out;
  };
}

/** Sum over axis 0 of a float32 tensor whose other axes hold a multiple of 4 values; other sums: stock. */
function heapColumnSum(stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const [rows, ...rest] = x.shape;
    const cols = tf.util.sizeFromShape(rest);
    const simd = wasmSimd(backend);
    const columns = axes.length === 1 && axes[0] === 0 && rest.length > 0 && rows > 0 && cols > 0 && cols % 4 === 0;
    if (!simd || !columns || x.dtype !== 'float32') return stock({ inputs, backend, attrs });
    const heap = backend as unknown as WasmHeap;
    const out = heap.makeOutput(keepDims ? [1, ...rest] : rest, 'float32');
    simd.colSum(heap.typedArrayFromHeap(x).byteOffset, rows, cols, heap.typedArrayFromHeap(out).byteOffset);
    return out;
  };
}

/** Rows of x by id (axis 0, no batch dims, ids all in range); any other gather: the stock kernel. */
function heapRowGather(stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = attrs as { axis: number; batchDims?: number };
    const heap = backend as unknown as WasmHeap;
    const [rows, ...rest] = x.shape;
    const byRows = tf.util.parseAxisParam(axis, x.shape)[0] === 0 && !batchDims && rest.length > 0;
    if (!byRows || x.dtype === 'string' || indices.dtype !== 'int32') return stock({ inputs, backend, attrs });
    const inRange = heap.typedArrayFromHeap(indices).every((id) => id >= 0 && id < rows);
    if (!inRange) return stock({ inputs, backend, attrs }); // the stock kernel says what is wrong
    const out = heap.makeOutput([...indices.shape, ...rest], x.dtype);
    const size = tf.util.sizeFromShape(rest);
    const [from, to] = [heap.typedArrayFromHeap(x), heap.typedArrayFromHeap(out)]; // after the allocation
    heap.typedArrayFromHeap(indices).forEach((id, n) => to.set(from.subarray(id * size, (id + 1) * size), n * size));
    return out;
  };
}

/** Swapping a float32 tensor's last two axes (rank 2 or 3, any leading axis kept), tile by tile; else stock. */
function heapTranspose(stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const perm = (attrs as { perm: number[] }).perm;
    const swapsLastTwo = (perm.length === 2 && perm[0] === 1) || (perm.length === 3 && perm.join() === '0,2,1');
    const simd = wasmSimd(backend);
    if (!simd || !swapsLastTwo || x.dtype !== 'float32') return stock({ inputs, backend, attrs });
    const [rows, cols] = x.shape.slice(-2);
    const heap = backend as unknown as WasmHeap;
    const out = heap.makeOutput(
      perm.map((axis) => x.shape[axis]),
      'float32',
    );
    const [from, to] = [heap.typedArrayFromHeap(x).byteOffset, heap.typedArrayFromHeap(out).byteOffset];
    const batches = perm.length === 3 ? x.shape[0] : 1;
    const bytes = rows * cols * 4;
    for (let b = 0; b < batches; b++) simd.transpose(from + b * bytes, rows, cols, to + b * bytes, rows);
    return out;
  };
}

function replace(name: string, wrap: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock || PATCHED.has(stock.kernelFunc)) return;
  const patched = wrap(stock.kernelFunc);
  PATCHED.add(patched);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: patched });
}

/** Re-registers the WASM kernels above (once; idempotent). Call after importing the backend. */
export function patchWasmKernels(): void {
  if (!tf.getKernel('Transpose', 'wasm')) throw new Error('the WASM backend is not loaded');
  replace('Transpose', heapTranspose);
  const transpose = tf.getKernel('Transpose', 'wasm')!; // the tiled one, for the matMuls' operands
  replace('BatchMatMul', (stock) => explicitTranspose(stock, transpose.kernelFunc, true));
  replace('_FusedMatMul', (stock) => explicitTranspose(stock, transpose.kernelFunc, false));
  replace('Unpack', heapUnpack);
  replace('Slice', heapSlice);
  replace('Sum', heapColumnSum);
  replace('GatherV2', heapRowGather);
}

/** Whether patchWasmKernels has run (for tests and the bench). */
export function wasmKernelsPatched(): boolean {
  return ['BatchMatMul', '_FusedMatMul', 'Unpack', 'Slice', 'Sum', 'GatherV2', 'Transpose'].every((name) => {
    const kernel = tf.getKernel(name, 'wasm');
    return !!kernel && PATCHED.has(kernel.kernelFunc);
  });
}
