/**
 * The fused LSTM cell kernels (see lstm-cell.ts) for WebGPU (WGSL, run through
 * runWebGPUProgram) and WebGL (GLSL, through runWebGLProgram). A program has one output, so the
 * forward runs three small programs (h, c', the activated gates) and the backward two (dz,
 * dcPrev), each reading what it needs: one tfjs kernel call each way, against ~12 forward and
 * ~56 backward kernels when tfjs differentiates the cell. The maths is lstm-cell-math.ts,
 * transcribed; tanh is written out as tfjs does, since some drivers return NaN for large inputs.
 * Imported by the worker only: it needs the browser's GPU backends.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { registerCellKernels } from './lstm-cell';

type Output = 'h' | 'c' | 'acts' | 'dz' | 'dcPrev';
const FORWARD_INPUTS = ['ZX', 'HR', 'C'];
const BACKWARD_INPUTS = ['ACTS', 'CPREV', 'CN', 'DOUT', 'DHREC', 'DC'];

/**
 * Each output's body, in a syntax both languages accept once `fl`, `it` and the declarations are
 * filled in: `b` and `j` (unit) or `r` (position in the 4U row) are given; `at(NAME, col)` reads
 * input NAME at column `col` of row `b`.
 */
function body(out: Output, U: number, lang: 'wgsl' | 'glsl'): string {
  const v = lang === 'wgsl' ? 'let' : 'float';
  const int = lang === 'wgsl' ? 'let' : 'int';
  const gates = (col: string) => `
    ${v} gi = sigm(at(ZX, ${col}) + at(HR, ${col}));
    ${v} gf = sigm(at(ZX, ${col} + ${U}) + at(HR, ${col} + ${U}));
    ${v} gg = tanh_(at(ZX, ${col} + ${2 * U}) + at(HR, ${col} + ${2 * U}));
    ${v} go = sigm(at(ZX, ${col} + ${3 * U}) + at(HR, ${col} + ${3 * U}));
    ${v} cn = gf * at(C, ${col}) + gi * gg;`;
  const back = (col: string) => `
    ${v} gi = at(ACTS, ${col}); ${v} gf = at(ACTS, ${col} + ${U});
    ${v} gg = at(ACTS, ${col} + ${2 * U}); ${v} go = at(ACTS, ${col} + ${3 * U});
    ${v} dh = at(DOUT, ${col}) + at(DHREC, ${col});
    ${v} tc = tanh_(at(CN, ${col}));
    ${v} dct = at(DC, ${col}) + dh * go * (1.0 - tc * tc);`;
  switch (out) {
    case 'h':
      return `${gates('j')} EMIT(go * tanh_(cn));`;
    case 'c':
      return `${gates('j')} EMIT(cn);`;
    case 'acts':
      return `${v} z = at(ZX, r) + at(HR, r); EMIT(select_(sigm(z), tanh_(z), r / ${U} == 2));`;
    case 'dcPrev':
      return `${back('j')} EMIT(dct * gf);`;
    case 'dz':
      return `${back('j')}
    ${int} gate = r / ${U};
    ${v} dzi = dct * gg * gi * (1.0 - gi); ${v} dzf = dct * at(CPREV, j) * gf * (1.0 - gf);
    ${v} dzg = dct * gi * (1.0 - gg * gg); ${v} dzo = dh * tc * go * (1.0 - go);
    EMIT(select_(select_(dzi, dzf, gate == 1), select_(dzg, dzo, gate == 3), gate >= 2));`;
  }
}

const wide = (out: Output) => out === 'acts' || out === 'dz'; // [B, 4U] outputs

class CellProgramWebGPU implements WebGPUProgram {
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    readonly out: Output,
    readonly variableNames: string[],
    readonly outputShape: number[],
    private readonly U: number,
  ) {
    this.dispatchLayout = webgpu_util.flatDispatchLayout(outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
    this.shaderKey = `inkling_lstm_${out}_${U}`;
  }

  getUserCode(): string {
    const U = this.U;
    const row = wide(this.out) ? 4 * U : U;
    const code = body(this.out, U, 'wgsl')
      .replace(
        /at\((\w+), ([^)]+)\)/g,
        (_, name: string, col: string) => `${name}[b * ${['ZX', 'HR', 'ACTS'].includes(name) ? 4 * U : U} + (${col})]`,
      )
      .replace(/\bEMIT\(([\s\S]+)\);$/, 'result[index] = $1;');
    return `
      fn sigm(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
      fn tanh_(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
      fn select_(a : f32, b : f32, useB : bool) -> f32 { return select(a, b, useB); }
      fn main(index : i32) {
        ${this.variableNames.map((name) => `_ = ${name}[0];`).join(' ')} // every input bound, used or not
        if (index < uniforms.size) {
          let b = index / ${row};
          let r = index % ${row};
          let j = r % ${U};
          ${code}
        }
      }`;
  }
}

class CellProgramWebGL implements GPGPUProgram {
  readonly userCode: string;

  constructor(
    out: Output,
    readonly variableNames: string[],
    readonly outputShape: number[],
    U: number,
  ) {
    const code = body(out, U, 'glsl')
      .replace(/at\((\w+), ([^)]+)\)/g, (_, name: string, col: string) => `get${name}(b, ${col})`)
      .replace(/\bEMIT\(([\s\S]+)\);$/, 'setOutput($1);');
    this.userCode = `
      float sigm(float x) { return 1.0 / (1.0 + exp(-x)); }
      float tanh_(float x) { float e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
      float select_(float a, float b, bool useB) { return useB ? b : a; }
      void main() {
        ivec2 coords = getOutputCoords();
        int b = coords.x;
        int r = coords.y;
        int j = imod(r, ${U});
        ${code}
      }`;
  }
}

type Backend = Parameters<tf.KernelFunc>[0]['backend'];
/** Runs one cell program on `backend`: which output, its inputs' names and tensors, its shape, U. */
type Run = (
  backend: Backend,
  out: Output,
  names: string[],
  inputs: tf.TensorInfo[],
  shape: number[],
  U: number,
) => tf.TensorInfo;

function kernels(run: Run): [tf.KernelFunc, tf.KernelFunc] {
  const forward: tf.KernelFunc = ({ inputs, backend }) => {
    const { zx, hr, c } = inputs as Record<string, tf.TensorInfo>;
    const [B, U] = c.shape;
    const ins = [zx, hr, c];
    return [
      run(backend, 'h', FORWARD_INPUTS, ins, [B, U], U),
      run(backend, 'c', FORWARD_INPUTS, ins, [B, U], U),
      run(backend, 'acts', FORWARD_INPUTS, ins, [B, 4 * U], U),
    ];
  };
  const backward: tf.KernelFunc = ({ inputs, backend }) => {
    const { acts, cPrev, c, dOut, dhRec, dc } = inputs as Record<string, tf.TensorInfo>;
    const [B, U] = c.shape;
    const ins = [acts, cPrev, c, dOut, dhRec, dc];
    return [
      run(backend, 'dz', BACKWARD_INPUTS, ins, [B, 4 * U], U),
      run(backend, 'dcPrev', BACKWARD_INPUTS, ins, [B, U], U),
    ];
  };
  return [forward, backward];
}

/** Registers the WebGPU and WebGL cell kernels (once). */
export function registerGpuCellKernels(): void {
  registerCellKernels(
    'webgpu',
    ...kernels((backend, out, names, ins, shape, U) =>
      (backend as WebGPUBackend).runWebGPUProgram(new CellProgramWebGPU(out, names, shape, U), ins, 'float32'),
    ),
  );
  registerCellKernels(
    'webgl',
    ...kernels((backend, out, names, ins, shape, U) =>
      (backend as MathBackendWebGL).runWebGLProgram(new CellProgramWebGL(out, names, shape, U), ins, 'float32'),
    ),
  );
}
