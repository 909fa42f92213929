/**
 * Checks the fused LSTM on the current backend: its cell kernels against the plain-JS maths on
 * random inputs, and a small 2-layer model's loss and every weight's gradient against the
 * autodiff reference. How a person (and the e2e tests) can see that the WebGPU and WebGL shaders
 * compute what the CPU computes.
 */
import * as tf from '@tensorflow/tfjs';
import { randomBatch } from '../data/batching';
import { Rng } from '../data/rng';
import { weightSpecs } from './architecture';
import { createModel, disposeModel, modelVariables, useLstmPath, type LstmPath } from './model';
import { batchLoss } from './train';
import { adamMath, adamUpdate } from './kernels/adam';
import { cellBackward, cellForward } from './kernels/lstm-cell';
import { cellBackward as mathBackward, cellForward as mathForward } from './kernels/lstm-cell-math';
import { releaseUnused } from './kept';

export interface EngineCheck {
  lossRelError: number; // |fused - reference| / |reference|
  gradRelError: number; // the worst weight's max |difference| / max |reference gradient|
  worst: string; // that weight's name
  kernelRelError: number; // the fused kernels (LSTM cell, Adam) against their plain-JS maths, worst output
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
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, grads: arrays };
  } finally {
    disposeModel(model);
    useLstmPath(previous);
  }
}

/** Largest |a - b|, relative to the largest |b|. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

export async function checkFusedLstm(): Promise<EngineCheck> {
  const fused = await lossAndGrads('fused');
  const reference = await lossAndGrads('autodiff');
  const errors = fused.grads.map((g, i) => relError(g, reference.grads[i]));
  const worst = errors.indexOf(Math.max(...errors));
  return {
    lossRelError: Math.abs(fused.loss - reference.loss) / Math.abs(reference.loss),
    gradRelError: errors[worst],
    worst: weightSpecs({ ...CONFIG }).map(([name]) => name)[worst],
    kernelRelError: Math.max(...Object.values(await checkKernels())),
  };
}

/** The fused kernels (LSTM cell, Adam) on this backend against their plain-JS maths, on random inputs. */
export async function checkKernels(B = 3, U = 5): Promise<Record<string, number>> {
  const rng = new Rng(9);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
  const [zx, hr, c, dOut, dhRec, dc] = [4 * U, 4 * U, U, U, U, U].map((w) => rand(B * w));
  const want = { h: new Float32Array(B * U), c: new Float32Array(B * U), acts: new Float32Array(4 * B * U) };
  mathForward(zx, hr, c, B, U, want);
  const back = { dz: new Float32Array(4 * B * U), dcPrev: new Float32Array(B * U) };
  mathBackward(want.acts, c, want.c, dOut, dhRec, dc, B, U, back);
  const t = (a: Float32Array, w: number) => tf.tensor2d(a, [B, w]);
  const got = tf.tidy(() => {
    const fwd = cellForward(t(zx, 4 * U), t(hr, 4 * U), t(c, U));
    const cell = { acts: t(want.acts, 4 * U), cPrev: t(c, U), c: t(want.c, U) };
    const bwd = cellBackward(cell, t(dOut, U), t(dhRec, U), t(dc, U));
    return { h: fwd.h, c: fwd.c, acts: fwd.acts, dz: bwd.dz, dcPrev: bwd.dcPrev };
  });
  const expected: Record<string, Float32Array> = { ...want, ...back };
  const errors: Record<string, number> = {};
  for (const [name, tensor] of Object.entries(got)) errors[name] = relError(await tensor.data(), expected[name]);
  tf.dispose(Object.values(got));
  return { ...errors, ...(await checkAdamKernel(rand)) };
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
