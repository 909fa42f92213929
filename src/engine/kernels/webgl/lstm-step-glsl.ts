/**
 * GLSL for the WebGL step's cell programs, unpacked (lstm-step.ts: a fragment per value,
 * `float`) and packed (lstm-step-packed.ts: a fragment per 2×2 block of two rows and two
 * units, `vec4`), from one text: the maths is lstm-step-math.ts, transcribed once. tanh is written
 * out as tfjs does, since some drivers return NaN for large inputs. The recurrent matMul (h × R,
 * or the next step's dz × Rᵀ) arrives as an input, HR or DHREC.
 */

/** A cell's value type and its two activations: one value a fragment, or a 2×2 block. */
const KIND = {
  float: { type: 'float', sigm: 'sigm', tanh: 'tanh_' },
  vec4: { type: 'vec4', sigm: 'sigm4', tanh: 'tanh4' },
} as const;

export type CellKind = keyof typeof KIND;

const MATHS = `
  float sigm(float x) { return 1.0 / (1.0 + exp(-x)); }
  float tanh_(float x) { float e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
  vec4 sigm4(vec4 x) { return 1.0 / (1.0 + exp(-x)); }
  vec4 tanh4(vec4 x) { vec4 e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

/** Where a fragment is: its row b, the state's part (h, c, i, f, g, o) and unit j within it. */
const WHERE = (U: number) => `
    ivec2 rc = getOutputCoords();
    int b = rc.x;
    int part = rc.y / ${U};
    int j = rc.y - part * ${U};`;

/**
 * Forward cell: ZX [T, B, 4U] (or, `fromTable`, a table [V, 4U] read at row IDS[b]), HR [B, 4U],
 * PREV [B, W] -> state [B, 6U]. The table is for generation, unpacked only.
 */
export function forwardCellGlsl(U: number, kind: CellKind, fromTable = false): string {
  const { type: t, sigm, tanh } = KIND[kind];
  const zx = fromTable ? 'getZX(int(getIDS(b)), col)' : 'getZX(stepIndex, b, col)';
  return `${MATHS}
  ${t} gate(int b, int col) { return ${zx} + getHR(b, col); }
  void main() {${WHERE(U)}
    if (part < 2) {
      ${t} gi = ${sigm}(gate(b, j)); ${t} gf = ${sigm}(gate(b, j + ${U}));
      ${t} gg = ${tanh}(gate(b, j + ${2 * U})); ${t} go = ${sigm}(gate(b, j + ${3 * U}));
      ${t} cn = gf * getPREV(b, ${U} + j) + gi * gg;
      setOutput(part == 0 ? go * ${tanh}(cn) : cn);
    } else {
      ${t} z = gate(b, (part - 2) * ${U} + j);
      setOutput(part == 4 ? ${tanh}(z) : ${sigm}(z));
    }
  }`;
}

/** Backward cell: STATES [T, B, 6U], STATE0 [B, 2U], DY [T+1, B, U], NEXT [B, 5U], DHREC [B, U] -> [B, 5U]. */
export function backwardCellGlsl(T: number, U: number, kind: CellKind): string {
  const { type: t, tanh } = KIND[kind];
  return `${MATHS}
  void main() {${WHERE(U)}
    ${t} dh = getDY(stepIndex, b, j);
    ${t} dcn = getDY(${T}, b, j);
    if (stepIndex < ${T - 1}) {
      dh += getDHREC(b, j);
      dcn = getNEXT(b, ${4 * U} + j);
    }
    ${t} gi = getSTATES(stepIndex, b, ${2 * U} + j); ${t} gf = getSTATES(stepIndex, b, ${3 * U} + j);
    ${t} gg = getSTATES(stepIndex, b, ${4 * U} + j); ${t} go = getSTATES(stepIndex, b, ${5 * U} + j);
    ${t} cp = getSTATE0(b, ${U} + j);
    if (stepIndex > 0) { cp = getSTATES(stepIndex - 1, b, ${U} + j); }
    ${t} tc = ${tanh}(getSTATES(stepIndex, b, ${U} + j));
    ${t} dct = dcn + dh * go * (1.0 - tc * tc);
    ${t} v = dct * gf;
    if (part == 0) { v = dct * gg * gi * (1.0 - gi); }
    else if (part == 1) { v = dct * cp * gf * (1.0 - gf); }
    else if (part == 2) { v = dct * gi * (1.0 - gg * gg); }
    else if (part == 3) { v = dh * tc * go * (1.0 - go); }
    setOutput(v);
  }`;
}
