/**
 * Matrix products for WebGPU's software adapters (SwiftShader): a thread per 4×4 block of the
 * output, reading both operands straight from their buffers (matmul-wgsl.ts), with no workgroup
 * memory and no barriers. tfjs' own programs tile through workgroup memory behind barriers, which
 * a GPU runs for free and a CPU emulating one does not (tests/bench/RESULTS.md, "WebGPU on the
 * software adapter"). Hardware adapters keep
 * tfjs' programs: only the worker turns this on, for an adapter that says it is a fallback one.
 * The 2-D transpose goes the same way (tfjs' plain program instead of its shared-memory one,
 * through a 3-D view), and sums and maxima along one axis (reduce.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { fitsVec4, matMulWgsl, type Shape } from './matmul-wgsl';
import { lineReduce, reshaped } from './reduce';

let enabled = false;

class BlockMatMulProgram implements WebGPUProgram {
  readonly variableNames: string[];
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly outputComponent: number;
  readonly variableComponents: number[];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0, 1, 2] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(private readonly s: Shape) {
    this.variableNames = s.bias ? ['A', 'B', 'BIAS'] : ['A', 'B'];
    this.outputComponent = s.vec4 ? 4 : 1;
    this.variableComponents = this.variableNames.map(() => this.outputComponent);
    this.outputShape = [s.batch, s.M, s.N];
    this.dispatch = [Math.ceil((s.batch * Math.ceil(s.M / 4) * Math.ceil(s.N / 4)) / 64), 1, 1];
    const kind = s.vec4 ? 'mm4' : 'mm1';
    this.shaderKey = `inkling_${kind}_${s.batch}_${s.M}_${s.K}_${s.N}_${s.tA}_${s.tB}_${Boolean(s.bias)}`;
  }

  getUserCode(): string {
    return matMulWgsl(this.s);
  }
}

/** The product's shape, or null where the block program does not apply (a broadcast batch: tfjs' runs). */
function blockShape(a: tf.TensorInfo, b: tf.TensorInfo, tA: boolean, tB: boolean): Shape | null {
  const [ra, rb] = [a.shape.length, b.shape.length];
  const outer = a.shape.slice(0, -2);
  if (ra !== rb || outer.some((d, i) => d !== b.shape[i])) return null; // no broadcasting
  const batch = outer.reduce((p, d) => p * d, 1);
  const M = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  return { batch, M, K, N, tA, tB, vec4: fitsVec4(M, K, N, tA) };
}

const REPLACED: Record<string, (stock: tf.KernelFunc) => tf.KernelFunc> = {
  BatchMatMul: blockMatMul,
  _FusedMatMul: blockMatMul,
  Transpose: plainTranspose,
  Sum: (stock) => lineReduce(stock, 'sum', () => enabled),
  Max: (stock) => lineReduce(stock, 'max', () => enabled),
};

/**
 * Replaces WebGPU's BatchMatMul, _FusedMatMul, Transpose, Sum and Max, once; each keeps tfjs'
 * kernel for what it does not cover, and for every adapter until `useSoftwareGpuKernels(true)`.
 */
export function registerSoftwareGpuKernels(): void {
  const stock = tf.getKernel('BatchMatMul', 'webgpu');
  if (!stock || stock.kernelFunc.name === 'blockMatMul') return;
  for (const [name, replace] of Object.entries(REPLACED)) {
    const config = tf.getKernel(name, 'webgpu');
    if (!config) continue;
    tf.unregisterKernel(name, 'webgpu');
    tf.registerKernel({ ...config, kernelFunc: replace(config.kernelFunc) });
  }
}

/** BatchMatMul, or _FusedMatMul with a bias and no activation, by blocks; anything else by tfjs. */
function blockMatMul(fallback: tf.KernelFunc): tf.KernelFunc {
  return function blockMatMul(args) {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as Record<string, unknown>;
    const shape = enabled ? blockShape(a!, b!, Boolean(transposeA), Boolean(transposeB)) : null;
    const plain = !preluActivationWeights && (activation ?? 'linear') === 'linear';
    if (!shape || !plain || (bias && (bias.shape.length !== 1 || bias.shape[0] !== shape.N))) return fallback(args);
    const backend = args.backend as WebGPUBackend;
    const program = new BlockMatMulProgram({ ...shape, bias: Boolean(bias) });
    const out = backend.runWebGPUProgram(program, bias ? [a!, b!, bias] : [a!, b!], 'float32');
    const result = reshaped(out, [...a!.shape.slice(0, -2), shape.M, shape.N], backend);
    backend.disposeData(out.dataId);
    return result;
  };
}

function plainTranspose(fallback: tf.KernelFunc): tf.KernelFunc {
  return function plainTranspose(args) {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    if (!enabled || x.shape.length !== 2 || perm[0] !== 1) return fallback(args);
    const backend = args.backend as WebGPUBackend;
    const view = reshaped(x, [1, ...x.shape], backend);
    const out = fallback({ ...args, inputs: { x: view }, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo;
    const result = reshaped(out, [x.shape[1], x.shape[0]], backend);
    for (const t of [view, out]) backend.disposeData(t.dataId);
    return result;
  };
}

/** Turns the software adapter's kernels on or off (the worker: on for a fallback adapter). */
export function useSoftwareGpuKernels(on: boolean): void {
  enabled = on;
}
