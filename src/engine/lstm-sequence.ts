/**
 * One LSTM layer's recurrence over a whole sequence, with a hand-written backward (tf.customGrad)
 * instead of tfjs' autodiff of matMul, split, sigmoid, tanh, mul and add (~68 kernels a timestep).
 * One kernel per timestep each way (kernels/lstm-step.ts), the recurrent matMul inside it:
 * forward, the step reads its slice of the hoisted input projection and the previous packed state
 * [h | c | gates]; backward, the step takes the next step's gate gradients through Rᵀ and the
 * cell's elementwise backward. Out of the loop: the recurrent kernel's gradient as one large matMul
 * (the stacked previous h's, transposed, times the stacked gate gradients), and the stacked gate
 * gradients as the gradient of the hoisted input projection.
 */
import * as tf from '@tensorflow/tfjs';
import { STATE_WIDTH } from './kernels/lstm-step-math';
import { hasStepKernels, lstmStep, lstmStepGrad } from './kernels/lstm-step';
import { keepForBackward, tapeIsOn } from './kept';

/**
 * dy: [T+1, B, U] (every h's gradient, then the final c's); states: [T, B, 6U]; state0: [h0 | c0].
 * Returns the gradients of zx, R, h0 and c0.
 */
function backward(dy: tf.Tensor3D, R: tf.Tensor2D, states: tf.Tensor3D, state0: tf.Tensor2D): tf.Tensor[] {
  const [T, B, W] = states.shape;
  const U = W / STATE_WIDTH;
  const Rt = tf.transpose(R); // [4U, U]
  const grads: tf.Tensor2D[] = new Array(T);
  let next = state0; // not read by the last step
  for (let t = T - 1; t >= 0; t--) grads[t] = next = lstmStepGrad({ states, state0, dy }, next, Rt, t);
  const all = tf.stack(grads) as tf.Tensor3D; // [T, B, 5U]
  const dzx = tf.slice(all, [0, 0, 0], [T, B, 4 * U]); // [T, B, 4U]
  const h0 = tf.reshape(tf.slice(state0, [0, 0], [B, U]), [1, B, U]);
  const hPrev = T > 1 ? tf.concat([h0, tf.slice(states, [0, 0, 0], [T - 1, B, U])]) : h0; // [T, B, U]
  const dR = tf.matMul(tf.transpose(tf.reshape(hPrev, [T * B, U])), tf.reshape(dzx, [T * B, 4 * U]));
  const dh0 = tf.matMul(tf.slice(grads[0], [0, 0], [B, 4 * U]), Rt);
  const dc0 = tf.slice(grads[0], [0, 4 * U], [B, U]);
  return [dzx, dR, dh0, dc0];
}

/**
 * The forward recurrence alone: every timestep's packed state row [h | c | i f g o], [T, B, 6U],
 * from state0 [h0 | c0] ([B, 2U]). Training keeps it for the backward; Look inside reads it.
 */
export function stepStates(zx: tf.Tensor3D, R: tf.Tensor2D, state0: tf.Tensor2D): tf.Tensor3D {
  const steps: tf.Tensor2D[] = [];
  let prev = state0;
  for (let t = 0; t < zx.shape[0]; t++) steps.push((prev = lstmStep(zx, prev, R, t)));
  return tf.stack(steps) as tf.Tensor3D;
}

/**
 * zx: [T, B, 4U] (the input projection plus bias, all timesteps), R: [U, 4U], h0 and c0: [B, U].
 * Returns out [T, B, U] (every h) and the final h and c (made when first read, inside the caller's
 * tidy). Differentiable in all four inputs.
 */
export function lstmSequence(zx: tf.Tensor3D, R: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D) {
  if (!hasStepKernels()) throw new Error(`The fused LSTM has no kernel for the ${tf.getBackend()} backend`);
  const [T, B] = zx.shape;
  const U = h0.shape[1];
  const taping = tapeIsOn(); // asked outside the op: customGrad runs its forward with the tape paused
  const op = tf.customGrad((x, r, h, c) => {
    const state0 = tf.concat([h, c] as tf.Tensor2D[], 1); // [B, 2U]
    const states = stepStates(x as tf.Tensor3D, r as tf.Tensor2D, state0);
    const hs = tf.slice(states, [0, 0, 0], [T, B, U]);
    const packed = tf.concat([hs, tf.slice(states, [T - 1, 0, U], [1, B, U])]) as tf.Tensor3D; // every h, then c_T
    const { kept, release } = keepForBackward(taping, [states, state0]);
    const gradFunc = (dy: tf.Tensor) => {
      const grads = backward(dy as tf.Tensor3D, r as tf.Tensor2D, kept[0] as tf.Tensor3D, kept[1] as tf.Tensor2D);
      release(); // kept for this backward alone
      return grads;
    };
    return { value: packed, gradFunc };
  });
  const packed = op(zx, R, h0, c0) as tf.Tensor3D;
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
