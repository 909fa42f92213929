/**
 * Concat and Pack (tf.stack) along the outermost axis, where a backend can join its inputs end to
 * end without a shader: WebGPU by buffer copies (webgpu/concat.ts), WebGL by framebuffer blits
 * (webgl/concat.ts). Every other concat, and every one the backend declines, keeps tfjs' kernel.
 */
import * as tf from '@tensorflow/tfjs';

export const sizeOf = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** Where the inputs go: the output's shape and rank, and the axis they are joined along. */
export interface OuterConcat {
  shape: number[];
  rank: number;
  axis: number;
}

/**
 * Joins `parts` (the inputs that hold values, in order) into a new tensor of `at.shape`; null
 * where this backend cannot, and tfjs' kernel runs instead.
 */
export type OuterJoin = (parts: tf.TensorInfo[], at: OuterConcat, backend: unknown) => tf.TensorInfo | null;

/** Concat (`stack` false) or Pack (`stack` true): joined by `join` when the inputs lie end to end in the output. */
function joining(stock: tf.KernelFunc, stack: boolean, join: OuterJoin): tf.KernelFunc {
  return function outerConcatKernel(args) {
    const xs = Object.values(args.inputs) as tf.TensorInfo[];
    const rank = (xs[0]?.shape.length ?? 0) + (stack ? 1 : 0);
    const axis = ((args.attrs as { axis: number }).axis + rank) % Math.max(rank, 1);
    const dtype = xs[0]?.dtype;
    const outer = xs.every((x) => x.dtype === dtype && x.shape.slice(0, stack ? 0 : axis).every((d) => d === 1));
    if (xs.length < 2 || (dtype !== 'float32' && dtype !== 'int32') || !outer || (stack && axis !== 0)) {
      return stock(args);
    }
    const shape = stack ? [xs.length, ...xs[0].shape] : [...xs[0].shape];
    if (!stack) shape[axis] = xs.reduce((sum, x) => sum + x.shape[axis], 0);
    const parts = xs.filter((x) => sizeOf(x.shape) > 0);
    if (parts.length === 0) return stock(args); // an empty result: tfjs makes it without a buffer
    return join(parts, { shape, rank, axis }, args.backend) ?? stock(args);
  };
}

const replaced = new Set<string>();

/** Replaces `backend`'s Concat and Pack, once: outermost-axis ones go to `join`, the rest keep tfjs' programs. */
export function registerOuterConcat(backend: string, join: OuterJoin): void {
  if (replaced.has(backend)) return;
  for (const [name, stack] of [
    ['Concat', false],
    ['Pack', true],
  ] as const) {
    const stock = tf.getKernel(name, backend);
    if (!stock) return;
    tf.unregisterKernel(name, backend);
    tf.registerKernel({ ...stock, kernelFunc: joining(stock.kernelFunc, stack, join) });
  }
  replaced.add(backend);
}
