/**
 * The sampling head (../sample-head.ts) on WebGL: two programs: a fragment per (row, character)
 * for the logits, then a fragment per row for the argmax (written as a float, as tfjs' own argMax
 * does for int32). One program looping over both on a fragment per row was no faster than the five
 * stock ops on SwiftShader. Ties go to the lower index, as in the maths.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { headDims, registerSampleHead, type HeadDims as Dims } from '../sample-head';
import { GENERATION_R, loopDone, unpackedOnce } from './lstm-step';

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

/**
 * The burst's biases and the output kernel may come packed from tfjs' ops; they are unpacked once
 * a burst rather than at every character, as runWebGLProgram would. The burst's last character
 * also frees the step's packed recurrent kernel (lstm-step.ts).
 */
const webgl: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gl = backend as unknown as MathBackendWebGL;
  const { state, kernel, biases } = inputs as Ins;
  const dims = headDims(inputs as Ins);
  const step = [[(attrs as { step: number }).step]];
  const ins = [state, unpackedOnce(gl, 'head-kernel', kernel), unpackedOnce(gl, 'head-biases', biases)];
  const logits = gl.runWebGLProgram(new HeadProgramWebGL(['STATE', 'KERNEL', 'BIASES'], dims), ins, 'float32', step);
  const ids = gl.runWebGLProgram(new HeadProgramWebGL(['LOGITS'], dims), [logits], 'int32', step);
  gl.disposeIntermediateTensorInfo(logits);
  if (step[0][0] === biases.shape[0] - 1) loopDone(gl, 'head-kernel', 'head-biases', GENERATION_R); // the burst's last step
  return ids;
};

/** Registers the WebGL head kernel (once). */
export const registerWebGlSampleHead = () => registerSampleHead('webgl', webgl);
