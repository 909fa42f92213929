/**
 * One LSTM layer's recurrence over a whole sequence, with a hand-written backward (tf.customGrad)
 * instead of tfjs' autodiff of split, sigmoid, tanh, mul and add (~56 kernels per timestep).
 * Per timestep, forward: one [B,U]x[U,4U] matMul and one fused cell kernel; backward: one fused
 * cell-gradient kernel and one [B,4U]x[4U,U] matMul. The recurrent kernel's gradient is one large
 * matMul over all timesteps (stacked previous h's, transposed, times the stacked gate gradients);
 * the gate gradients go back, stacked, as the gradient of the hoisted input projection.
 */
import * as tf from '@tensorflow/tfjs';
import { cellBackward, cellForward } from './kernels/lstm-cell';
import { keepForBackward, tapeIsOn } from './kept';

/** What the forward keeps for the backward: per timestep, the activated gates and c; the h's. */
interface Kept {
  acts: tf.Tensor2D[]; // [B, 4U] per step
  cs: tf.Tensor2D[]; // c_0 .. c_T, [B, U]
  hs: tf.Tensor2D[]; // h_0 .. h_{T-1} (the h each step started from), [B, U]
}

function backward(dy: tf.Tensor3D, R: tf.Tensor2D, kept: Kept): tf.Tensor[] {
  const T = kept.acts.length;
  const [B, U] = kept.cs[0].shape;
  const dys = tf.unstack(dy) as tf.Tensor2D[]; // dOut_0 .. dOut_{T-1}, then dc_T
  const Rt = tf.transpose(R); // [4U, U]: no transposed matMul inside the loop (slow on WASM)
  let dhRec = tf.zeros([B, U]) as tf.Tensor2D;
  let dc = dys[T];
  const dzs: tf.Tensor2D[] = new Array(T);
  for (let t = T - 1; t >= 0; t--) {
    const cell = { acts: kept.acts[t], cPrev: kept.cs[t], c: kept.cs[t + 1] };
    const { dz, dcPrev } = cellBackward(cell, dys[t], dhRec, dc);
    dhRec = tf.matMul(dz, Rt);
    dc = dcPrev;
    dzs[t] = dz;
  }
  const dzx = tf.stack(dzs) as tf.Tensor3D; // [T, B, 4U]
  const hPrevT = tf.transpose(tf.reshape(tf.stack(kept.hs), [T * B, U])); // [U, T*B]
  const dR = tf.matMul(hPrevT, tf.reshape(dzx, [T * B, 4 * U]));
  return [dzx, dR, dhRec, dc];
}

/**
 * zx: [T, B, 4U] (the input projection plus bias, all timesteps), R: [U, 4U], h0 and c0: [B, U].
 * Returns out [T, B, U] (every h) and the final h and c (made when first read, inside the caller's
 * tidy). Differentiable in all four inputs.
 */
export function lstmSequence(zx: tf.Tensor3D, R: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D) {
  const T = zx.shape[0];
  const taping = tapeIsOn(); // asked outside the op: customGrad runs its forward with the tape paused
  const op = tf.customGrad((x, r, h, c) => {
    const steps = tf.unstack(x as tf.Tensor3D) as tf.Tensor2D[];
    const k: Kept = { acts: [], cs: [c as tf.Tensor2D], hs: [h as tf.Tensor2D] };
    for (const z of steps) {
      const cell = cellForward(z, tf.matMul(k.hs.at(-1)!, r as tf.Tensor2D), k.cs.at(-1)!);
      k.hs.push(cell.h);
      k.cs.push(cell.c);
      k.acts.push(cell.acts);
    }
    const packed = tf.stack([...k.hs.slice(1), k.cs[T]]) as tf.Tensor3D; // [T + 1, B, U]: every h, then c_T
    k.hs.pop(); // the backward needs the h each step started from
    // [0] of cs and hs is the caller's h0 or c0, which its own tidy may free first: kept as a clone
    const { kept: held, release } = keepForBackward(
      taping,
      [...k.acts, ...k.cs.slice(1), ...k.hs.slice(1)],
      [k.cs[0], k.hs[0]],
    );
    const gradFunc = (dy: tf.Tensor) => {
      const [acts, cs, hs] = [held.slice(0, T), held.slice(T, 2 * T), held.slice(2 * T, 3 * T - 1)] as tf.Tensor2D[][];
      const [c0k, h0k] = held.slice(3 * T - 1) as tf.Tensor2D[];
      const grads = backward(dy as tf.Tensor3D, r as tf.Tensor2D, { acts, cs: [c0k, ...cs], hs: [h0k, ...hs] });
      release(); // kept for this backward alone
      return grads;
    };
    return { value: packed, gradFunc };
  });
  const packed = op(zx, R, h0, c0) as tf.Tensor3D;
  const [B, U] = h0.shape;
  const last = (at: number) => tf.reshape(tf.slice(packed, [at, 0, 0], [1, B, U]), [B, U]) as tf.Tensor2D;
  let final: { h: tf.Tensor2D; c: tf.Tensor2D } | null = null; // made on first read: most steps need neither
  const finalState = () => (final ??= { h: last(T - 1), c: last(T) });
  return {
    out: tf.slice(packed, [0, 0, 0], [T, B, U]) as tf.Tensor3D,
    get h() {
      return finalState().h;
    },
    get c() {
      return finalState().c;
    },
  };
}
