/**
 * One LSTM timestep, recurrent matMul included, on plain arrays: the reference every backend's
 * step kernel follows (the CPU kernel runs exactly this; WASM runs the matMul through XNNPACK and
 * the cell through `cell` and `cellGrad` below; the GPU shaders transcribe it).
 *
 * Packed rows, so that one kernel per timestep reads and writes everything a step needs:
 * - a step's state row is [h | c | i f g o], 6U wide (the activated gates kept for the backward);
 *   the first step's previous state is [h0 | c0], 2U wide;
 * - a step's gradient row is [dz (4U: the gate pre-activations' gradient) | dcPrev (U)], 5U wide.
 * Gate order i, f, g, o (Keras).
 */

export const STATE_WIDTH = 6; // × U: h, c, the four activated gates
export const GRAD_WIDTH = 5; // × U: dz of the four gates, then dcPrev

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** out [B, N] = rows of `a` (row stride `aWidth`, first K columns) × w [K, N]. */
export function matMulRows(a: Float32Array, aWidth: number, w: Float32Array, B: number, K: number, out: Float32Array) {
  const N = out.length / B;
  out.fill(0);
  for (let b = 0; b < B; b++)
    for (let k = 0; k < K; k++) {
      const x = a[b * aWidth + k];
      if (x === 0) continue;
      const row = k * N;
      for (let n = 0; n < N; n++) out[b * N + n] += x * w[row + n];
    }
}

/**
 * The cell, forward: z = zx + hr ([B, 4U] each), c' = f·c + i·g, h = o·tanh(c'). `prev` holds the
 * previous state rows (`prevWidth` wide, c at column U); writes packed state rows to `out` [B, 6U].
 */
export function cell(
  zx: Float32Array,
  hr: Float32Array,
  prev: Float32Array,
  prevWidth: number,
  B: number,
  U: number,
  out: Float32Array,
): void {
  for (let b = 0; b < B; b++) {
    const z = b * 4 * U;
    const o6 = b * STATE_WIDTH * U;
    for (let j = 0; j < U; j++) {
      const gi = sigmoid(zx[z + j] + hr[z + j]);
      const gf = sigmoid(zx[z + U + j] + hr[z + U + j]);
      const gg = Math.tanh(zx[z + 2 * U + j] + hr[z + 2 * U + j]);
      const go = sigmoid(zx[z + 3 * U + j] + hr[z + 3 * U + j]);
      const cn = gf * prev[b * prevWidth + U + j] + gi * gg;
      out[o6 + j] = go * Math.tanh(cn);
      out[o6 + U + j] = cn;
      out[o6 + 2 * U + j] = gi;
      out[o6 + 3 * U + j] = gf;
      out[o6 + 4 * U + j] = gg;
      out[o6 + 5 * U + j] = go;
    }
  }
}

/**
 * The cell, backward. `state`: this step's state rows [B, 6U]; `prev`: the previous state rows
 * (c at column U); dOut [B, U]: the gradient from the layer above; dhRec [B, U]: from the next
 * step, through the recurrent kernel; `dcNext`: the gradient reaching c' (rows `dcWidth` wide,
 * at column `dcAt`). Writes gradient rows to `out` [B, 5U].
 */
export function cellGrad(
  state: Float32Array,
  prev: Float32Array,
  prevWidth: number,
  dOut: Float32Array,
  dhRec: Float32Array | null,
  dcNext: { data: Float32Array; width: number; at: number },
  B: number,
  U: number,
  out: Float32Array,
): void {
  const { data: dcs, width: dcWidth, at: dcAt } = dcNext;
  for (let b = 0; b < B; b++) {
    const s = b * STATE_WIDTH * U;
    const o = b * GRAD_WIDTH * U;
    for (let j = 0; j < U; j++) {
      const gi = state[s + 2 * U + j];
      const gf = state[s + 3 * U + j];
      const gg = state[s + 4 * U + j];
      const go = state[s + 5 * U + j];
      const dh = dOut[b * U + j] + (dhRec ? dhRec[b * U + j] : 0);
      const tc = Math.tanh(state[s + U + j]);
      const dct = dcs[b * dcWidth + dcAt + j] + dh * go * (1 - tc * tc);
      out[o + j] = dct * gg * gi * (1 - gi);
      out[o + U + j] = dct * prev[b * prevWidth + U + j] * gf * (1 - gf);
      out[o + 2 * U + j] = dct * gi * (1 - gg * gg);
      out[o + 3 * U + j] = dh * tc * go * (1 - go);
      out[o + 4 * U + j] = dct * gf;
    }
  }
}

/** Where the gradient reaching c' comes from: the next step's dcPrev, or at the last step the final c's. */
export function dcSource(next: Float32Array | null, dcLast: Float32Array, U: number) {
  return next ? { data: next, width: GRAD_WIDTH * U, at: 4 * U } : { data: dcLast, width: U, at: 0 };
}

/** Step forward: zx [B, 4U] (this step's), prev [B, prevWidth], R [U, 4U] -> out [B, 6U]. */
export function stepForward(
  zx: Float32Array,
  prev: Float32Array,
  prevWidth: number,
  R: Float32Array,
  B: number,
  U: number,
  out: Float32Array,
): void {
  const hr = new Float32Array(B * 4 * U);
  matMulRows(prev, prevWidth, R, B, U, hr);
  cell(zx, hr, prev, prevWidth, B, U, out);
}

/**
 * Step backward. `next` is the next step's gradient rows [B, 5U], or null for the last step (no
 * recurrent gradient; dc comes from `dcLast` [B, U], the gradient of the final c). Rt: [4U, U].
 */
export function stepBackward(
  s: { state: Float32Array; prev: Float32Array; prevWidth: number; dOut: Float32Array },
  next: Float32Array | null,
  dcLast: Float32Array,
  Rt: Float32Array,
  B: number,
  U: number,
  out: Float32Array,
): void {
  let dhRec: Float32Array | null = null;
  if (next) matMulRows(next, GRAD_WIDTH * U, Rt, B, 4 * U, (dhRec = new Float32Array(B * U)));
  cellGrad(s.state, s.prev, s.prevWidth, s.dOut, dhRec, dcSource(next, dcLast, U), B, U, out);
}
