/**
 * The LSTM step kernels (lstm-step.ts) for WebGPU and WebGL: one shader each way per timestep,
 * the recurrent matMul inside, so a training step of the default model is 2 dispatches a timestep
 * (it was 4 kernels, 7 dispatches). The maths is lstm-step-math.ts, transcribed; tanh is written
 * out as tfjs does, since some drivers return NaN for large inputs.
 * - WebGPU: a thread per (row, unit) runs the four gates' dot products (the backward: one dot
 *   product with Rᵀ) and writes every value of its unit: h, c, the gates; dz, dcPrev.
 * - WebGL: a fragment per output value, so h and c each recompute the four dot products: more
 *   arithmetic than WebGPU, still one draw.
 * Imported by the worker only: it needs the browser's GPU backends.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { registerStepKernels } from './lstm-step';
import { GRAD_WIDTH, STATE_WIDTH } from './lstm-step-math';

/** What a step's shader is built for: sequence length, rows, units, previous state width. */
interface Dims {
  T: number;
  B: number;
  U: number;
  W: number;
}

const WGSL_MATHS = `
  fn sigm(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
  fn tanh_(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

const GLSL_MATHS = `
  float sigm(float x) { return 1.0 / (1.0 + exp(-x)); }
  float tanh_(float x) { float e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

function forwardWgsl({ B, U, W }: Dims): string {
  return `${WGSL_MATHS}
  fn main(index : i32) {
    if (index >= ${B * U}) { return; }
    let b = index / ${U};
    let j = index % ${U};
    let z = (uniforms.step * ${B} + b) * ${4 * U} + j;
    var zi = ZX[z]; var zf = ZX[z + ${U}]; var zg = ZX[z + ${2 * U}]; var zo = ZX[z + ${3 * U}];
    let p = b * ${W};
    for (var k = 0; k < ${U}; k++) {
      let h = PREV[p + k];
      let r = k * ${4 * U} + j;
      zi += h * R[r]; zf += h * R[r + ${U}]; zg += h * R[r + ${2 * U}]; zo += h * R[r + ${3 * U}];
    }
    let gi = sigm(zi); let gf = sigm(zf); let gg = tanh_(zg); let go = sigm(zo);
    let cn = gf * PREV[p + ${U} + j] + gi * gg;
    let o = b * ${STATE_WIDTH * U} + j;
    result[o] = go * tanh_(cn); result[o + ${U}] = cn;
    result[o + ${2 * U}] = gi; result[o + ${3 * U}] = gf; result[o + ${4 * U}] = gg; result[o + ${5 * U}] = go;
  }`;
}

function backwardWgsl({ T, B, U }: Dims): string {
  return `${WGSL_MATHS}
  fn main(index : i32) {
    if (index >= ${B * U}) { return; }
    let b = index / ${U};
    let j = index % ${U};
    let t = uniforms.step;
    var dh = DY[(t * ${B} + b) * ${U} + j];
    var dcn = DY[(${T * B} + b) * ${U} + j];
    if (t < ${T - 1}) {
      let n = b * ${GRAD_WIDTH * U};
      for (var k = 0; k < ${4 * U}; k++) { dh += NEXT[n + k] * RT[k * ${U} + j]; }
      dcn = NEXT[n + ${4 * U} + j];
    }
    let s = (t * ${B} + b) * ${STATE_WIDTH * U} + j;
    let gi = STATES[s + ${2 * U}]; let gf = STATES[s + ${3 * U}];
    let gg = STATES[s + ${4 * U}]; let go = STATES[s + ${5 * U}];
    var cp = STATE0[b * ${2 * U} + ${U} + j];
    if (t > 0) { cp = STATES[s - ${B * STATE_WIDTH * U} + ${U}]; }
    let tc = tanh_(STATES[s + ${U}]);
    let dct = dcn + dh * go * (1.0 - tc * tc);
    let o = b * ${GRAD_WIDTH * U} + j;
    result[o] = dct * gg * gi * (1.0 - gi); result[o + ${U}] = dct * cp * gf * (1.0 - gf);
    result[o + ${2 * U}] = dct * gi * (1.0 - gg * gg); result[o + ${3 * U}] = dh * tc * go * (1.0 - go);
    result[o + ${4 * U}] = dct * gf;
  }`;
}

class StepProgramWebGPU implements WebGPUProgram {
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly uniforms = 'step : i32,';
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    private readonly backward: boolean,
    readonly variableNames: string[],
    private readonly dims: Dims,
  ) {
    const { T, B, U, W } = dims;
    this.outputShape = [B, (backward ? GRAD_WIDTH : STATE_WIDTH) * U];
    this.dispatchLayout = webgpu_util.flatDispatchLayout(this.outputShape);
    this.dispatch = [Math.ceil((B * U) / this.workgroupSize[0]), 1, 1]; // a thread per (row, unit)
    this.shaderKey = `inkling_lstm_step_${backward ? 'grad' : 'fwd'}_${T}_${B}_${U}_${W}`;
  }

  getUserCode(): string {
    return this.backward ? backwardWgsl(this.dims) : forwardWgsl(this.dims);
  }
}

function forwardGlsl({ U }: Dims): string {
  return `${GLSL_MATHS}
  void main() {
    ivec2 coords = getOutputCoords();
    int b = coords.x;
    int part = coords.y / ${U};
    int j = coords.y - part * ${U};
    if (part < 2) {
      float zi = getZX(stepIndex, b, j); float zf = getZX(stepIndex, b, j + ${U});
      float zg = getZX(stepIndex, b, j + ${2 * U}); float zo = getZX(stepIndex, b, j + ${3 * U});
      for (int k = 0; k < ${U}; k++) {
        float h = getPREV(b, k);
        zi += h * getR(k, j); zf += h * getR(k, j + ${U});
        zg += h * getR(k, j + ${2 * U}); zo += h * getR(k, j + ${3 * U});
      }
      float cn = sigm(zf) * getPREV(b, ${U} + j) + sigm(zi) * tanh_(zg);
      setOutput(part == 0 ? sigm(zo) * tanh_(cn) : cn);
    } else {
      int col = (part - 2) * ${U} + j;
      float z = getZX(stepIndex, b, col);
      for (int k = 0; k < ${U}; k++) { z += getPREV(b, k) * getR(k, col); }
      setOutput(part == 4 ? tanh_(z) : sigm(z));
    }
  }`;
}

function backwardGlsl({ T, U }: Dims): string {
  return `${GLSL_MATHS}
  void main() {
    ivec2 coords = getOutputCoords();
    int b = coords.x;
    int part = coords.y / ${U};
    int j = coords.y - part * ${U};
    float dh = getDY(stepIndex, b, j);
    float dcn = getDY(${T}, b, j);
    if (stepIndex < ${T - 1}) {
      for (int k = 0; k < ${4 * U}; k++) { dh += getNEXT(b, k) * getRT(k, j); }
      dcn = getNEXT(b, ${4 * U} + j);
    }
    float gi = getSTATES(stepIndex, b, ${2 * U} + j); float gf = getSTATES(stepIndex, b, ${3 * U} + j);
    float gg = getSTATES(stepIndex, b, ${4 * U} + j); float go = getSTATES(stepIndex, b, ${5 * U} + j);
    float cp = getSTATE0(b, ${U} + j);
    if (stepIndex > 0) { cp = getSTATES(stepIndex - 1, b, ${U} + j); }
    float tc = tanh_(getSTATES(stepIndex, b, ${U} + j));
    float dct = dcn + dh * go * (1.0 - tc * tc);
    float v = dct * gf;
    if (part == 0) { v = dct * gg * gi * (1.0 - gi); }
    else if (part == 1) { v = dct * cp * gf * (1.0 - gf); }
    else if (part == 2) { v = dct * gi * (1.0 - gg * gg); }
    else if (part == 3) { v = dh * tc * go * (1.0 - go); }
    setOutput(v);
  }`;
}

class StepProgramWebGL implements GPGPUProgram {
  readonly userCode: string;
  readonly outputShape: number[];
  readonly customUniforms = [{ name: 'stepIndex', type: 'int' as const }];

  constructor(
    backward: boolean,
    readonly variableNames: string[],
    dims: Dims,
  ) {
    this.outputShape = [dims.B, (backward ? GRAD_WIDTH : STATE_WIDTH) * dims.U];
    this.userCode = backward ? backwardGlsl(dims) : forwardGlsl(dims);
  }
}

type Backend = Parameters<tf.KernelFunc>[0]['backend'];
type Run = (
  backend: Backend,
  backward: boolean,
  names: string[],
  inputs: tf.TensorInfo[],
  dims: Dims,
  step: number,
) => tf.TensorInfo;

function kernels(run: Run): [tf.KernelFunc, tf.KernelFunc] {
  const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { zx, prev, r } = inputs as Record<string, tf.TensorInfo>;
    const [T, B, U4] = zx.shape;
    const dims = { T, B, U: U4 / 4, W: prev.shape[1] };
    return run(backend, false, ['ZX', 'PREV', 'R'], [zx, prev, r], dims, (attrs as { step: number }).step);
  };
  const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { states, state0, dy, next, rt } = inputs as Record<string, tf.TensorInfo>;
    const [T, B, W] = states.shape;
    const names = ['STATES', 'STATE0', 'DY', 'NEXT', 'RT'];
    const dims = { T, B, U: W / STATE_WIDTH, W };
    return run(backend, true, names, [states, state0, dy, next, rt], dims, (attrs as { step: number }).step);
  };
  return [forward, backward];
}

/** Registers the WebGPU and WebGL step kernels (once). */
export function registerGpuStepKernels(): void {
  registerStepKernels(
    'webgpu',
    ...kernels((backend, backward, names, ins, dims, step) =>
      (backend as WebGPUBackend).runWebGPUProgram(new StepProgramWebGPU(backward, names, dims), ins, 'float32', [
        { type: 'int32', data: [step] },
      ]),
    ),
  );
  registerStepKernels(
    'webgl',
    ...kernels((backend, backward, names, ins, dims, step) =>
      (backend as MathBackendWebGL).runWebGLProgram(new StepProgramWebGL(backward, names, dims), ins, 'float32', [
        [step],
      ]),
    ),
  );
}
