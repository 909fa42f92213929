/**
 * The fused Adam update (see ../adam.ts) for WebGL: three small programs (x', m', v'), the step's
 * constants passed as uniforms so one compiled program serves every step.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { ADAM_ATTRS, ADAM_INPUTS, adamShaderBody, registerAdamKernel, type AdamAttrs, type AdamOutput } from '../adam';

class AdamProgramWebGL implements GPGPUProgram {
  readonly variableNames = ADAM_INPUTS;
  readonly customUniforms = ADAM_ATTRS.map((name) => ({ name, type: 'float' as const }));
  readonly userCode: string;

  constructor(
    out: AdamOutput,
    readonly outputShape: number[],
  ) {
    const code = adamShaderBody(
      out,
      (n) => (n === 'SCALE' ? 'getSCALE()' : `get${n}AtOutCoords()`),
      (a) => a,
      'float',
    );
    this.userCode = `void main() { ${code.replace(/EMIT\(([\s\S]+)\);$/, 'setOutput($1);')} }`;
  }
}

/** Registers the WebGL kernel (once). */
export function registerWebGlAdamKernel(): void {
  const outputs: AdamOutput[] = ['x', 'm', 'v'];
  registerAdamKernel('webgl', ({ inputs, backend, attrs }) => {
    const { x, m, v, g, scale } = inputs as Record<string, tf.TensorInfo>;
    const values = ADAM_ATTRS.map((a) => [(attrs as unknown as AdamAttrs)[a]]);
    const gl = backend as MathBackendWebGL;
    return outputs.map((o) =>
      gl.runWebGLProgram(new AdamProgramWebGL(o, x.shape), [x, m, v, g, scale], 'float32', values),
    );
  });
}
