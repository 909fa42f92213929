/**
 * The LSTM step on WebGL in tfjs' packed layout (each texel a 2×2 block: rows b, b+1 × columns
 * j, j+1), for an even number of units, so that no texel straddles two of the state's parts.
 * A timestep is two programs each way: the recurrent matMul, reading the previous state's h (or
 * the next step's gate gradients) in place, and the cell, every input and the output packed.
 * The unpacked programs (lstm-step-webgl.ts) needed ~6 a timestep each way: slicing h out of the
 * state, packing it and the recurrent kernel for the backend's matMul, unpacking its result for
 * the cell. Same maths (lstm-step-math.ts), four values a fragment.
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import { GRAD_WIDTH, STATE_WIDTH } from './lstm-step-math';

export interface PackedDims {
  T: number;
  B: number;
  U: number; // even
}

const GLSL_MATHS = `
  vec4 sigm4(vec4 x) { return 1.0 / (1.0 + exp(-x)); }
  vec4 tanh4(vec4 x) { vec4 e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

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

/** Forward cell: ZX [T, B, 4U], HR [B, 4U] (h × R), PREV [B, W] -> state [B, 6U]. */
function forwardGlsl(U: number): string {
  return `${GLSL_MATHS}
  vec4 gate(int q, int b, int j) { return getZX(stepIndex, b, q * ${U} + j) + getHR(b, q * ${U} + j); }
  void main() {
    ivec2 rc = getOutputCoords();
    int b = rc.x;
    int part = rc.y / ${U};
    int j = rc.y - part * ${U};
    if (part < 2) {
      vec4 gi = sigm4(gate(0, b, j)); vec4 gf = sigm4(gate(1, b, j));
      vec4 gg = tanh4(gate(2, b, j)); vec4 go = sigm4(gate(3, b, j));
      vec4 cn = gf * getPREV(b, ${U} + j) + gi * gg;
      setOutput(part == 0 ? go * tanh4(cn) : cn);
    } else {
      vec4 z = gate(part - 2, b, j);
      setOutput(part == 4 ? tanh4(z) : sigm4(z));
    }
  }`;
}

/** Backward cell: STATES [T, B, 6U], STATE0 [B, 2U], DY [T+1, B, U], NEXT [B, 5U], DHREC [B, U] -> [B, 5U]. */
function backwardGlsl(T: number, U: number): string {
  return `${GLSL_MATHS}
  void main() {
    ivec2 rc = getOutputCoords();
    int b = rc.x;
    int part = rc.y / ${U};
    int j = rc.y - part * ${U};
    vec4 dh = getDY(stepIndex, b, j);
    vec4 dcn = getDY(${T}, b, j);
    if (stepIndex < ${T - 1}) {
      dh += getDHREC(b, j);
      dcn = getNEXT(b, ${4 * U} + j);
    }
    vec4 gi = getSTATES(stepIndex, b, ${2 * U} + j); vec4 gf = getSTATES(stepIndex, b, ${3 * U} + j);
    vec4 gg = getSTATES(stepIndex, b, ${4 * U} + j); vec4 go = getSTATES(stepIndex, b, ${5 * U} + j);
    vec4 cp = getSTATE0(b, ${U} + j);
    if (stepIndex > 0) { cp = getSTATES(stepIndex - 1, b, ${U} + j); }
    vec4 tc = tanh4(getSTATES(stepIndex, b, ${U} + j));
    vec4 dct = dcn + dh * go * (1.0 - tc * tc);
    vec4 v = dct * gf;
    if (part == 0) { v = dct * gg * gi * (1.0 - gi); }
    else if (part == 1) { v = dct * cp * gf * (1.0 - gf); }
    else if (part == 2) { v = dct * gi * (1.0 - gg * gg); }
    else if (part == 3) { v = dh * tc * go * (1.0 - go); }
    setOutput(v);
  }`;
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
    this.userCode = backward ? backwardGlsl(T, U) : forwardGlsl(U);
  }
}
