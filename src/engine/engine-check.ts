/**
 * Checks the fused LSTM on the current backend: its step kernels (and the sampling head) against
 * the plain-JS maths on random inputs, and a small 2-layer model's loss and every weight's
 * gradient against the autodiff reference. How a person (and the e2e tests) can see that the
 * WebGPU and WebGL shaders compute what the CPU computes.
 */
import * as tf from '@tensorflow/tfjs';
import { randomBatch } from '../data/batching';
import { Rng } from '../data/rng';
import { weightSpecs } from './architecture';
import { createModel, disposeModel, modelVariables, useLstmPath, type LstmPath } from './model';
import { batchLoss, clipScale } from './train';
import { adamMath, adamUpdate } from './kernels/adam';
import { lstmStep, lstmStepFromTable, lstmStepGrad } from './kernels/lstm-step';
import { GRAD_WIDTH, STATE_WIDTH, stepBackward, stepForward } from './kernels/lstm-step-math';
import { releaseUnused } from './kept';
import { KERNELS, type KernelBackend } from './kernels/registry';
import { sampleHead, sampleHeadMath } from './kernels/sample-head';
import { hasRowScatterAdd, rowScatterAdd } from './kernels/scatter-add';
import { checkOps, relError } from './ops-check';

export { relError };

export interface EngineCheck {
  lossRelError: number; // |fused - reference| / |reference|
  gradRelError: number; // the worst weight's max |difference| / max |reference gradient|
  worst: string; // that weight's name
  kernelRelError: number; // the fused kernels (LSTM step, Adam) against their plain-JS maths, worst output
  clipRelError: number; // the gradients' global norm (clipping's) on the device against plain JS
}

const CONFIG = { vocabSize: 13, embedDim: 6, units: 8, layers: 2, dropout: 0 };

async function lossAndGrads(path: LstmPath) {
  const previous = useLstmPath(path);
  const model = createModel(CONFIG, 5);
  const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 5 + (i >> 2)) % CONFIG.vocabSize);
  const batch = randomBatch(ids, 10, 4, new Rng(3));
  try {
    const { value, grads } = tf.variableGrads(() => batchLoss(model, batch), modelVariables(model));
    releaseUnused();
    const loss = (await value.data())[0];
    const arrays = await Promise.all(modelVariables(model).map((v) => grads[v.name].data()));
    const norm = tf.tidy(() => clipScale(grads, 1).norm); // a sum over all 9 weights: more than one AddN on WebGPU
    const clipNorm = (await norm.data())[0];
    tf.dispose([value, norm, ...Object.values(grads)]);
    return { loss, grads: arrays, clipNorm };
  } finally {
    disposeModel(model);
    useLstmPath(previous);
  }
}

export async function checkFusedLstm(): Promise<EngineCheck> {
  const fused = await lossAndGrads('fused');
  const reference = await lossAndGrads('autodiff');
  const errors = fused.grads.map((g, i) => relError(g, reference.grads[i]));
  const worst = errors.indexOf(Math.max(...errors));
  const norm = Math.sqrt(
    fused.grads.reduce((sum, g) => sum + Array.from(g, (x) => x * x).reduce((a, b) => a + b, 0), 0),
  );
  return {
    lossRelError: Math.abs(fused.loss - reference.loss) / Math.abs(reference.loss),
    gradRelError: errors[worst],
    worst: weightSpecs({ ...CONFIG }).map(([name]) => name)[worst],
    kernelRelError: worstKernelError(await checkKernels()),
    clipRelError: Math.abs(fused.clipNorm - norm) / norm,
  };
}

/**
 * Each of the current backend's rows in the kernel table (kernels/registry.ts), its worst figure
 * over the checks that run it: Infinity for a row whose checks did not run, so that a kernel added
 * to the table without a check fails the engine check.
 */
export function errorsByKernel(errors: Record<string, number>, backend = tf.getBackend()): Record<string, number> {
  const rows = KERNELS[backend as KernelBackend] ?? [];
  return Object.fromEntries(
    rows.map((row) => [
      `${row.kernel} (${row.file})`,
      row.checks.length ? Math.max(...row.checks.map((c) => errors[c] ?? Infinity)) : Infinity,
    ]),
  );
}

/** The worst of every figure and of every kernel of the table on this backend. */
export function worstKernelError(errors: Record<string, number>): number {
  return Math.max(...Object.values(errors), ...Object.values(errorsByKernel(errors)));
}

/** Random inputs for T steps of B rows of U units: zx, the first state, R and Rᵀ (unrelated), dy. */
type StepInputs = {
  T: number;
  B: number;
  U: number;
  zx: Float32Array;
  state0: Float32Array;
  R: Float32Array;
  Rt: Float32Array;
  dy: Float32Array;
};

/** Every step forward, then every step back, by the plain-JS maths: [T, B, 6U] states, [T, B, 5U] gradients. */
function stepsByMaths({ T, B, U, zx, state0, R, Rt, dy }: StepInputs) {
  const [S, G] = [STATE_WIDTH * B * U, GRAD_WIDTH * B * U]; // one step's state, one step's gradient
  const [states, grads] = [new Float32Array(T * S), new Float32Array(T * G)];
  const at = (a: Float32Array, t: number, n: number) => a.subarray(t * n, (t + 1) * n);
  const prev = (t: number) => ({ prev: t ? at(states, t - 1, S) : state0, prevWidth: t ? STATE_WIDTH * U : 2 * U });
  for (let t = 0; t < T; t++) {
    const { prev: p, prevWidth } = prev(t);
    stepForward(at(zx, t, B * 4 * U), p, prevWidth, R, B, U, at(states, t, S));
  }
  for (let t = T - 1; t >= 0; t--) {
    const s = { state: at(states, t, S), ...prev(t), dOut: at(dy, t, B * U) };
    stepBackward(s, t < T - 1 ? at(grads, t + 1, G) : null, at(dy, T, B * U), Rt, B, U, at(grads, t, G));
  }
  return { states, grads };
}

/** The same on this backend's step kernels: forward chained; backward from the maths' states. */
function stepsByKernels({ T, B, U, zx, state0, R, Rt, dy }: StepInputs, states: Float32Array) {
  return tf.tidy(() => {
    const s0 = tf.tensor2d(state0, [B, 2 * U]);
    const [x, r, rt] = [tf.tensor3d(zx, [T, B, 4 * U]), tf.tensor2d(R, [U, 4 * U]), tf.tensor2d(Rt, [4 * U, U])];
    const fwd: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) fwd.push(lstmStep(x, fwd[t - 1] ?? s0, r, t));
    const known = {
      states: tf.tensor3d(states, [T, B, STATE_WIDTH * U]),
      state0: s0,
      dy: tf.tensor3d(dy, [T + 1, B, U]),
    };
    const back: tf.Tensor2D[] = new Array(T);
    for (let t = T - 1; t >= 0; t--) back[t] = lstmStepGrad(known, back[t + 1] ?? s0, rt, t);
    return { step: tf.stack(fwd), stepGrad: tf.stack(back) };
  });
}

/** The step kernels each way and from a table, T steps of B rows of U units, against the maths. */
async function checkSteps(rand: (n: number) => Float32Array, T: number, B: number, U: number) {
  const [zx, state0, R, Rt, dy] = [T * B * 4 * U, B * 2 * U, 4 * U * U, 4 * U * U, (T + 1) * B * U].map(rand);
  const inputs = { T, B, U, zx, state0, R, Rt, dy };
  const want = stepsByMaths(inputs);
  const got = stepsByKernels(inputs, want.states);
  const errors = {
    step: relError(await got.step.data(), want.states),
    stepGrad: relError(await got.stepGrad.data(), want.grads),
    stepFromTable: await checkTableStep(inputs),
  };
  tf.dispose([got.step, got.stepGrad]);
  return errors;
}

/**
 * The fused kernels (LSTM step each way, Adam, the sampling head) and the re-registered stock ops
 * on this backend against their maths. The steps run at 5 units and at 8 (WebGPU's shaders take
 * four units a thread when the width allows).
 */
export async function checkKernels(T = 3, B = 3): Promise<Record<string, number>> {
  const rng = new Rng(9);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
  const odd = await checkSteps(rand, T, B, 5);
  const even = await checkSteps(rand, T, B, 8);
  return {
    ...odd,
    ...Object.fromEntries(Object.entries(even).map(([name, error]) => [`${name}8`, error])),
    ...(await checkAdamKernel(rand)),
    ...(await checkHeadKernel(rand)),
    ...(await checkScatterAdd(rand)),
    ...(await checkOps(rand)),
  };
}

/** The step that looks its input rows up in a table by ids (generation's), against the maths. */
async function checkTableStep({ B, U, zx, state0, R }: StepInputs): Promise<number> {
  const V = (zx.length / (4 * U)) | 0; // zx's rows as the table
  const ids = Int32Array.from({ length: B }, (_, b) => (b * 2 + 1) % V);
  const rows = new Float32Array(B * 4 * U);
  ids.forEach((id, b) => rows.set(zx.subarray(id * 4 * U, (id + 1) * 4 * U), b * 4 * U));
  const want = new Float32Array(B * STATE_WIDTH * U);
  stepForward(rows, state0, 2 * U, R, B, U, want);
  const got = tf.tidy(() =>
    lstmStepFromTable(
      tf.tensor2d(zx.subarray(0, V * 4 * U), [V, 4 * U]),
      tf.tensor1d(ids, 'int32'),
      tf.tensor2d(state0, [B, 2 * U]),
      tf.tensor2d(R, [U, 4 * U]),
    ),
  );
  const error = relError(await got.data(), want);
  got.dispose();
  return error;
}

/** The sampling head on this backend against its maths: the share of rows whose drawn id differs. */
async function checkHeadKernel(rand: (n: number) => Float32Array): Promise<Record<string, number>> {
  const dims = { B: 6, U: 5, V: 11, step: 1 };
  const [W, S] = [3 * dims.U, 2]; // h is the first U of a wider state row; a burst of S steps
  const [state, kernel, biases] = [rand(dims.B * W), rand(dims.U * dims.V), rand(S * dims.B * dims.V)];
  const want = new Int32Array(dims.B);
  sampleHeadMath(state, W, kernel, biases, dims, want);
  const ids = tf.tidy(() =>
    sampleHead(
      tf.tensor2d(state, [dims.B, W]),
      tf.tensor2d(kernel, [dims.U, dims.V]),
      tf.tensor3d(biases, [S, dims.B, dims.V]),
      dims.step,
    ),
  );
  const got = await ids.data();
  ids.dispose();
  return { sampleHead: want.filter((id, b) => id !== got[b]).length / dims.B };
}

/** The row scatter-add (CPU and WASM only: elsewhere the engine keeps tfjs' ops) against its maths. */
async function checkScatterAdd(rand: (n: number) => Float32Array): Promise<Record<string, number>> {
  if (!hasRowScatterAdd()) return {};
  const [N, C, V] = [6, 8, 5];
  const x = rand(N * C);
  const ids = Int32Array.from([3, 0, 3, 4, 9, 1]); // one twice, one outside [0, V): adds nothing
  const want = new Float32Array(V * C);
  ids.forEach((id, n) => id < V && x.subarray(n * C, (n + 1) * C).forEach((v, j) => (want[id * C + j] += v)));
  const got = tf.tidy(() => rowScatterAdd(tf.tensor2d(x, [N, C]), tf.tensor1d(ids, 'int32'), V));
  const error = relError(await got.data(), want);
  got.dispose();
  return { rowScatterAdd: error };
}

/** The fused Adam update on this backend against adamMath, on random inputs (a [5, 7] variable). */
async function checkAdamKernel(rand: (n: number) => Float32Array): Promise<Record<string, number>> {
  const [x, m, v, g] = [rand(35), rand(35), rand(35).map(Math.abs), rand(35)];
  const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, c1: 1 - 0.9 ** 3, c2: 1 - 0.999 ** 3 };
  const want = { x: new Float32Array(35), m: new Float32Array(35), v: new Float32Array(35) };
  adamMath(x, m, v, g, 0.5, attrs, want);
  const t = (a: Float32Array) => tf.tensor2d(a, [5, 7]);
  const got = tf.tidy(() => adamUpdate(t(x), t(m), t(v), t(g), tf.scalar(0.5), attrs));
  const errors = {
    adamX: relError(await got.x.data(), want.x),
    adamM: relError(await got.m.data(), want.m),
    adamV: relError(await got.v.data(), want.v),
  };
  tf.dispose([got.x, got.m, got.v]);
  return errors;
}
