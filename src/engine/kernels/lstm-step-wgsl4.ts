/**
 * The WebGPU step shaders, four units a thread (U a multiple of 4): every buffer is read and
 * written as vec4<f32>, and the recurrent dot products run four hidden values (forward) or four
 * gate gradients (backward) per loop turn, so a thread issues one load for four multiply-adds
 * where the scalar shaders (lstm-step-gpu.ts) issue one per one. Same maths, same packed rows
 * (lstm-step-math.ts); the scalar shaders stay for widths that are not a multiple of 4.
 * On the software adapter (SwiftShader) a training step's recurrence went from ~54 ms a dispatch
 * to the figure in the README ("WebGPU on the software adapter").
 */
import { GRAD_WIDTH, STATE_WIDTH } from './lstm-step-math';

/** What a step's shader is built for: sequence length, rows, units, previous state width. */
export interface Dims {
  T: number;
  B: number;
  U: number;
  W: number;
}

export const WGSL_MATHS = `
  fn sigm(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
  fn tanh_(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
  fn sigm4(x : vec4<f32>) -> vec4<f32> { return 1.0 / (1.0 + exp(-x)); }
  fn tanh4(x : vec4<f32>) -> vec4<f32> { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

/** Forward, a thread per (row, 4 units); indices below count vec4s. */
export function forwardWgsl4({ B, U, W }: Dims, fromTable: boolean): string {
  const [u, w] = [U / 4, W / 4];
  const row = fromTable ? 'IDS[b] + uniforms.step' : `uniforms.step * ${B} + b`;
  return `${WGSL_MATHS}
  fn main(index : i32) {
    if (index >= ${B * u}) { return; }
    let b = index / ${u};
    let j = index % ${u};
    let z = (${row}) * ${4 * u} + j;
    var zi = ZX[z]; var zf = ZX[z + ${u}]; var zg = ZX[z + ${2 * u}]; var zo = ZX[z + ${3 * u}];
    let p = b * ${w};
    for (var k = 0; k < ${u}; k++) {
      let h = PREV[p + k];
      var r = k * ${16 * u} + j;
      zi += h.x * R[r]; zf += h.x * R[r + ${u}]; zg += h.x * R[r + ${2 * u}]; zo += h.x * R[r + ${3 * u}];
      r += ${4 * u};
      zi += h.y * R[r]; zf += h.y * R[r + ${u}]; zg += h.y * R[r + ${2 * u}]; zo += h.y * R[r + ${3 * u}];
      r += ${4 * u};
      zi += h.z * R[r]; zf += h.z * R[r + ${u}]; zg += h.z * R[r + ${2 * u}]; zo += h.z * R[r + ${3 * u}];
      r += ${4 * u};
      zi += h.w * R[r]; zf += h.w * R[r + ${u}]; zg += h.w * R[r + ${2 * u}]; zo += h.w * R[r + ${3 * u}];
    }
    let gi = sigm4(zi); let gf = sigm4(zf); let gg = tanh4(zg); let go = sigm4(zo);
    let cn = gf * PREV[p + ${u} + j] + gi * gg;
    let o = b * ${STATE_WIDTH * u} + j;
    result[o] = go * tanh4(cn); result[o + ${u}] = cn;
    result[o + ${2 * u}] = gi; result[o + ${3 * u}] = gf; result[o + ${4 * u}] = gg; result[o + ${5 * u}] = go;
  }`;
}

/** Backward, a thread per (row, 4 units): dh gathers Rᵀ's columns four gate gradients at a time. */
export function backwardWgsl4({ T, B, U }: Dims): string {
  const u = U / 4;
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
      for (var k = 0; k < ${4 * u}; k++) {
        let d = NEXT[n + k];
        let r = k * ${U} + j;
        dh += d.x * RT[r] + d.y * RT[r + ${u}] + d.z * RT[r + ${2 * u}] + d.w * RT[r + ${3 * u}];
      }
      dcn = NEXT[n + ${4 * u} + j];
    }
    let s = (t * ${B} + b) * ${STATE_WIDTH * u} + j;
    let gi = STATES[s + ${2 * u}]; let gf = STATES[s + ${3 * u}];
    let gg = STATES[s + ${4 * u}]; let go = STATES[s + ${5 * u}];
    var cp = STATE0[b * ${2 * u} + ${u} + j];
    if (t > 0) { cp = STATES[s - ${B * STATE_WIDTH * u} + ${u}]; }
    let tc = tanh4(STATES[s + ${u}]);
    let dct = dcn + dh * go * (1.0 - tc * tc);
    let o = b * ${GRAD_WIDTH * u} + j;
    result[o] = dct * gg * gi * (1.0 - gi); result[o + ${u}] = dct * cp * gf * (1.0 - gf);
    result[o + ${2 * u}] = dct * gi * (1.0 - gg * gg); result[o + ${3 * u}] = dh * tc * go * (1.0 - go);
    result[o + ${4 * u}] = dct * gf;
  }`;
}
