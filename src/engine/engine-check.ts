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
import { cellBackward, cellForward } from './kernels/lstm-cell';
import { cellBackward as mathBackward, cellForward as mathForward } from './kernels/lstm-cell-math';

export interface EngineCheck {
  lossRelError: number; // |fused - reference| / |reference|
  gradRelError: number; // the worst weight's max |difference| / max |reference gradient|
  worst: string; // that weight's name
  kernelRelError: number; // the fused cell kernels against the plain-JS maths, worst output
}

const CONFIG = { vocabSize: 13, embedDim: 6, units: 8, layers: 2, dropout: 0 };

async function lossAndGrads(path: LstmPath) {
  const previous = useLstmPath(path);
  const model = createModel(CONFIG, 5);
  const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 5 + (i >> 2)) % CONFIG.vocabSize);
  const batch = randomBatch(ids, 10, 4, new Rng(3));
  try {
    const { value, grads } = tf.variableGrads(() => batchLoss(model, batch), modelVariables(model));
    const loss = (await value.data())[0];
    const arrays = await Promise.all(modelVariables(model).map((v) => grads[v.name].data()));
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, grads: arrays };
  } finally {
    disposeModel(model);
    useLstmPath(previous);
  }
}

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
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
    kernelRelError: Math.max(...Object.values(await checkCellKernels())),
  };
}

/** The fused cell kernels on this backend against lstm-cell-math.ts in plain JS, on random inputs. */
export async function checkCellKernels(B = 3, U = 5): Promise<Record<string, number>> {
  const rng = new Rng(9);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 4 - 2);
  const [zx, hr, c, dOut, dhRec, dc] = [4 * U, 4 * U, U, U, U, U].map((w) => rand(B * w));
  const want = { h: new Float32Array(B * U), c: new Float32Array(B * U), acts: new Float32Array(4 * B * U) };
  mathForward(zx, hr, c, B, U, want);
  const back = { dz: new Float32Array(4 * B * U), dcPrev: new Float32Array(B * U) };
  mathBackward(want.acts, c, want.c, dOut, dhRec, dc, B, U, back);
  const t = (a: Float32Array, w: number) => tf.tensor2d(a, [B, w]);
  const fwd = cellForward(t(zx, 4 * U), t(hr, 4 * U), t(c, U));
  const bwd = cellBackward(
    { acts: t(want.acts, 4 * U), cPrev: t(c, U), c: t(want.c, U) },
    t(dOut, U),
    t(dhRec, U),
    t(dc, U),
  );
  const got = { h: fwd.h, c: fwd.c, acts: fwd.acts, dz: bwd.dz, dcPrev: bwd.dcPrev };
  const expected: Record<string, Float32Array> = { ...want, ...back };
  const errors: Record<string, number> = {};
  for (const [name, tensor] of Object.entries(got)) errors[name] = relError(await tensor.data(), expected[name]);
  tf.dispose(Object.values(got));
  return errors;
}
