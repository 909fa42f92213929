/** Where the step kernels of every CPU-side backend (CPU, WASM) read their inputs. */
import type * as tf from '@tensorflow/tfjs';
import { STATE_WIDTH } from './lstm-step-math';
import type { KernelArgs, Memory } from './memory';

export type Ins = Record<string, tf.TensorInfo>;
export const stepOf = (attrs: KernelArgs['attrs']) => (attrs as { step: number }).step;

/** Where a backward step reads: this step's state, the previous one, dOut, and the final c's gradient. */
export function backwardViews(read: Memory['read'], { states, state0, dy }: Ins, t: number) {
  const [, B, W] = states.shape;
  const U = W / STATE_WIDTH;
  const [all, dys, rows] = [read(states), read(dy), B * W];
  const T = states.shape[0];
  return {
    state: all.subarray(t * rows, (t + 1) * rows),
    prev: t > 0 ? all.subarray((t - 1) * rows, t * rows) : read(state0),
    prevWidth: t > 0 ? W : 2 * U,
    dOut: dys.subarray(t * B * U, (t + 1) * B * U),
    dcLast: dys.subarray(T * B * U),
  };
}

/**
 * This step's input rows [B, 4U]: the step's slice of zx [T, B, 4U], or, given ids [B], the rows
 * of the table [V, 4U] they name (generation: the next characters' input projection).
 */
export function stepInput(read: Memory['read'], { zx, ids }: Ins, B: number, U4: number, t: number): Float32Array {
  const all = read(zx);
  if (!ids) return all.subarray(t * B * U4, (t + 1) * B * U4);
  const which = read(ids) as unknown as Int32Array;
  const rows = new Float32Array(B * U4);
  for (let b = 0; b < B; b++) rows.set(all.subarray(which[b] * U4, (which[b] + 1) * U4), b * U4);
  return rows;
}

export const inputWidth = ({ zx }: Ins) => zx.shape[zx.shape.length - 1]; // 4U
export const rowsOf = ({ prev }: Ins) => prev.shape[0]; // B
