/**
 * Look inside a model: what it expects next, how surprised it is, what each unit holds and what a
 * prediction looked back at. Everything comes from the code that trains: the embedding, the same
 * input projection and step kernels (model.ts lstmLayerStates, the fused path's packed states
 * [h | c | i f g o]) and the same dense layer; the memory view differentiates the training
 * forward (lstmLayer) itself. No second copy of the LSTM's maths.
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURES, varies } from '../data/text-features';
import {
  KIND_BLOCK,
  MEMORY_REACH,
  TOP_K,
  type ActivationKind,
  type CellFinding,
  type GateSaturation,
  type MemoryView,
  type UnitTrace,
} from './inside-types';
import { embed, lstmLayer, lstmLayerStates, type CharModel } from './model';
import { STATE_WIDTH } from './kernels/lstm-step-math';

const LN2 = Math.log(2);
export const MAX_PROBE = 3000; // characters a probe shows: enough for Karpathy's pictures, quick on any backend
export const CELLS_PER_FEATURE = 3; // units listed under each feature
const SATURATED = { low: 0.1, high: 0.9 }; // Karpathy et al. 2015, Fig. 3

/** A probe read by a model: kept by the worker, so unit traces and memory need no new pass. */
export interface ProbeReading {
  ids: Int32Array; // context then probe
  context: number; // leading ids read to warm the state, not shown
  layers: number;
  units: number;
  states: Float32Array[]; // per layer, [ids.length, 6U] packed rows [h | c | i f g o]
  bits: Float32Array; // [probe length]: −log2 p(char | what came before); NaN for a first character with no context
  topIds: Int32Array; // [probe length × TOP_K]
  topProbs: Float32Array; // [probe length × TOP_K]
}

/**
 * Reads `ids` (the first `context` of them only to warm the state) from a zero state through
 * every layer, keeping each timestep's packed state, the bits spent on each character and the
 * top TOP_K next characters after each.
 */
export async function readProbe(model: CharModel, ids: Int32Array, context = 0): Promise<ProbeReading> {
  const N = ids.length;
  const { units: U, layers, vocabSize: V } = model.config;
  if (N === 0 || context >= N) throw new RangeError('a probe needs at least one character after its context');
  const out = tf.tidy(() => {
    let x = embed(model, tf.tensor2d(ids, [1, N], 'int32')); // [N, 1, E]
    const zero = tf.zeros([1, U]) as tf.Tensor2D;
    const states = model.lstm.map((w) => {
      const s = lstmLayerStates(x, w, zero, zero); // [N, 1, 6U]
      x = tf.slice(s, [0, 0, 0], [N, 1, U]);
      return s;
    });
    const logits = tf.add(tf.matMul(tf.reshape(x, [N, U]), model.denseKernel), model.denseBias);
    return { states, logp: tf.logSoftmax(logits) };
  });
  try {
    const states = await Promise.all(out.states.map((s) => s.data() as Promise<Float32Array>));
    const logp = (await out.logp.data()) as Float32Array;
    const T = N - context;
    const bits = new Float32Array(T);
    const topIds = new Int32Array(T * TOP_K);
    const topProbs = new Float32Array(T * TOP_K);
    for (let s = 0; s < T; s++) {
      const t = context + s;
      bits[s] = t === 0 ? NaN : -logp[(t - 1) * V + ids[t]] / LN2;
      topOf(logp, t * V, V, topIds, topProbs, s * TOP_K);
    }
    return { ids, context, layers, units: U, states, bits, topIds, topProbs };
  } finally {
    tf.dispose([...out.states, out.logp]);
  }
}

/** The K largest of row [at, at + V) of log-probabilities, as ids and probabilities, best first. */
function topOf(logp: Float32Array, at: number, V: number, ids: Int32Array, probs: Float32Array, to: number): void {
  const K = Math.min(TOP_K, V);
  for (let k = 0; k < TOP_K; k++) [ids[to + k], probs[to + k]] = [-1, 0];
  for (let v = 0; v < V; v++) {
    const p = Math.exp(logp[at + v]);
    if (p <= probs[to + K - 1] && ids[to + K - 1] >= 0) continue;
    let k = K - 1;
    while (k > 0 && (ids[to + k - 1] < 0 || probs[to + k - 1] < p)) {
      ids[to + k] = ids[to + k - 1];
      probs[to + k] = probs[to + k - 1];
      k--;
    }
    ids[to + k] = v;
    probs[to + k] = p;
  }
}

/** Mean bits per character over the characters that have a prediction. */
export function meanBits(bits: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (const b of bits)
    if (!Number.isNaN(b)) {
      sum += b;
      n++;
    }
  return n > 0 ? sum / n : NaN;
}

/** Column of (kind, unit) in a packed state row. */
const columnOf = (kind: ActivationKind, unit: number, units: number) => KIND_BLOCK[kind] * units + unit;

/** One unit's value at each shown character. */
export function unitTrace(r: ProbeReading, layer: number, kind: ActivationKind, unit: number): UnitTrace {
  const index = (n: number, below: number) => Number.isInteger(n) && n >= 0 && n < below;
  if (!(index(layer, r.layers) && index(unit, r.units) && Object.hasOwn(KIND_BLOCK, kind)))
    throw new RangeError(`no ${kind} of unit ${unit} in layer ${layer}`);
  const width = STATE_WIDTH * r.units;
  const T = r.ids.length - r.context;
  const values = new Float32Array(T);
  const states = r.states[layer];
  const column = columnOf(kind, unit, r.units);
  let [min, max] = [Infinity, -Infinity];
  for (let s = 0; s < T; s++) {
    const v = states[(r.context + s) * width + column];
    values[s] = v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { layer, kind, unit, values, min, max };
}

/**
 * Units ranked by how well their cell state or hidden value follows each feature of the probe
 * text (|Pearson r|), CELLS_PER_FEATURE per feature; features that never vary over the probe are
 * left out: no unit can be shown to track them there. The sums are three matMuls on the backend
 * (the means, the centred squares, the centred products with every feature at once), in float32:
 * as loops in JavaScript they were most of a view's time after the reading.
 */
export async function rankCells(r: ProbeReading, text: string, features = FEATURES): Promise<CellFinding[]> {
  const T = r.ids.length - r.context;
  if (text.length !== T) throw new RangeError(`the text has ${text.length} characters, the probe ${T}`);
  const U = r.units;
  const width = STATE_WIDTH * U;
  const shown = features.map((feature) => ({ feature, y: feature.values(text) })).filter(({ y }) => varies(y));
  if (shown.length === 0) return [];
  const F = shown.length;
  const centred = new Float32Array(T * F); // [T, F]: each feature less its mean
  shown.forEach(({ y }, f) => {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += y[t];
    for (let t = 0; t < T; t++) centred[t * F + f] = y[t] - sum / T;
  });
  const sums = tf.tidy(() => {
    const yc = tf.tensor2d(centred, [T, F]);
    const ones = tf.fill([1, T], 1 / T) as tf.Tensor2D;
    return [
      tf.sum(tf.square(yc), 0), // [F]
      ...r.states.flatMap((states) => {
        // h then c: the first 2U of each packed row (KIND_BLOCK)
        const x = tf.slice(tf.tensor2d(states.subarray(r.context * width), [T, width]), [0, 0], [T, 2 * U]);
        const xc = tf.sub(x, tf.matMul(ones, x)); // less each column's mean
        return [tf.matMul(yc, xc, true, false), tf.mul(tf.matMul(ones, tf.square(xc)), T)]; // [F, 2U], [1, 2U]
      }),
    ];
  });
  const [syy, ...perLayer] = await Promise.all(sums.map((s) => s.data() as Promise<Float32Array>));
  tf.dispose(sums);
  return shown.flatMap(({ feature }, f) => {
    const all: CellFinding[] = [];
    for (let layer = 0; layer < r.layers; layer++) {
      const [sxy, sxx] = [perLayer[2 * layer].subarray(f * 2 * U), perLayer[2 * layer + 1]];
      for (const kind of ['c', 'h'] as const)
        for (let unit = 0; unit < U; unit++) {
          const j = columnOf(kind, unit, U);
          // A constant unit less its mean is one value throughout: its products with a centred
          // feature sum to rounding, so r stays near 0 even where sxx is not exactly 0.
          const rr = sxx[j] > 1e-12 && syy[f] > 1e-12 ? sxy[j] / Math.sqrt(sxx[j] * syy[f]) : 0;
          all.push({ feature: feature.id, label: feature.label, layer, kind, unit, r: Math.max(-1, Math.min(1, rr)) });
        }
    }
    return all.sort((a, b) => Math.abs(b.r) - Math.abs(a.r)).slice(0, CELLS_PER_FEATURE);
  });
}

/** Per layer, each unit's share of shown timesteps with its i, f and o gates below 0.1 and above 0.9. */
export function gateSaturation(r: ProbeReading): GateSaturation[] {
  const width = STATE_WIDTH * r.units;
  const T = r.ids.length - r.context;
  return r.states.map((states, layer) => ({
    layer,
    gates: (['i', 'f', 'o'] as const).map((gate) => {
      const low = new Float32Array(r.units);
      const high = new Float32Array(r.units);
      for (let unit = 0; unit < r.units; unit++) {
        const column = columnOf(gate, unit, r.units);
        let [below, above] = [0, 0];
        for (let s = 0; s < T; s++) {
          const v = states[(r.context + s) * width + column];
          if (v < SATURATED.low) below++;
          else if (v > SATURATED.high) above++;
        }
        low[unit] = below / T;
        high[unit] = above / T;
      }
      return { gate, low, high };
    }),
  }));
}

/**
 * What the prediction after shown character `at` looked back at: the gradient of the log-probability
 * of the character that came next with respect to each of the MEMORY_REACH inputs before it
 * (their embedded vectors), as magnitudes scaled to a maximum of 1 (Distill's "Memorization in
 * RNNs"). The state before the window is the one the probe's reading left, held fixed.
 */
export async function memoryAt(model: CharModel, r: ProbeReading, at: number, reach = MEMORY_REACH) {
  const T = r.ids.length - r.context;
  if (!(Number.isInteger(at) && at >= 0 && at < T - 1)) throw new RangeError(`no character after position ${at}`);
  const end = r.context + at; // absolute index of the last input read
  const start = Math.max(0, end - reach + 1);
  const L = end - start + 1;
  const U = r.units;
  const width = STATE_WIDTH * U;
  const target = r.ids[end + 1];
  const norms = tf.tidy(() => {
    const initial = (layer: number, block: 0 | 1) =>
      start === 0
        ? (tf.zeros([1, U]) as tf.Tensor2D)
        : tf.tensor2d(
            r.states[layer].subarray((start - 1) * width + block * U, (start - 1) * width + (block + 1) * U),
            [1, U],
          );
    const h0 = model.lstm.map((_, l) => initial(l, 0));
    const c0 = model.lstm.map((_, l) => initial(l, 1));
    const x0 = embed(model, tf.tensor2d(r.ids.subarray(start, end + 1), [1, L], 'int32')); // [L, 1, E]
    const logProbOfNext = (x: tf.Tensor3D) => {
      let input = x;
      model.lstm.forEach((w, l) => (input = lstmLayer(input, w, h0[l], c0[l]).out));
      const last = tf.reshape(tf.slice(input, [L - 1, 0, 0], [1, 1, U]), [1, U]);
      const logp = tf.logSoftmax(tf.add(tf.matMul(last, model.denseKernel), model.denseBias));
      return tf.reshape(tf.slice(logp, [0, target], [1, 1]), []) as tf.Scalar;
    };
    const grad = tf.grad((x: tf.Tensor) => logProbOfNext(x as tf.Tensor3D))(x0); // [L, 1, E]
    return tf.sqrt(tf.sum(tf.square(grad), [1, 2]));
  });
  const weights = (await norms.data()) as Float32Array;
  norms.dispose();
  const max = weights.reduce((m, w) => Math.max(m, w), 0);
  if (max > 0) for (let i = 0; i < weights.length; i++) weights[i] /= max;
  const from = Math.max(0, start - r.context); // positions before the shown probe are context: not shown
  return { at, from, weights: weights.slice(from + r.context - start) } satisfies MemoryView;
}
