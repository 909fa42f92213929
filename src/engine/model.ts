/**
 * The char model: embedding -> LSTM x layers -> dense logits, as plain tf.Variables laid out
 * exactly like Keras/tfjs-layers weights (gate order i, f, c, o; kernel [in, 4U]; recurrent kernel
 * [U, 4U]; bias [4U]). Training uses the hand-written forward below; export can rebuild a stock
 * tf.sequential from the same arrays.
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmEngine, ModelConfig } from '../config/settings';
import { Rng } from '../data/rng';
import { lstmSequence, stepStates } from './lstm-sequence';

export interface LstmWeights {
  kernel: tf.Variable; // [inputDim, 4 * units]
  recurrentKernel: tf.Variable; // [units, 4 * units]
  bias: tf.Variable; // [4 * units]
}

export interface CharModel {
  config: ModelConfig;
  embedding: tf.Variable; // [vocabSize, embedDim]
  lstm: LstmWeights[];
  denseKernel: tf.Variable; // [units, vocabSize]
  denseBias: tf.Variable; // [vocabSize]
}

/** Per layer, the recurrent state carried between calls. */
export interface LstmState {
  h: tf.Tensor2D[]; // [batch, units] per layer
  c: tf.Tensor2D[]; // [batch, units] per layer
}

/** Keras-style names, in a fixed order: the order of weights in checkpoints and exports. */
export function namedWeights(model: CharModel): [string, tf.Variable][] {
  const named: [string, tf.Variable][] = [['embedding/embeddings', model.embedding]];
  model.lstm.forEach((w, i) => {
    named.push([`lstm_${i + 1}/kernel`, w.kernel]);
    named.push([`lstm_${i + 1}/recurrent_kernel`, w.recurrentKernel]);
    named.push([`lstm_${i + 1}/bias`, w.bias]);
  });
  named.push(['dense/kernel', model.denseKernel], ['dense/bias', model.denseBias]);
  return named;
}

export function modelVariables(model: CharModel): tf.Variable[] {
  return namedWeights(model).map(([, v]) => v);
}

/** Biases zero except the forget gate's, which starts at 1 (Keras' unitForgetBias). */
function lstmBias(units: number): tf.Tensor1D {
  return tf.concat([tf.zeros([units]), tf.ones([units]), tf.zeros([units * 2])]);
}

/**
 * A [n, 4n] recurrent kernel made of four n x n orthogonal blocks (one per gate), seeded.
 * Modified Gram-Schmidt on Gaussian rows in plain JS: tfjs' orthogonal initializer is slow at
 * these sizes (it warns above 2,000 elements).
 */
export function orthogonalGates(n: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const out = new Float32Array(n * 4 * n);
  for (let gate = 0; gate < 4; gate++) {
    const rows: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const v = Float64Array.from({ length: n }, gaussian);
      for (const q of rows) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += v[k] * q[k];
        for (let k = 0; k < n; k++) v[k] -= dot * q[k];
      }
      const norm = Math.hypot(...v);
      for (let k = 0; k < n; k++) v[k] /= norm;
      rows.push(v);
      for (let k = 0; k < n; k++) out[i * 4 * n + gate * n + k] = v[k];
    }
  }
  return tf.tensor2d(out, [n, 4 * n]);
}

let modelCount = 0;

/**
 * Fresh weights: Glorot-uniform kernels, orthogonal recurrent kernels, seeded. The embedding is
 * drawn from N(0, 1), as PyTorch's is, and as large as the one-hot rows the Keras tutorials fed
 * their LSTM; Keras' own default, U(±0.05), starts the LSTM on inputs 35× weaker. Measured with
 * the default model under Node, same batches: 1.87 against 1.99 bits/char after 700 steps, 1.78
 * against 1.84 after 1,400. Variables get
 * explicit, non-numeric names in `namedWeights` order, so gradient maps (and the optimizer slots
 * that follow their order) keep that order: tfjs' default names are integers, which JS objects
 * would sort by value.
 */
export function createModel(config: ModelConfig, seed: number): CharModel {
  const { vocabSize: V, embedDim: E, units: U, layers } = config;
  const prefix = `inkling${++modelCount}`;
  const v = (name: string, init: () => tf.Tensor) => tf.tidy(() => tf.variable(init(), true, `${prefix}/${name}`));
  const glorot = (shape: number[], s: number) =>
    tf.initializers.glorotUniform({ seed: seed + s }).apply(shape) as tf.Tensor;
  const embedding = v('embedding/embeddings', () => tf.randomNormal([V, E], 0, 1, 'float32', seed));
  const lstm = Array.from({ length: layers }, (_, i) => ({
    kernel: v(`lstm_${i + 1}/kernel`, () => glorot([i === 0 ? E : U, 4 * U], 10 + i)),
    recurrentKernel: v(`lstm_${i + 1}/recurrent_kernel`, () => orthogonalGates(U, seed + 20 + i)),
    bias: v(`lstm_${i + 1}/bias`, () => lstmBias(U)),
  }));
  const denseKernel = v('dense/kernel', () => glorot([U, V], 30));
  const denseBias = v('dense/bias', () => tf.zeros([V]));
  return { config: { ...config }, embedding, lstm, denseKernel, denseBias };
}

/** Overwrites every weight, in `namedWeights` order, from flat float32 arrays. */
export function assignWeights(model: CharModel, values: Float32Array[]): void {
  const named = namedWeights(model);
  if (values.length !== named.length) throw new Error(`expected ${named.length} weight arrays, got ${values.length}`);
  named.forEach(([name, variable], i) => {
    if (values[i].length !== variable.size)
      throw new Error(`${name}: expected ${variable.size} values, got ${values[i].length}`);
    tf.tidy(() => variable.assign(tf.tensor(values[i], variable.shape)));
  });
}

/**
 * A model with `vocabSize` rows where `model` has fewer: existing embedding and softmax rows are
 * kept, new characters get fresh small rows. The old model is disposed.
 */
export function extendVocabulary(model: CharModel, vocabSize: number, seed: number): CharModel {
  const old = model.config.vocabSize;
  const bigger = createModel({ ...model.config, vocabSize }, seed);
  const kept = namedWeights(model);
  namedWeights(bigger).forEach(([name, fresh], i) =>
    tf.tidy(() => {
      const v = kept[i][1];
      if (name === 'embedding/embeddings') fresh.assign(tf.concat([v, tf.slice(fresh, [old, 0], [-1, -1])], 0));
      else if (name === 'dense/kernel') fresh.assign(tf.concat([v, tf.slice(fresh, [0, old], [-1, -1])], 1));
      else if (name === 'dense/bias')
        fresh.assign(tf.concat([v, tf.fill([vocabSize - old], -5)])); // new characters start unlikely
      else fresh.assign(v);
    }),
  );
  disposeModel(model);
  return bigger;
}

export function disposeModel(model: CharModel): void {
  for (const v of modelVariables(model)) v.dispose();
}

export function zeroState(model: CharModel, batch: number): LstmState {
  const zeros = () => model.lstm.map(() => tf.zeros([batch, model.config.units]) as tf.Tensor2D);
  return { h: zeros(), c: zeros() };
}

/**
 * The LSTM cell: z = x W + b (given, for all four gates at once) + h R; gates i, f, c, o (Keras
 * order); returns the new h and c ([B, U]). Shared by training and one-step generation.
 */
export function lstmCell(zInput: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D, recurrentKernel: tf.Tensor2D) {
  const z = tf.add(zInput, tf.matMul(h, recurrentKernel));
  const [i, f, g, o] = tf.split(z, 4, 1);
  const cNext = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g))) as tf.Tensor2D;
  return { h: tf.mul(tf.sigmoid(o), tf.tanh(cNext)) as tf.Tensor2D, c: cNext };
}

/**
 * Which LSTM the model runs: 'fused' (the app: lstm-sequence.ts, hand-written backward, fused
 * cell kernels) or 'autodiff' (the reference the tests compare it against: stock ops below,
 * differentiated by tfjs).
 */
export type LstmPath = LstmEngine;
let lstmPath: LstmPath = 'fused';

/** The path training runs now. */
export function currentLstmPath(): LstmPath {
  return lstmPath;
}

export function useLstmPath(path: LstmPath): LstmPath {
  const previous = lstmPath;
  lstmPath = path;
  return previous;
}

/**
 * One LSTM layer over a whole sequence, time-major. The input projection for all timesteps is one
 * matMul hoisted out of the recurrence; each timestep then does one [B,U]x[U,4U] matMul.
 * Time-major, each timestep's slice is contiguous (unstack and its gradient, stack, are copies of
 * whole blocks; batch-major they were strided, which made WASM spend half of each step there).
 * x: [T, B, In] -> out: [T, B, U], plus the final h and c ([B, U]).
 */
export function lstmLayer(x: tf.Tensor3D, w: LstmWeights, h0: tf.Tensor2D, c0: tf.Tensor2D) {
  const [T, B, In] = x.shape;
  const U = h0.shape[1];
  const projected = tf.add(tf.matMul(tf.reshape(x, [T * B, In]), w.kernel), w.bias);
  if (lstmPath === 'fused') {
    return lstmSequence(tf.reshape(projected, [T, B, 4 * U]) as tf.Tensor3D, w.recurrentKernel as tf.Tensor2D, h0, c0);
  }
  const steps = tf.unstack(tf.reshape(projected, [T, B, 4 * U])) as tf.Tensor2D[];
  let state = { h: h0, c: c0 };
  const outs: tf.Tensor2D[] = [];
  for (const zt of steps) {
    state = lstmCell(zt, state.h, state.c, w.recurrentKernel as tf.Tensor2D);
    outs.push(state.h);
  }
  return { out: tf.stack(outs) as tf.Tensor3D, h: state.h, c: state.c };
}

/**
 * One layer's forward pass with every timestep's packed state [h | c | i f g o] ([T, B, 6U]):
 * the same input projection and step kernels as lstmLayer's fused path, without a gradient.
 */
export function lstmLayerStates(x: tf.Tensor3D, w: LstmWeights, h0: tf.Tensor2D, c0: tf.Tensor2D): tf.Tensor3D {
  const [T, B, In] = x.shape;
  const U = h0.shape[1];
  const projected = tf.add(tf.matMul(tf.reshape(x, [T * B, In]), w.kernel), w.bias);
  const zx = tf.reshape(projected, [T, B, 4 * U]) as tf.Tensor3D;
  return stepStates(zx, w.recurrentKernel as tf.Tensor2D, tf.concat([h0, c0], 1));
}

/**
 * ids: [B, T] int32 -> embedded characters, time-major [T, B, E]. A one-hot matMul: same numbers
 * as a gather, and its gradient is a plain matMul on every backend (tf.gather's gradient is slow
 * on CPU/WebGL and missing on WASM).
 */
export function embed(model: CharModel, ids: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = ids.shape;
  const oneHot = tf.oneHot(tf.reshape(tf.transpose(ids), [T * B]), model.config.vocabSize);
  return tf.reshape(tf.matMul(oneHot, model.embedding), [T, B, model.config.embedDim]);
}

export interface ForwardOptions {
  state?: LstmState; // initial state; zeros when absent
  dropoutSeed?: number; // set only when training: enables dropout between layers
}

/**
 * ids: [B, T] int32 -> logits [B * T, vocabSize] (row b*T + t predicts the id after ids[b, t]),
 * and the final state of every layer. Call inside tf.tidy.
 */
export function forward(model: CharModel, ids: tf.Tensor2D, opts: ForwardOptions = {}) {
  const { units: U, dropout } = model.config;
  const [B, T] = ids.shape;
  // The layers run time-major ([T, B, ...]); the logits come back batch-major.
  let x = embed(model, ids);
  const state = opts.state ?? zeroState(model, B);
  const h: tf.Tensor2D[] = [];
  const c: tf.Tensor2D[] = [];
  model.lstm.forEach((w, l) => {
    const layer = lstmLayer(x, w, state.h[l], state.c[l]);
    x = layer.out;
    if (opts.dropoutSeed !== undefined && dropout > 0) {
      x = tf.dropout(x, dropout, undefined, opts.dropoutSeed + l) as tf.Tensor3D;
    }
    h.push(layer.h);
    c.push(layer.c);
  });
  const rows = tf.reshape(tf.transpose(x, [1, 0, 2]), [B * T, U]);
  const logits = tf.add(tf.matMul(rows, model.denseKernel), model.denseBias) as tf.Tensor2D;
  return { logits, state: { h, c } };
}
