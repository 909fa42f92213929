/**
 * WGSL for the WebGPU step kernels (lstm-step.ts): one program each way per timestep, the
 * recurrent dot products inside. The maths is lstm-step-math.ts, transcribed; tanh is written out
 * as tfjs does, since some drivers return NaN for large inputs. Two widths of thread:
 * - `vec4` (U a multiple of 4): four units a thread, every buffer read and written as vec4<f32>,
 *   the dot products running four hidden values (forward) or four gate gradients (backward) per
 *   loop turn: one load for four multiply-adds;
 * - scalar: a thread per (row, unit), for any width.
 * Below, `u` and `w` count a thread's elements: units and state width, divided by 4 for vec4.
 */
import { GRAD_WIDTH, STATE_WIDTH } from '../lstm-step-math';

/** What a step's shader is built for: sequence length, rows, units, previous state width. */
export interface Dims {
  T: number;
  B: number;
  U: number;
  W: number;
}

const WGSL_MATHS = `
  fn sigm(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
  fn tanh_(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
  fn sigm4(x : vec4<f32>) -> vec4<f32> { return 1.0 / (1.0 + exp(-x)); }
  fn tanh4(x : vec4<f32>) -> vec4<f32> { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

/** h × R for the four gates: scalar, one hidden value a turn; vec4, four (R's rows 4k..4k+3). */
function recurrentLoop(u: number, vec4: boolean): string {
  const gates = (h: string, r: string) =>
    `zi += ${h} * R[${r}]; zf += ${h} * R[${r} + ${u}]; zg += ${h} * R[${r} + ${2 * u}]; zo += ${h} * R[${r} + ${3 * u}];`;
  if (!vec4)
    return `for (var k = 0; k < ${u}; k++) { let h = PREV[p + k]; let r = k * ${4 * u} + j; ${gates('h', 'r')} }`;
  const rows = ['x', 'y', 'z', 'w'].map((c, i) => gates(`h.${c}`, `r + ${i * 4 * u}`)).join('\n      ');
  return `for (var k = 0; k < ${u}; k++) {
      let h = PREV[p + k];
      let r = k * ${16 * u} + j;
      ${rows}
    }`;
}

/**
 * Forward, a thread per (row, unit or 4 units); `fromTable`: ZX is a table [V, 4U] and row b reads
 * its row IDS[b] (generation). There the step is 0, but the shader reads it all the same: WebGPU
 * leaves an unread binding out of the pipeline's layout, and tfjs binds the uniforms whatever the
 * shader reads.
 */
export function forwardWgsl({ B, U, W }: Dims, fromTable: boolean, vec4: boolean): string {
  const [u, w] = vec4 ? [U / 4, W / 4] : [U, W];
  const [sigm, tanh] = vec4 ? ['sigm4', 'tanh4'] : ['sigm', 'tanh_'];
  const row = fromTable ? 'IDS[b] + uniforms.step' : `uniforms.step * ${B} + b`;
  return `${WGSL_MATHS}
  fn main(index : i32) {
    if (index >= ${B * u}) { return; }
    let b = index / ${u};
    let j = index % ${u};
    let z = (${row}) * ${4 * u} + j;
    var zi = ZX[z]; var zf = ZX[z + ${u}]; var zg = ZX[z + ${2 * u}]; var zo = ZX[z + ${3 * u}];
    let p = b * ${w};
    ${recurrentLoop(u, vec4)}
    let gi = ${sigm}(zi); let gf = ${sigm}(zf); let gg = ${tanh}(zg); let go = ${sigm}(zo);
    let cn = gf * PREV[p + ${u} + j] + gi * gg;
    let o = b * ${STATE_WIDTH * u} + j;
    result[o] = go * ${tanh}(cn); result[o + ${u}] = cn;
    result[o + ${2 * u}] = gi; result[o + ${3 * u}] = gf; result[o + ${4 * u}] = gg; result[o + ${5 * u}] = go;
  }`;
}

/** dh += the next step's dz × Rᵀ: scalar, one gate gradient a turn; vec4, four (Rᵀ's rows 4k..4k+3). */
function gradientLoop(U: number, u: number, vec4: boolean): string {
  if (!vec4) return `for (var k = 0; k < ${4 * u}; k++) { dh += NEXT[n + k] * RT[k * ${U} + j]; }`;
  return `for (var k = 0; k < ${4 * u}; k++) {
        let d = NEXT[n + k];
        let r = k * ${U} + j;
        dh += d.x * RT[r] + d.y * RT[r + ${u}] + d.z * RT[r + ${2 * u}] + d.w * RT[r + ${3 * u}];
      }`;
}

/** Backward, a thread per (row, unit or 4 units). */
export function backwardWgsl({ T, B, U }: Dims, vec4: boolean): string {
  const u = vec4 ? U / 4 : U;
  const tanh = vec4 ? 'tanh4' : 'tanh_';
  return `${WGSL_MATHS}
  fn main(index : i32) {
    if (index >= ${B * u}) { return; }
    let b = index / ${u};
    let j = index % ${u};
    let t = uniforms.step;
    var dh = DY[(t * ${B} + b) * ${u} + j];
    var dcn = DY[(${T * B} + b) * ${u} + j];
    if (t < ${T - 1}) {
      let n = b * ${GRAD_WIDTH * u};
      ${gradientLoop(U, u, vec4)}
      dcn = NEXT[n + ${4 * u} + j];
    }
    let s = (t * ${B} + b) * ${STATE_WIDTH * u} + j;
    let gi = STATES[s + ${2 * u}]; let gf = STATES[s + ${3 * u}];
    let gg = STATES[s + ${4 * u}]; let go = STATES[s + ${5 * u}];
    var cp = STATE0[b * ${2 * u} + ${u} + j];
    if (t > 0) { cp = STATES[s - ${B * STATE_WIDTH * u} + ${u}]; }
    let tc = ${tanh}(STATES[s + ${u}]);
    let dct = dcn + dh * go * (1.0 - tc * tc);
    let o = b * ${GRAD_WIDTH * u} + j;
    result[o] = dct * gg * gi * (1.0 - gi); result[o + ${u}] = dct * cp * gf * (1.0 - gf);
    result[o + ${2 * u}] = dct * gi * (1.0 - gg * gg); result[o + ${3 * u}] = dh * tc * go * (1.0 - go);
    result[o + ${4 * u}] = dct * gf;
  }`;
}
