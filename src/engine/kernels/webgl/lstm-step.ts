/**
 * The LSTM step kernels on WebGL. An even number of units, over a sequence: two packed programs
 * a timestep each way (lstm-step-packed.ts). Otherwise (an odd number, or generation, whose
 * rows read a table by id): the backend's own packed matMul, then one unpacked GLSL cell
 * program, a fragment per output value. Every fragment of a dot-product shader would redo whole
 * dot products with scalar texture reads, which is slower on SwiftShader. The whole-sequence inputs
 * (zx forward; the states and dy backward; the recurrent kernel where the step is packed) are
 * converted once per sequence, not once per step as runWebGLProgram would.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { registerStepKernels } from '../lstm-step';
import { GRAD_WIDTH, STATE_WIDTH } from '../lstm-step-math';
import { backwardCellGlsl, forwardCellGlsl } from './lstm-step-glsl';
import { ColumnsMatMulProgram, PackedStepProgram } from './lstm-step-packed';

interface Dims {
  T: number;
  B: number;
  U: number;
  fromTable?: boolean; // forward: the input rows are looked up in a table by ids (generation)
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
    this.userCode = backward
      ? backwardCellGlsl(dims.T, dims.U, 'float')
      : forwardCellGlsl(dims.U, 'float', dims.fromTable);
  }
}

type Ins = Record<string, tf.TensorInfo>;
type Backend = Parameters<tf.KernelFunc>[0]['backend'];

/** Per role, the packed or unpacked copy of a whole-sequence input, kept until its loop ends. */
const converted = new Map<string, { source: object; copy: tf.TensorInfo }>();

function convertedOnce(gl: MathBackendWebGL, role: string, x: tf.TensorInfo, packed: boolean): tf.TensorInfo {
  if (!!gl.texData.get(x.dataId).isPacked === packed) return x;
  const held = converted.get(role);
  if (held?.source === x.dataId) return held.copy;
  if (held) gl.disposeIntermediateTensorInfo(held.copy); // a loop that ended early
  const copy = packed ? gl.packTensor(x) : gl.unpackTensor(x);
  converted.set(role, { source: x.dataId, copy });
  return copy;
}

export const unpackedOnce = (gl: MathBackendWebGL, role: string, x: tf.TensorInfo) => convertedOnce(gl, role, x, false);
const packedOnce = (gl: MathBackendWebGL, role: string, x: tf.TensorInfo) => convertedOnce(gl, role, x, true);

/** Generation's recurrent kernel, packed for a burst of characters; the sampling head frees it. */
export const GENERATION_R = 'packed r, generation';

/** Frees the copies once the loop's last step has been queued. */
export function loopDone(gl: MathBackendWebGL, ...roles: string[]): void {
  for (const role of roles) {
    const held = converted.get(role);
    if (held) gl.disposeIntermediateTensorInfo(held.copy);
    converted.delete(role);
  }
}

const run = (name: string, args: Parameters<tf.KernelFunc>[0]) =>
  tf.getKernel(name, 'webgl')!.kernelFunc(args) as tf.TensorInfo;

const matMul = (backend: Backend, a: tf.TensorInfo, b: tf.TensorInfo) =>
  run('BatchMatMul', { inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });

const columns = (backend: Backend, x: tf.TensorInfo, from: number, width: number) =>
  run('Slice', { inputs: { x }, backend, attrs: { begin: [0, from], size: [x.shape[0], width] } });

/** An even width, a sequence: two packed programs (lstm-step-packed.ts). */
function packedForward(gl: MathBackendWebGL, { zx, prev, r }: Ins, [T, B, U]: number[], step: number) {
  const hr = gl.runWebGLProgram(
    new ColumnsMatMulProgram(B, U, 4 * U),
    [prev, packedOnce(gl, 'packed r', r)],
    'float32',
  );
  const ins = [packedOnce(gl, 'packed zx', zx), hr, prev];
  const out = gl.runWebGLProgram(new PackedStepProgram(false, { T, B, U }), ins, 'float32', [[step]]);
  gl.disposeIntermediateTensorInfo(hr);
  if (step === T - 1) loopDone(gl, 'packed zx', 'packed r');
  return out;
}

function packedBackward(
  gl: MathBackendWebGL,
  { states, state0, dy, next, rt }: Ins,
  [T, B, U]: number[],
  step: number,
) {
  const s0 = packedOnce(gl, 'packed state0', state0);
  const dhRec = // not read at the last step
    step < T - 1
      ? gl.runWebGLProgram(new ColumnsMatMulProgram(B, 4 * U, U), [next, packedOnce(gl, 'packed rt', rt)], 'float32')
      : s0;
  const ins = [packedOnce(gl, 'packed states', states), s0, packedOnce(gl, 'packed dy', dy), next, dhRec];
  const out = gl.runWebGLProgram(new PackedStepProgram(true, { T, B, U }), ins, 'float32', [[step]]);
  if (dhRec !== s0) gl.disposeIntermediateTensorInfo(dhRec);
  if (step === 0) loopDone(gl, 'packed states', 'packed state0', 'packed dy', 'packed rt');
  return out;
}

const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as MathBackendWebGL;
  const { zx, prev, r, ids } = inputs as Ins;
  const [T, B, U4] = ids ? [1, prev.shape[0], zx.shape[1]] : zx.shape;
  const [U, step] = [U4 / 4, (attrs as { step: number }).step];
  if (!ids && U % 2 === 0) return packedForward(gl, inputs as Ins, [T, B, U], step);
  const h = columns(backend, prev, 0, U);
  const hr = matMul(backend, h, packedOnce(gl, ids ? GENERATION_R : 'packed r', r)); // not packed at every step
  const names = ids ? ['ZX', 'HR', 'PREV', 'IDS'] : ['ZX', 'HR', 'PREV'];
  const ins = ids ? [zx, hr, prev, ids] : [unpackedOnce(gl, 'packed zx', zx), hr, prev]; // a table: unpacked by its maker
  const program = new StepProgramWebGL(false, names, { T, B, U, fromTable: !!ids });
  const out = gl.runWebGLProgram(program, ins, 'float32', [[step]]);
  [h, hr].forEach((t) => gl.disposeIntermediateTensorInfo(t));
  if (!ids && step === T - 1) loopDone(gl, 'zx', 'packed r');
  return out;
};

const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as MathBackendWebGL;
  const { states, state0, dy, next, rt } = inputs as Ins;
  const [T, B, W] = states.shape;
  const [U, step] = [W / STATE_WIDTH, (attrs as { step: number }).step];
  if (U % 2 === 0) return packedBackward(gl, inputs as Ins, [T, B, U], step);
  const dz = step < T - 1 ? columns(backend, next, 0, 4 * U) : null;
  const dhRec = dz ? matMul(backend, dz, packedOnce(gl, 'packed rt', rt)) : state0; // not read at the last step
  const names = ['STATES', 'STATE0', 'DY', 'NEXT', 'DHREC'];
  const ins = [unpackedOnce(gl, 'packed states', states), state0, unpackedOnce(gl, 'packed dy', dy), next, dhRec];
  const out = gl.runWebGLProgram(new StepProgramWebGL(true, names, { T, B, U }), ins, 'float32', [[step]]);
  if (dz) [dz, dhRec].forEach((t) => gl.disposeIntermediateTensorInfo(t));
  if (step === 0) loopDone(gl, 'states', 'dy', 'packed rt');
  return out;
};

export function registerWebGlStepKernels(): void {
  registerStepKernels('webgl', forward, backward);
}
