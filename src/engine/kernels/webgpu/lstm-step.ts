/**
 * The LSTM step kernels (lstm-step.ts) for WebGPU: one WGSL program each way per timestep, the
 * recurrent matMul inside, so the recurrence of a training step is 2 dispatches a timestep (it was
 * 7: a matMul and three cell programs forward, two and a matMul back). A thread per (row, unit),
 * or per (row, 4 units) when the width allows, runs the four gates' dot products (backward: one
 * dot product with Rᵀ) and writes every value of its units: h, c and the gates; dz and dcPrev.
 * The WGSL is in lstm-step-wgsl.ts, WebGL's kernels in ../webgl/lstm-step.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { registerStepKernels } from '../lstm-step';
import { GRAD_WIDTH, STATE_WIDTH } from '../lstm-step-math';
import { backwardWgsl, forwardWgsl, type Dims } from './lstm-step-wgsl';

class StepProgramWebGPU implements WebGPUProgram {
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly uniforms = 'step : i32,';
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;
  readonly vec4: boolean; // four units a thread (lstm-step-wgsl.ts), when U is a multiple of 4
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
    return this.backward ? backwardWgsl(this.dims, this.vec4) : forwardWgsl(this.dims, table, this.vec4);
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

/** Registers the WebGPU step kernels (once). */
export const registerWebGpuStepKernels = () => registerStepKernels('webgpu', forward, backward);
