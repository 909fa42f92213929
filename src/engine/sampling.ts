/**
 * Text generation. The LSTM state is kept between characters (one step per character), all
 * temperatures run as one batch, the next character is drawn on the device, and characters are
 * read back every few steps rather than after each one, so the GPU never waits for the page.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmStep, lstmStepFromTable } from './kernels/lstm-step';
import { sampleHead } from './kernels/sample-head';
import { forward, type CharModel, type LstmState } from './model';
import type { Rng } from '../data/rng';
import { encode, type Vocab } from '../data/vocab';

/** Temperatures at or below this pick the most likely character (the limit T -> 0). */
export const ARGMAX_BELOW = 1e-3;
export const READ_EVERY = 16; // steps generated between two readbacks (and noise draws)

/** Per-row constants: logits are scaled by 1/T; greedy rows (T -> 0) get scale 1 and no noise. */
function rowConstants(temperatures: number[]) {
  const greedy = (t: number) => t <= ARGMAX_BELOW;
  const rows = temperatures.length;
  return {
    scale: tf.tensor2d(
      temperatures.map((t) => (greedy(t) ? 1 : 1 / t)),
      [rows, 1],
    ),
    noisy: tf.tensor2d(
      temperatures.map((t) => (greedy(t) ? 0 : 1)),
      [rows, 1],
    ),
  };
}

/** Gumbel noise -log(-log u) for `steps` steps at once, [steps, rows, V], zero on greedy rows. */
function gumbel(steps: number, noisy: tf.Tensor2D, vocabSize: number, seed: number): tf.Tensor3D {
  return tf.tidy(() => {
    const u = tf.randomUniform([steps, noisy.shape[0], vocabSize], 1e-7, 1 - 1e-7, 'float32', seed);
    return tf.mul(tf.neg(tf.log(tf.neg(tf.log(u)))), noisy) as tf.Tensor3D;
  });
}

/**
 * The Gumbel-max trick: argmax(logits / T + g) is a draw from softmax(logits / T), exactly; with
 * g = 0 it is the argmax. One argMax per step, on the device, independent per row. (tf.multinomial
 * re-seeds for every row on the CPU backend, making the rows' draws identical.)
 */
function pick(logits: tf.Tensor2D, scale: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor1D {
  return tf.argMax(tf.add(tf.mul(logits, scale), noise), 1) as tf.Tensor1D;
}

/**
 * The output layer's bias plus Gumbel noise at each row's temperature, for every step of a burst:
 * [steps, rows, V]. argmax(h·W + b + T·g) = argmax((h·W + b) / T + g), as dividing by T > 0 keeps
 * the argmax: a draw from softmax((h·W + b) / T). So the sampling head draws each character with
 * no more than h·W, a bias and an argmax; the scaling and the noise are done once per burst.
 */
function noisyBiases(model: CharModel, scale: tf.Tensor2D, noisy: tf.Tensor2D, seed: number): tf.Tensor3D {
  const V = model.denseBias.shape[0];
  return tf.tidy(() => tf.add(model.denseBias, tf.div(gumbel(READ_EVERY, noisy, V, seed), scale)) as tf.Tensor3D);
}

/** Next ids [B] (int32) from logits [B, V] at per-row temperatures, seeded. Call inside tf.tidy. */
export function sampleOnDevice(logits: tf.Tensor2D, temperatures: number[], seed: number): tf.Tensor1D {
  const { scale, noisy } = rowConstants(temperatures);
  return pick(logits, scale, tf.squeeze(gumbel(1, noisy, logits.shape[1], seed), [0]) as tf.Tensor2D);
}

/**
 * Layer 0's input projection for every character at once: embedding W + b, [V, 4U]. Gathered
 * once through all its rows: a plain copy, except that on WebGL the copy is an unpacked texture,
 * which the step kernel reads at every character without unpacking it again.
 */
function inputTable(model: CharModel): tf.Tensor2D {
  return tf.tidy(() => {
    const table = tf.add(tf.matMul(model.embedding, model.lstm[0].kernel), model.lstm[0].bias) as tf.Tensor2D;
    return tf.gather(table, tf.range(0, table.shape[0], 1, 'int32'));
  });
}

/** Each layer's state packed for the step kernel: [h | c], [B, 2U]. Frees `state`. */
function packState(state: LstmState): tf.Tensor2D[] {
  const packed = state.h.map((h, l) => tf.concat([h, state.c[l]], 1) as tf.Tensor2D);
  tf.dispose([...state.h, ...state.c]);
  return packed;
}

/**
 * One character for every row: ids [B] -> the next ids, drawn with a step of the burst's noisy
 * biases, and each layer's next packed state ([h | c | gates], [B, 6U]): one step kernel per
 * layer (the training kernel), then the head kernel. Call inside tf.tidy.
 */
function step(model: CharModel, table: tf.Tensor2D, ids: tf.Tensor1D, state: tf.Tensor2D[], biases: Burst) {
  const [B, U] = [ids.shape[0], model.config.units];
  const next: tf.Tensor2D[] = [];
  model.lstm.forEach((w, l) => {
    const R = w.recurrentKernel as tf.Tensor2D;
    if (l === 0) return next.push(lstmStepFromTable(table, ids, state[0], R)); // the gather inside
    const z = tf.add(tf.matMul(tf.slice(next[l - 1], [0, 0], [B, U]), w.kernel), w.bias);
    next.push(lstmStep(tf.reshape(z, [1, B, 4 * U]), state[l], R, 0));
  });
  const drawn = sampleHead(next[next.length - 1], model.denseKernel as tf.Tensor2D, biases.values, biases.step);
  return { ids: drawn, state: next };
}

/** A burst's noisy biases [READ_EVERY, B, V] and the step of it to use. */
interface Burst {
  values: tf.Tensor3D;
  step: number;
}

/** Runs the prime through the model in one sequence call: last-step logits [B, V] and state. */
function readPrime(model: CharModel, vocab: Vocab, prime: string, rows: number) {
  let ids = encode(vocab, prime);
  if (ids.length === 0) ids = new Int32Array([Math.max(0, vocab.chars.indexOf('\n'))]);
  const T = ids.length;
  const tiled = new Int32Array(rows * T);
  for (let r = 0; r < rows; r++) tiled.set(ids, r * T);
  return tf.tidy(() => {
    const out = forward(model, tf.tensor2d(tiled, [rows, T], 'int32'));
    const last = tf.slice(tf.reshape(out.logits, [rows, T, -1]), [0, T - 1, 0], [rows, 1, -1]);
    return { logits: tf.reshape(last, [rows, -1]) as tf.Tensor2D, state: out.state };
  });
}

/**
 * Streams text at several temperatures at once (one batch row each). Yields, per step, the next
 * character of every row, in bursts of READ_EVERY steps.
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
  const table = inputTable(model);
  const { scale, noisy } = rowConstants(temperatures);
  const first = readPrime(model, vocab, prime, rows);
  let state = packState(first.state);
  let biases = noisyBiases(model, scale, noisy, rng.int(2 ** 31));
  let last = tf.tidy(() => sampleOnDevice(first.logits, temperatures, rng.int(2 ** 31))); // ids [rows]
  first.logits.dispose();
  let unread: tf.Tensor1D[] = [last];
  try {
    for (let i = 1; i <= length; i++) {
      if (unread.length === READ_EVERY || i === length) {
        const burst = tf.stack(unread);
        const ids = await burst.data();
        tf.dispose([burst, ...unread.filter((t) => t !== last)]); // `last` feeds the next step
        unread = [];
        for (let s = 0; s < ids.length; s += rows) yield temperatures.map((_, r) => vocab.chars[ids[s + r]]);
      }
      if (i === length) break;
      if (i % READ_EVERY === 0) {
        biases.dispose();
        biases = noisyBiases(model, scale, noisy, rng.int(2 ** 31));
      }
      const input = last;
      const k = i % READ_EVERY;
      const next = tf.tidy(() => step(model, table, input, state, { values: biases, step: k }));
      tf.dispose(state);
      if (!unread.includes(input)) input.dispose();
      state = next.state;
      last = next.ids;
      unread.push(last);
    }
  } finally {
    if (!unread.includes(last)) last.dispose();
    tf.dispose([table, scale, noisy, biases, ...unread, ...state]);
  }
}
