/**
 * The LSTM step kernels (lstm-step.ts) for WebGPU: one WGSL program each way per timestep, the
 * recurrent matMul inside, so the recurrence of a training step is 2 dispatches a timestep (it was
 * 7: a matMul and three cell programs forward, two and a matMul back). A thread per (row, unit)
 * runs the four gates' dot products (backward: one dot product with Rᵀ) and writes every value of
 * its unit: h, c and the gates; dz and dcPrev. The maths is lstm-step-math.ts, transcribed; tanh
 * is written out as tfjs does, since some drivers return NaN for large inputs. WebGL's kernels are
 * in lstm-step-webgl.ts. Imported by the worker only: it needs the browser's GPU backends.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { registerStepKernels } from './lstm-step';
import { registerWebGlStepKernels } from './lstm-step-webgl';
import { GRAD_WIDTH, STATE_WIDTH } from './lstm-step-math';
import { backwardWgsl4, forwardWgsl4, WGSL_MATHS, type Dims } from './lstm-step-wgsl4';

/**
 * Forward; `fromTable`: ZX is a table [V, 4U] and row b reads its row IDS[b] (generation). There
 * the step is 0, but the shader reads it all the same: WebGPU leaves an unread binding out of the
 * pipeline's layout, and tfjs binds the uniforms whatever the shader reads.
 */
function forwardWgsl({ B, U, W }: Dims, fromTable: boolean): string {
  const row = fromTable ? 'IDS[b] + uniforms.step' : `uniforms.step * ${B} + b`;
  return `${WGSL_MATHS}
  fn main(index : i32) {
    if (index >= ${B * U}) { return; }
    let b = index / ${U};
    let j = index % ${U};
    let z = (${row}) * ${4 * U} + j;
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
  readonly vec4: boolean; // four units a thread (lstm-step-wgsl4.ts), when U is a multiple of 4
  readonly outputComponent: number;
  readonly variableComponents: number[];

  constructor(
    private readonly backward: boolean,
    readonly variableNames: string[],
    private readonly dims: Dims,
  ) {
    const { T, B, U, W } = dims;
    this.outputShape = [B, (backward ? GRAD_WIDTH : STATE_WIDTH) * U];
    this.dispatchLayout = webgpu_util.flatDispatchLayout(this.outputShape);
    this.vec4 = U % 4 === 0;
    this.outputComponent = this.vec4 ? 4 : 1;
    this.variableComponents = variableNames.map((name) => (name === 'IDS' || !this.vec4 ? 1 : 4));
    const threads = this.vec4 ? (B * U) / 4 : B * U; // a thread per (row, unit), or per 4 units
    this.dispatch = [Math.ceil(threads / this.workgroupSize[0]), 1, 1];
    const kind = backward ? 'grad' : variableNames.includes('IDS') ? 'table' : 'fwd';
    this.shaderKey = `inkling_lstm_step_${kind}${this.vec4 ? '4' : ''}_${T}_${B}_${U}_${W}`;
  }

  getUserCode(): string {
    const table = this.variableNames.includes('IDS');
    if (this.vec4) return this.backward ? backwardWgsl4(this.dims) : forwardWgsl4(this.dims, table);
    return this.backward ? backwardWgsl(this.dims) : forwardWgsl(this.dims, table);
  }
}

type Ins = Record<string, tf.TensorInfo>;
const stepOf = (attrs: unknown) => [{ type: 'int32', data: [(attrs as { step: number }).step] }];

const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { zx, prev, r, ids } = inputs as Ins;
  const [T, U4] = [ids ? 1 : zx.shape[0], zx.shape[zx.shape.length - 1]];
  const dims = { T, B: prev.shape[0], U: U4 / 4, W: prev.shape[1] };
  const names = ids ? ['ZX', 'PREV', 'R', 'IDS'] : ['ZX', 'PREV', 'R'];
  const program = new StepProgramWebGPU(false, names, dims);
  const ins = ids ? [zx, prev, r, ids] : [zx, prev, r];
  return (backend as WebGPUBackend).runWebGPUProgram(program, ins, 'float32', stepOf(attrs));
};

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { states, state0, dy, next, rt } = inputs as Ins;
  const [T, B, W] = states.shape;
  const program = new StepProgramWebGPU(true, ['STATES', 'STATE0', 'DY', 'NEXT', 'RT'], {
    T,
    B,
    U: W / STATE_WIDTH,
    W,
  });
  return (backend as WebGPUBackend).runWebGPUProgram(program, [states, state0, dy, next, rt], 'float32', stepOf(attrs));
};

/** Registers the WebGPU and WebGL step kernels (once). */
export function registerGpuStepKernels(): void {
  registerStepKernels('webgpu', forward, backward);
  registerWebGlStepKernels();
}
