/**
 * Sums and maxima along one axis of a matrix for WebGPU's software adapters: a thread per output
 * value walking its column (Sum over axis 0: every bias's gradient) or its row (Sum and Max over
 * the last axis: the softmax), with no workgroup memory. tfjs' reduction programs cooperate
 * through workgroup memory behind barriers and transpose first to reduce a column, which
 * SwiftShader emulates slowly (tests/bench/RESULTS.md, "WebGPU on the software adapter"). Used only where
 * matmul.ts turns the software path on.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

type Op = 'sum' | 'max';

/** Reduces X [M, N] over its rows (`columns`: output [N]) or over each row (output [M]). */
class LineReduceProgram implements WebGPUProgram {
  readonly variableNames = ['X'];
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    private readonly M: number,
    private readonly N: number,
    private readonly columns: boolean,
    private readonly op: Op,
  ) {
    this.outputShape = [columns ? N : M];
    this.dispatch = [Math.ceil(this.outputShape[0] / 64), 1, 1];
    this.shaderKey = `inkling_reduce_${op}_${columns ? 'cols' : 'rows'}_${M}_${N}`;
  }

  getUserCode(): string {
    const { M, N, columns, op } = this;
    const [count, at] = columns ? [M, `i * ${N} + index`] : [N, `index * ${N} + i`];
    const fold = op === 'sum' ? 'acc += v;' : 'acc = max(acc, v);';
    return `
  fn main(index : i32) {
    if (index >= ${columns ? N : M} || uniforms.outShape < 0) { return; }
    var acc = ${op === 'sum' ? '0.0' : `X[${columns ? 'index' : `index * ${N}`}]`};
    for (var i = 0; i < ${count}; i++) { let v = X[${at}]; ${fold} }
    result[index] = acc;
  }`;
  }
}

/** A view of `x` with another shape (WebGPU's Reshape: the same buffer, one more reference). */
export function reshaped(x: tf.TensorInfo, shape: number[], backend: tf.KernelBackend): tf.TensorInfo {
  const reshape = tf.getKernel('Reshape', 'webgpu')!.kernelFunc;
  return reshape({ inputs: { x }, backend, attrs: { shape } }) as tf.TensorInfo;
}

/** Sum or Max over one axis: axis 0 of a matrix, or the last axis of any tensor; else tfjs'. */
export function lineReduce(fallback: tf.KernelFunc, op: Op, enabled: () => boolean): tf.KernelFunc {
  return function lineReduce(args) {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { keepDims } = args.attrs as { keepDims: boolean };
    const attr = args.attrs as { axis?: number | number[]; reductionIndices?: number | number[] };
    const rank = x.shape.length;
    const axes = [attr.axis ?? attr.reductionIndices ?? []].flat().map((a) => (a < 0 ? a + rank : a));
    const columns = rank === 2 && axes[0] === 0 && op === 'sum';
    const rows = rank >= 1 && axes[0] === rank - 1;
    if (!enabled() || axes.length !== 1 || !(columns || rows) || x.dtype !== 'float32') return fallback(args);
    const N = x.shape[rank - 1];
    const M = x.shape.reduce((p, d) => p * d, 1) / Math.max(N, 1);
    if (M * N === 0) return fallback(args);
    const backend = args.backend as WebGPUBackend;
    const out = backend.runWebGPUProgram(new LineReduceProgram(M, N, columns, op), [x], 'float32');
    const shape = x.shape.map((d, i) => (i === axes[0] ? 1 : d)).filter((_, i) => keepDims || i !== axes[0]);
    const result = reshaped(out, shape, backend);
    backend.disposeData(out.dataId);
    return result;
  };
}
