/**
 * The LSTM step on WebGL in tfjs' packed layout (each texel a 2×2 block: rows b, b+1 × columns
 * j, j+1), for an even number of units, so that no texel straddles two of the state's parts.
 * A timestep is two programs each way: the recurrent matMul, reading the previous state's h (or
 * the next step's gate gradients) in place, and the cell, every input and the output packed.
 * The unpacked programs (lstm-step.ts) needed ~6 a timestep each way: slicing h out of the
 * state, packing it and the recurrent kernel for the backend's matMul, unpacking its result for
 * the cell. The cell's GLSL is the unpacked one's, four values a fragment (lstm-step-glsl.ts).
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import { backwardCellGlsl, forwardCellGlsl } from './lstm-step-glsl';
import { GRAD_WIDTH, STATE_WIDTH } from '../lstm-step-math';

export interface PackedDims {
  T: number;
  B: number;
  U: number; // even
}

/**
 * ROWS[:, 0:K] × WEIGHTS ([K, N]) -> [rows, N]: the first K columns of a wider matrix (h in the
 * state [B, W], or dz in the gradient [B, 5U]) times the weights, as tfjs' packed matMul does it.
 */
export class ColumnsMatMulProgram implements GPGPUProgram {
  readonly variableNames = ['ROWS', 'WEIGHTS'];
  readonly packedInputs = true;
  readonly packedOutput = true;
  readonly outputShape: number[];
  readonly userCode: string;

  constructor(rows: number, K: number, N: number) {
    this.outputShape = [rows, N];
    this.userCode = `
      void main() {
        ivec2 rc = getOutputCoords();
        vec4 result = vec4(0);
        for (int i = 0; i < ${K / 2}; i++) {
          vec4 a = getROWS(rc.x, i * 2);
          vec4 b = getWEIGHTS(i * 2, rc.y);
          result += a.xxzz * b.xyxy;
          result += a.yyww * b.zwzw;
        }
        setOutput(result);
      }`;
  }
}

/** The packed cell, forward (inputs ZX, HR, PREV) or backward (STATES, STATE0, DY, NEXT, DHREC). */
export class PackedStepProgram implements GPGPUProgram {
  readonly variableNames: string[];
  readonly packedInputs = true;
  readonly packedOutput = true;
  readonly outputShape: number[];
  readonly userCode: string;
  readonly customUniforms = [{ name: 'stepIndex', type: 'int' as const }];

  constructor(backward: boolean, { T, B, U }: PackedDims) {
    this.variableNames = backward ? ['STATES', 'STATE0', 'DY', 'NEXT', 'DHREC'] : ['ZX', 'HR', 'PREV'];
    this.outputShape = [B, (backward ? GRAD_WIDTH : STATE_WIDTH) * U];
    this.userCode = backward ? backwardCellGlsl(T, U, 'vec4') : forwardCellGlsl(U, 'vec4');
  }
}
