/**
 * The LSTM cell's elementwise maths on plain arrays: the reference that every backend's fused
 * kernel follows (the CPU and WASM kernels run exactly this; the GPU shaders transcribe it).
 * Gate order i, f, g, o (Keras); rows of 4U pre-activations, U units.
 */

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Forward: z = zx + hr (both [B, 4U]); c' = f*c + i*g; h = o*tanh(c').
 * Writes h and cNext ([B, U]) and the activated gates ([B, 4U]: i, f, g, o), kept for the backward.
 */
export function cellForward(
  zx: ArrayLike<number>,
  hr: ArrayLike<number>,
  c: ArrayLike<number>,
  batch: number,
  units: number,
  out: { h: Float32Array; c: Float32Array; acts: Float32Array },
): void {
  const U = units;
  for (let b = 0; b < batch; b++) {
    const row = b * 4 * U;
    for (let j = 0; j < U; j++) {
      const i = sigmoid(zx[row + j] + hr[row + j]);
      const f = sigmoid(zx[row + U + j] + hr[row + U + j]);
      const g = Math.tanh(zx[row + 2 * U + j] + hr[row + 2 * U + j]);
      const o = sigmoid(zx[row + 3 * U + j] + hr[row + 3 * U + j]);
      const cn = f * c[b * U + j] + i * g;
      out.c[b * U + j] = cn;
      out.h[b * U + j] = o * Math.tanh(cn);
      out.acts[row + j] = i;
      out.acts[row + U + j] = f;
      out.acts[row + 2 * U + j] = g;
      out.acts[row + 3 * U + j] = o;
    }
  }
}

/**
 * Backward of one step. dh = dOut + dhRec is the gradient reaching h (from the layer above and
 * from the next step), dc the gradient reaching c' from the next step. Writes dz ([B, 4U], the
 * gradient of the pre-activations) and dcPrev ([B, U]).
 */
export function cellBackward(
  acts: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  c: ArrayLike<number>,
  dOut: ArrayLike<number>,
  dhRec: ArrayLike<number>,
  dc: ArrayLike<number>,
  batch: number,
  units: number,
  out: { dz: Float32Array; dcPrev: Float32Array },
): void {
  const U = units;
  for (let b = 0; b < batch; b++) {
    const row = b * 4 * U;
    for (let j = 0; j < U; j++) {
      const k = b * U + j;
      const i = acts[row + j];
      const f = acts[row + U + j];
      const g = acts[row + 2 * U + j];
      const o = acts[row + 3 * U + j];
      const dh = dOut[k] + dhRec[k];
      const tc = Math.tanh(c[k]);
      const dcTotal = dc[k] + dh * o * (1 - tc * tc);
      out.dz[row + j] = dcTotal * g * i * (1 - i);
      out.dz[row + U + j] = dcTotal * cPrev[k] * f * (1 - f);
      out.dz[row + 2 * U + j] = dcTotal * i * (1 - g * g);
      out.dz[row + 3 * U + j] = dh * tc * o * (1 - o);
      out.dcPrev[k] = dcTotal * f;
    }
  }
}
