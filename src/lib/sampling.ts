/** Text generation: the LSTM state is kept between characters, one step per character. */
import * as tf from '@tensorflow/tfjs';
import { forward, type CharModel, type LstmState } from './model';
import type { Rng } from './rng';
import { encode, type Vocab } from './vocab';

/** Temperatures at or below this pick the most likely character (the limit T -> 0). */
export const ARGMAX_BELOW = 1e-3;

/** Draws one id from a row of logits at a temperature; deterministic for a given RNG state. */
export function sampleLogits(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= ARGMAX_BELOW) return best;
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    weights[i] = Math.exp((logits[i] - logits[best]) / temperature);
    total += weights[i];
  }
  let r = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return best;
}

function disposeState(state: LstmState): void {
  tf.dispose([...state.h, ...state.c]);
}

/** Runs ids [B, T] through the model from `state`, returning last-step logits and the new state. */
function advance(model: CharModel, ids: Int32Array, rows: number, state?: LstmState) {
  const T = ids.length / rows;
  return tf.tidy(() => {
    const out = forward(model, tf.tensor2d(ids, [rows, T], 'int32'), { state });
    const last = tf.reshape(out.logits, [rows, T, -1]).slice([0, T - 1, 0], [rows, 1, -1]);
    return { logits: tf.reshape(last, [rows, -1]) as tf.Tensor2D, state: out.state };
  });
}

/**
 * Streams text at several temperatures at once (one batch row each). Yields, per step, the next
 * character of every row. The prime runs through the model in one sequence call first.
 */
export async function* generate(
  model: CharModel,
  vocab: Vocab,
  prime: string,
  temperatures: number[],
  length: number,
  rng: Rng,
): AsyncGenerator<string[]> {
  const rows = temperatures.length;
  let primeIds = encode(vocab, prime);
  if (primeIds.length === 0) primeIds = new Int32Array([Math.max(0, vocab.chars.indexOf('\n'))]);
  const tiled = new Int32Array(rows * primeIds.length);
  for (let r = 0; r < rows; r++) tiled.set(primeIds, r * primeIds.length);
  let { logits, state } = advance(model, tiled, rows);
  try {
    for (let i = 0; i < length; i++) {
      const values = await logits.data();
      const V = logits.shape[1];
      const next = temperatures.map((t, r) => sampleLogits(values.subarray(r * V, (r + 1) * V), t, rng));
      logits.dispose();
      const stepped = advance(model, Int32Array.from(next), rows, state);
      disposeState(state);
      ({ logits, state } = stepped);
      yield next.map((id) => vocab.chars[id]);
    }
  } finally {
    logits.dispose();
    disposeState(state);
  }
}
