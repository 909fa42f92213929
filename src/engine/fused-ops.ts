/**
 * The fused path's layers around the LSTM, each one op with a hand-written backward
 * (tf.customGrad): under tfjs' autodiff every kernel of a training step is a tape entry that
 * clones its saved inputs, and the loss alone is ~40 kernels forward and back.
 */
import * as tf from '@tensorflow/tfjs';
import { keepForBackward, tapeIsOn } from './kept';
import { hasRowScatterAdd, rowScatterAdd } from './kernels/scatter-add';

/** One-hot rows as floats (the WASM backend of tfjs 4.22 ignores tf.oneHot's dtype: it writes int32 bits). */
const floatOneHot = (ids: tf.Tensor1D, depth: number) => tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;

/**
 * ids: int32 [N] -> the first layer's input projection [N, 4U]: an embedding lookup (a one-hot
 * matMul: same numbers as a gather, with a plain matMul for a gradient on every backend), then
 * x·kernel + bias as one fused matMul. table: [V, E], kernel: [E, 4U], bias: [4U].
 * Backward: dKernel = xᵀ·dz, dBias = Σ_rows dz, dx = dz·kernelᵀ, dTable = oneHotᵀ·dx.
 */
export function embedProject(ids: tf.Tensor1D, table: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D) {
  if (hasRowScatterAdd()) return projectThenLookUp(ids, table, kernel, bias);
  const taping = tapeIsOn();
  const op = tf.customGrad((t, k, b) => {
    const oneHot = floatOneHot(ids, table.shape[0]);
    const x = tf.matMul(oneHot, t as tf.Tensor2D);
    const z = tf.fused.matMul({ a: x, b: k as tf.Tensor2D, bias: b as tf.Tensor1D });
    const { kept, release } = keepForBackward(taping, [oneHot, x]);
    const gradFunc = (dz: tf.Tensor) => {
      const [hot, embedded] = kept as tf.Tensor2D[];
      const dx = tf.matMul(dz as tf.Tensor2D, k as tf.Tensor2D, false, true);
      const grads = [tf.matMul(hot, dx, true), tf.matMul(embedded, dz as tf.Tensor2D, true), tf.sum(dz, 0)];
      release();
      return grads;
    };
    return { value: z, gradFunc };
  });
  return op(table, kernel, bias) as tf.Tensor2D;
}

/**
 * embedProject where the backend has RowScatterAdd (CPU, WASM): the lookup moved after the
 * projection, as generation does. P = table·kernel + bias is [V, 4U] (V characters, not N
 * positions), and z is P's rows by id: a gather, a copy. Backward: dP = dz's rows added up by id,
 * dTable = dP·kernelᵀ, dKernel = tableᵀ·dP, dBias = Σ_rows dP. Same numbers; on WASM it replaces
 * the step's largest matMuls but one.
 */
function projectThenLookUp(ids: tf.Tensor1D, table: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D) {
  const taping = tapeIsOn();
  const op = tf.customGrad((t, k, b) => {
    const P = tf.fused.matMul({ a: t as tf.Tensor2D, b: k as tf.Tensor2D, bias: b as tf.Tensor1D });
    const z = tf.gather(P, ids);
    const { kept, release } = keepForBackward(taping, [], [ids]);
    const gradFunc = (dz: tf.Tensor) => {
      const dP = rowScatterAdd(dz as tf.Tensor2D, kept[0] as tf.Tensor1D, table.shape[0]);
      const grads = [
        tf.matMul(dP, k as tf.Tensor2D, false, true),
        tf.matMul(t as tf.Tensor2D, dP, true),
        tf.sum(dP, 0),
      ];
      release();
      return grads;
    };
    return { value: z, gradFunc };
  });
  return op(table, kernel, bias) as tf.Tensor2D;
}

/**
 * x: [N, In] -> x·kernel + bias ([N, K]) as one fused matMul; a deeper layer's input projection.
 * Backward: dx = dz·kernelᵀ, dKernel = xᵀ·dz, dBias = Σ_rows dz.
 */
export function project(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D) {
  const taping = tapeIsOn();
  const op = tf.customGrad((xi, k, b) => {
    const z = tf.fused.matMul({ a: xi as tf.Tensor2D, b: k as tf.Tensor2D, bias: b as tf.Tensor1D });
    const { kept, release } = keepForBackward(taping, [], [xi as tf.Tensor]);
    const gradFunc = (dz: tf.Tensor) => {
      const d = dz as tf.Tensor2D;
      const grads = [
        tf.matMul(d, k as tf.Tensor2D, false, true),
        tf.matMul(kept[0] as tf.Tensor2D, d, true),
        tf.sum(d, 0),
      ];
      release();
      return grads;
    };
    return { value: z, gradFunc };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

/**
 * The output layer and the mean softmax cross-entropy, in nats, as one op.
 * rows: [N, U], kernel: [U, V], bias: [V], targets: int32 [N] -> scalar.
 * Backward: dLogits = (softmax − oneHot(targets))·dy/N, dRows = dLogits·kernelᵀ,
 * dKernel = rowsᵀ·dLogits, dBias = Σ_rows dLogits.
 */
export function denseXent(rows: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, targets: tf.Tensor1D) {
  const n = rows.shape[0];
  const taping = tapeIsOn();
  const op = tf.customGrad((r, k, b) => {
    const logits = tf.fused.matMul({ a: r as tf.Tensor2D, b: k as tf.Tensor2D, bias: b as tf.Tensor1D });
    const shifted = tf.sub(logits, tf.max(logits, 1, true));
    const e = tf.exp(shifted);
    const sum = tf.sum(e, 1, true);
    const oneHot = floatOneHot(targets, kernel.shape[1]);
    // Σ over rows of log Σ e − the target's shifted logit; a one-hot row sums to 1
    const loss = tf.div(tf.sum(tf.mul(tf.sub(tf.log(sum), shifted), oneHot)), n) as tf.Scalar;
    const { kept, release } = keepForBackward(taping, [e, sum, oneHot], [r as tf.Tensor]);
    const gradFunc = (dy: tf.Tensor) => {
      const [ek, sk, hot, rk] = kept as tf.Tensor2D[];
      const dLogits = tf.mul(tf.sub(tf.div(ek, sk), hot), tf.div(dy as tf.Tensor, n)) as tf.Tensor2D;
      const grads = [
        tf.matMul(dLogits, k as tf.Tensor2D, false, true),
        tf.matMul(rk, dLogits, true),
        tf.sum(dLogits, 0),
      ];
      release();
      return grads;
    };
    return { value: loss, gradFunc };
  });
  return op(rows, kernel, bias) as tf.Scalar;
}
