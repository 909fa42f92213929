/**
 * The sampling head (sample-head.ts) on the GPU backends, one program each:
 * - WebGPU: a workgroup per row; its 64 threads take the vocabulary in turns, each keeping its
 *   best logit, then halve the candidates in workgroup memory down to the row's argmax.
 * - WebGL: two programs: a fragment per (row, character) for the logits, then a fragment per row
 *   for the argmax (written as a float, as tfjs' own argMax does for int32). One program looping
 *   over both on a fragment per row was no faster than the five stock ops on SwiftShader.
 * Ties go to the lower index, as in the maths. Imported by the worker only.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { registerSampleHead } from './sample-head';
import { GENERATION_R, loopDone, unpackedOnce } from './lstm-step-webgl';

interface Dims {
  B: number; // rows
  U: number; // units (h is the state row's first U values)
  V: number; // vocabulary
  W: number; // state row width
}

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

/** WebGL, first program: a fragment per (row, character), the logit: bias + h · kernel column. */
function logitsGlsl({ U }: Dims): string {
  return `
  void main() {
    ivec2 coords = getOutputCoords();
    float s = getBIASES(stepIndex, coords.x, coords.y);
    for (int j = 0; j < ${U}; j++) { s += getSTATE(coords.x, j) * getKERNEL(j, coords.y); }
    setOutput(s);
  }`;
}

/** WebGL, second program: a fragment per row, the index of its largest logit. */
function argMaxGlsl({ V }: Dims): string {
  return `
  void main() {
    int b = getOutputCoords();
    float best = getLOGITS(b, 0);
    int arg = 0;
    for (int v = 1; v < ${V}; v++) {
      float s = getLOGITS(b, v);
      if (s > best) { best = s; arg = v; }
    }
    setOutput(float(arg));
  }`;
}

class HeadProgramWebGL implements GPGPUProgram {
  readonly customUniforms = [{ name: 'stepIndex', type: 'int' as const }];
  readonly outputShape: number[];
  readonly userCode: string;

  constructor(
    readonly variableNames: string[],
    dims: Dims,
  ) {
    const logits = variableNames.length > 1;
    this.outputShape = logits ? [dims.B, dims.V] : [dims.B];
    this.userCode = logits ? logitsGlsl(dims) : argMaxGlsl(dims);
  }
}

type Ins = Record<string, tf.TensorInfo>;

function dimsOf(inputs: Ins): Dims {
  const { state, kernel } = inputs;
  return { B: state.shape[0], W: state.shape[1], U: kernel.shape[0], V: kernel.shape[1] };
}

const webgpu: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { state, kernel, biases } = inputs as Ins;
  const step = [{ type: 'int32', data: [(attrs as { step: number }).step] }];
  const program = new HeadProgramWebGPU(dimsOf(inputs as Ins));
  return (backend as WebGPUBackend).runWebGPUProgram(program, [state, kernel, biases], 'int32', step);
};

/**
 * The burst's biases and the output kernel may come packed from tfjs' ops; they are unpacked once
 * a burst rather than at every character, as runWebGLProgram would. The burst's last character
 * also frees the step's packed recurrent kernel (lstm-step-webgl.ts).
 */
const webgl: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as MathBackendWebGL;
  const { state, kernel, biases } = inputs as Ins;
  const dims = dimsOf(inputs as Ins);
  const step = [[(attrs as { step: number }).step]];
  const ins = [state, unpackedOnce(gl, 'head-kernel', kernel), unpackedOnce(gl, 'head-biases', biases)];
  const logits = gl.runWebGLProgram(new HeadProgramWebGL(['STATE', 'KERNEL', 'BIASES'], dims), ins, 'float32', step);
  const ids = gl.runWebGLProgram(new HeadProgramWebGL(['LOGITS'], dims), [logits], 'int32', step);
  gl.disposeIntermediateTensorInfo(logits);
  if (step[0][0] === biases.shape[0] - 1) loopDone(gl, 'head-kernel', 'head-biases', GENERATION_R); // the burst's last step
  return ids;
};

/** Registers the WebGPU and WebGL head kernels (once). */
export function registerGpuSampleHeads(): void {
  registerSampleHead('webgpu', webgpu);
  registerSampleHead('webgl', webgl);
}
