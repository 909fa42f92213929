/**
 * The fused Adam update (see adam.ts) for WebGPU and WebGL: three small programs (x', m', v'),
 * the step's constants passed as uniforms so one compiled program serves every step.
 * Imported by the worker only.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { registerAdamKernel, type AdamAttrs } from './adam';

type Output = 'x' | 'm' | 'v';
const INPUTS = ['X', 'M', 'V', 'G', 'SCALE'];
const ATTRS = ['lr', 'beta1', 'beta2', 'epsilon', 'c1', 'c2'] as const;

/** The update, written once for both languages: `read(NAME)` reads an input at this element. */
function body(out: Output, read: (name: string) => string, u: (name: string) => string, v: string): string {
  const result =
    out === 'x'
      ? `${read('X')} - ${u('lr')} * (m / ${u('c1')}) / (sqrt(s / ${u('c2')}) + ${u('epsilon')})`
      : out === 'm'
        ? 'm'
        : 's';
  return `${v} g = ${read('G')} * ${read('SCALE')};
    ${v} m = ${u('beta1')} * ${read('M')} + (1.0 - ${u('beta1')}) * g;
    ${v} s = ${u('beta2')} * ${read('V')} + (1.0 - ${u('beta2')}) * g * g;
    EMIT(${result});`;
}

class AdamProgramWebGPU implements WebGPUProgram {
  readonly variableNames = INPUTS;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly uniforms = ATTRS.map((a) => `${a} : f32, `).join('');
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    private readonly out: Output,
    readonly outputShape: number[],
  ) {
    this.dispatchLayout = webgpu_util.flatDispatchLayout(outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
    this.shaderKey = `inkling_adam_${out}`;
  }

  getUserCode(): string {
    const code = body(
      this.out,
      (n) => (n === 'SCALE' ? 'SCALE[0]' : `${n}[index]`),
      (a) => `uniforms.${a}`,
      'let',
    );
    return `
      fn main(index : i32) {
        ${INPUTS.map((name) => `_ = ${name}[0];`).join(' ')} // every input bound
        if (index < uniforms.size) {
          ${code.replace(/EMIT\(([\s\S]+)\);$/, 'result[index] = $1;')}
        }
      }`;
  }
}

class AdamProgramWebGL implements GPGPUProgram {
  readonly variableNames = INPUTS;
  readonly customUniforms = ATTRS.map((name) => ({ name, type: 'float' as const }));
  readonly userCode: string;

  constructor(
    out: Output,
    readonly outputShape: number[],
  ) {
    const code = body(
      out,
      (n) => (n === 'SCALE' ? 'getSCALE()' : `get${n}AtOutCoords()`),
      (a) => a,
      'float',
    );
    this.userCode = `void main() { ${code.replace(/EMIT\(([\s\S]+)\);$/, 'setOutput($1);')} }`;
  }
}

/** Registers the WebGPU and WebGL kernels (once). */
export function registerGpuAdamKernels(): void {
  const outputs: Output[] = ['x', 'm', 'v'];
  registerAdamKernel('webgpu', ({ inputs, backend, attrs }) => {
    const { x, m, v, g, scale } = inputs as Record<string, tf.TensorInfo>;
    const uniforms = ATTRS.map((a) => ({ type: 'float32', data: [(attrs as unknown as AdamAttrs)[a]] }));
    const gpu = backend as WebGPUBackend;
    return outputs.map((o) =>
      gpu.runWebGPUProgram(new AdamProgramWebGPU(o, x.shape), [x, m, v, g, scale], 'float32', uniforms),
    );
  });
  registerAdamKernel('webgl', ({ inputs, backend, attrs }) => {
    const { x, m, v, g, scale } = inputs as Record<string, tf.TensorInfo>;
    const values = ATTRS.map((a) => [(attrs as unknown as AdamAttrs)[a]]);
    const gl = backend as MathBackendWebGL;
    return outputs.map((o) =>
      gl.runWebGLProgram(new AdamProgramWebGL(o, x.shape), [x, m, v, g, scale], 'float32', values),
    );
  });
}
