/**
 * The sampling head (../sample-head.ts) on WebGPU: a workgroup per row; its 64 threads take the
 * vocabulary in turns, each keeping its best logit, then halve the candidates in workgroup memory
 * down to the row's argmax. Ties go to the lower index, as in the maths.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { headDims, registerSampleHead, type HeadDims as Dims } from '../sample-head';

const LANES = 64; // WebGPU threads per row

function headWgsl({ B, U, V, W }: Dims): string {
  return `
  var<workgroup> bestValue : array<f32, ${LANES}>;
  var<workgroup> bestIndex : array<i32, ${LANES}>;
  fn main(index : i32) {
    let b = i32(workgroupId.x);
    let lane = i32(localId.x);
    let p = b * ${W};
    let o = (uniforms.step * ${B} + b) * ${V};
    var best = -3.0e38;
    var arg = ${V};
    for (var v = lane; v < ${V}; v += ${LANES}) {
      var s = BIASES[o + v];
      for (var j = 0; j < ${U}; j++) { s += STATE[p + j] * KERNEL[j * ${V} + v]; }
      if (s > best) { best = s; arg = v; }
    }
    bestValue[lane] = best;
    bestIndex[lane] = arg;
    workgroupBarrier();
    for (var half = ${LANES / 2}; half > 0; half = half / 2) {
      if (lane < half) {
        let s = bestValue[lane + half];
        let i = bestIndex[lane + half];
        if (s > bestValue[lane] || (s == bestValue[lane] && i < bestIndex[lane])) {
          bestValue[lane] = s;
          bestIndex[lane] = i;
        }
      }
      workgroupBarrier();
    }
    if (lane == 0) { result[b] = select(bestIndex[0], 0, bestIndex[0] >= ${V}); }
  }`;
}

class HeadProgramWebGPU implements WebGPUProgram {
  readonly workgroupSize: [number, number, number] = [LANES, 1, 1];
  readonly uniforms = 'step : i32,';
  readonly variableNames = ['STATE', 'KERNEL', 'BIASES'];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(private readonly dims: Dims) {
    this.outputShape = [dims.B];
    this.dispatch = [dims.B, 1, 1]; // a workgroup per row
    this.shaderKey = `inkling_sample_head_${dims.B}_${dims.U}_${dims.V}_${dims.W}`;
  }

  getUserCode(): string {
    return headWgsl(this.dims);
  }
}

type Ins = Record<string, tf.TensorInfo>;

const webgpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { state, kernel, biases } = inputs as Ins;
  const step = [{ type: 'int32', data: [(attrs as { step: number }).step] }];
  const program = new HeadProgramWebGPU(headDims(inputs as Ins));
  return (backend as WebGPUBackend).runWebGPUProgram(program, [state, kernel, biases], 'int32', step);
};

/** Registers the WebGPU head kernel (once). */
export const registerWebGpuSampleHead = () => registerSampleHead('webgpu', webgpu);
