/**
 * tfjs-backend-wasm multiplies with `transposeA`/`transposeB` on a slow path: 7–21× slower than
 * transposing the operand first (tfjs 4.22, measured), and backprop asks for a transpose on every
 * matMul. These wrappers transpose explicitly, then call the stock kernel with no transpose:
 * the same numbers, several times faster training (see the README's benchmark).
 */
import * as tf from '@tensorflow/tfjs';

const PATCHED = new WeakSet<tf.KernelFunc>();

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** `x` with its last two axes swapped, through the backend's own Transpose kernel. */
function swapLastTwo(x: tf.TensorInfo, backend: KernelArgs['backend'], transpose: tf.KernelFunc): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

function explicitTranspose(stock: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  const patched: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return stock({ inputs, backend, attrs });
    const a = transposeA ? swapLastTwo(inputs.a!, backend, transpose) : inputs.a!;
    const b = transposeB ? swapLastTwo(inputs.b!, backend, transpose) : inputs.b!;
    try {
      return stock({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally { // the transposed copies are this kernel's own intermediates
      const owner = backend as tf.KernelBackend;
      if (transposeA) owner.disposeData(a.dataId);
      if (transposeB) owner.disposeData(b.dataId);
    }
  };
  PATCHED.add(patched);
  return patched;
}

/** Re-registers the WASM matMul kernels (once; idempotent). Call after importing the backend. */
export function patchWasmMatMul(): void {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('the WASM backend is not loaded');
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock || PATCHED.has(stock.kernelFunc)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc: explicitTranspose(stock.kernelFunc, transpose.kernelFunc) });
  }
}

/** Whether patchWasmMatMul has run (for tests and the bench). */
export function wasmMatMulPatched(): boolean {
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  return !!kernel && PATCHED.has(kernel.kernelFunc);
}
