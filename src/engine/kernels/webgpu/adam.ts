/**
 * The fused Adam update (see ../adam.ts) for WebGPU: three small programs (x', m', v'), the step's
 * constants passed as uniforms so one compiled program serves every step.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { ADAM_ATTRS, ADAM_INPUTS, adamShaderBody, registerAdamKernel, type AdamAttrs, type AdamOutput } from '../adam';

class AdamProgramWebGPU implements WebGPUProgram {
  readonly variableNames = ADAM_INPUTS;
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly uniforms = ADAM_ATTRS.map((a) => `${a} : f32, `).join('');
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    private readonly out: AdamOutput,
    readonly outputShape: number[],
  ) {
    this.dispatchLayout = webgpu_util.flatDispatchLayout(outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
    this.shaderKey = `inkling_adam_${out}`;
  }

  getUserCode(): string {
    const code = adamShaderBody(
      this.out,
      (n) => (n === 'SCALE' ? 'SCALE[0]' : `${n}[index]`),
      (a) => `uniforms.${a}`,
      'let',
    );
    return `
      fn main(index : i32) {
        ${ADAM_INPUTS.map((name) => `_ = ${name}[0];`).join(' ')} // every input bound
        if (index < uniforms.size) {
          ${code.replace(/EMIT\(([\s\S]+)\);$/, 'result[index] = $1;')}
        }
      }`;
  }
}

/** Registers the WebGPU kernel (once). */
export function registerWebGpuAdamKernel(): void {
  const outputs: AdamOutput[] = ['x', 'm', 'v'];
  registerAdamKernel('webgpu', ({ inputs, backend, attrs }) => {
    const { x, m, v, g, scale } = inputs as Record<string, tf.TensorInfo>;
    const uniforms = ADAM_ATTRS.map((a) => ({ type: 'float32', data: [(attrs as unknown as AdamAttrs)[a]] }));
    const gpu = backend as WebGPUBackend;
    return outputs.map((o) =>
      gpu.runWebGPUProgram(new AdamProgramWebGPU(o, x.shape), [x, m, v, g, scale], 'float32', uniforms),
    );
  });
}
