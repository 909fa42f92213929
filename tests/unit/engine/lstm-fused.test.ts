/**
 * The fused LSTM (hand-written backward, fused cell kernels) against the autodiff reference:
 * same loss, same gradients, same training, on the CPU and WASM backends (the GPU backends are
 * checked in the browser); and far fewer kernels per training step.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernels } from '../../../src/engine/kernels/registry';
import { randomBatch } from '../../../src/data/batching';
import { Rng } from '../../../src/data/rng';
import { createModel, disposeModel, modelVariables, useLstmPath, type LstmPath } from '../../../src/engine/model';
import { batchLoss, createOptimizer, trainStep } from '../../../src/engine/train';
import { checkFusedLstm, relError } from '../../../src/engine/engine-check';
import { isFusedAdam } from '../../../src/engine/fused-adam';

afterEach(() => void useLstmPath('fused'));

const config = { vocabSize: 11, embedDim: 5, units: 6, layers: 2, dropout: 0 };
const ids = Int32Array.from({ length: 600 }, (_, i) => (i * 7 + (i >> 3)) % 11);

/** Loss and every weight's gradient, on one path. */
function lossAndGrads(path: LstmPath, seed = 3, units = config.units, carried = false) {
  useLstmPath(path);
  const model = createModel({ ...config, units }, seed);
  const batch = randomBatch(ids, 9, 4, new Rng(5));
  // A state carried in from an earlier step (stateful training): every layer's h and c nonzero.
  const layer = (s: number, scale = 1) =>
    tf.tidy(() => tf.mul(tf.tanh(tf.randomNormal([4, units], 0, 1, 'float32', s)), scale) as tf.Tensor2D);
  const carry = carried ? { state: { h: [layer(1), layer(2)], c: [layer(3, 2), layer(4)] } } : undefined;
  const start = carry?.state && [...carry.state.h, ...carry.state.c];
  const { value, grads } = tf.variableGrads(() => batchLoss(model, batch, undefined, carry), modelVariables(model));
  const out = { loss: value.dataSync()[0], grads: modelVariables(model).map((v) => grads[v.name].dataSync()) };
  tf.dispose([
    value,
    ...Object.values(grads),
    ...(start ?? []),
    ...(carry?.state ? [...carry.state.h, ...carry.state.c] : []),
  ]);
  disposeModel(model);
  return out;
}

describe.each(['cpu', 'wasm'])('fused LSTM against the autodiff reference, on %s', (backend) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend(backend);
    if (backend === 'wasm') registerKernels('wasm');
  });

  // 6 units: the JavaScript cell loops; 8: on WASM, the SIMD cell (widths that are multiples of 4);
  // 16, on 4 rows: on WASM the recurrent matMuls both ways through simd.wat's matMulRows too
  it.each([6, 8, 16])(
    'gives the same loss and gradient for every weight (2 layers, %s units), within 1e-4 relative',
    (units) => {
      const fused = lossAndGrads('fused', 3, units);
      const reference = lossAndGrads('autodiff', 3, units);
      expect(Math.abs(fused.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
      fused.grads.forEach((g, i) => expect(relError(g, reference.grads[i])).toBeLessThan(1e-4));
    },
  );

  it('from a carried state (stateful training), gives the same loss and gradients within 1e-4 relative', () => {
    const fused = lossAndGrads('fused', 3, 8, true);
    const reference = lossAndGrads('autodiff', 3, 8, true);
    expect(Math.abs(fused.loss - lossAndGrads('fused', 3, 8).loss)).toBeGreaterThan(1e-3); // the state counts
    expect(Math.abs(fused.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
    fused.grads.forEach((g, i) => expect(relError(g, reference.grads[i])).toBeLessThan(1e-4));
  });

  it('trains the same: 50 steps of Adam end within 1e-3 of the reference loss', () => {
    const run = (path: LstmPath) => {
      useLstmPath(path);
      const model = createModel(config, 7);
      const optimizer = createOptimizer('adam', 0.01);
      const rng = new Rng(11);
      let last = 0;
      for (let s = 0; s < 50; s++) {
        const loss = trainStep(model, optimizer, randomBatch(ids, 9, 4, rng), 5, s);
        last = loss.dataSync()[0];
        loss.dispose();
      }
      optimizer.dispose();
      disposeModel(model);
      return last;
    };
    const reference = run('autodiff');
    expect(Math.abs(run('fused') - reference)).toBeLessThan(1e-3);
  });

  it("fused Adam (one kernel per variable, clipping folded in) updates as tfjs' Adam does, slots included", async () => {
    const run = (optimizer: tf.Optimizer) => {
      useLstmPath('fused');
      const model = createModel(config, 7);
      const rng = new Rng(11);
      for (let s = 0; s < 30; s++) trainStep(model, optimizer, randomBatch(ids, 9, 4, rng), 0.5, s).dispose();
      const weights = modelVariables(model).map((v) => Array.from(v.dataSync()));
      disposeModel(model);
      return weights;
    };
    const fused = createOptimizer('adam', 0.01);
    expect(isFusedAdam(fused)).toBe(true);
    expect(isFusedAdam(tf.train.adam(0.01))).toBe(false);
    const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const [a, b] = [run(fused), run(stock)];
    a.forEach((w, i) => expect(relError(w, b[i])).toBeLessThan(1e-3)); // clip 0.5: the rescale is exercised
    const [fs, ss] = [await fused.getWeights(), await stock.getWeights()];
    expect(fs.map((w) => w.name.replace(/^inkling\d+\//, ''))).toEqual(
      ss.map((w) => w.name.replace(/^inkling\d+\//, '')),
    );
    fused.dispose();
    stock.dispose();
  });

  it('leaks no tensor across training steps and forward-only estimates', () => {
    const model = createModel(config, 1);
    const optimizer = createOptimizer('adam', 0.01);
    const rng = new Rng(2);
    const step = () => trainStep(model, optimizer, randomBatch(ids, 9, 4, rng), 5, 0).dispose();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    tf.tidy(() => batchLoss(model, randomBatch(ids, 9, 4, rng))).dispose(); // no tape: nothing kept
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    disposeModel(model);
  });

  it("leaves nothing on the backend across steps either (8 rows of 16 units: on WASM, gemm.wat's kept panels)", () => {
    const model = createModel({ ...config, units: 16 }, 1);
    const optimizer = createOptimizer('adam', 0.01);
    const rng = new Rng(2);
    const step = () => trainStep(model, optimizer, randomBatch(ids, 9, 8, rng), 5, 0).dispose();
    step();
    const before = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    optimizer.dispose();
    disposeModel(model);
  });

  it('leaks nothing when the layers below the trained weights are frozen (their backwards never run)', () => {
    const model = createModel(config, 1);
    const optimizer = createOptimizer('adam', 0.01);
    const rng = new Rng(2);
    const frozen = [
      [0, 0, 0, 0, 0, 0, 0, 1, 1], // gradual unfreezing's first epoch: the output layer alone
      [0, 0, 0, 0, 1, 1, 1, 1, 1], // its second: the top LSTM layer too (the bottom one's backward never runs)
    ];
    for (const rates of frozen) {
      const step = () => trainStep(model, optimizer, randomBatch(ids, 9, 4, rng), 5, 0, undefined, rates).dispose();
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
    }
    optimizer.dispose();
    disposeModel(model);
  });
});

describe('the engine check a person can run from the page', () => {
  it('finds the fused kernels, gradients and clipping norm matching on the CPU backend, leaving no tensor behind', async () => {
    await tf.setBackend('cpu');
    await checkFusedLstm(); // a first run may keep what a backend caches
    const tensors = tf.memory().numTensors;
    const check = await checkFusedLstm();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(check.gradRelError).toBeLessThan(1e-4);
    expect(check.kernelRelError).toBeLessThan(1e-5);
    expect(check.lossRelError).toBeLessThan(1e-5);
    expect(check.clipRelError).toBeLessThan(1e-5);
  });
});

describe('kernels per training step (tf.profile counts them; no timing)', () => {
  it("the default model (1×LSTM-128, sequence 64) runs 20× fewer kernels fused than by autodiff with tfjs' Adam", async () => {
    await tf.setBackend('cpu');
    const count = async (path: LstmPath, optimizer: tf.Optimizer) => {
      useLstmPath(path);
      const model = createModel({ vocabSize: 80, embedDim: 32, units: 128, layers: 1, dropout: 0 }, 1);
      const rng = new Rng(1);
      const text = Int32Array.from({ length: 2000 }, (_, i) => (i * 7) % 80);
      const step = () => trainStep(model, optimizer, randomBatch(text, 64, 2, rng), 5, 0).dispose();
      step(); // the optimizer creates its slots on the first step
      const { kernels } = await tf.profile(step);
      optimizer.dispose();
      disposeModel(model);
      return kernels.length;
    };
    // The engine before: autodiff LSTM and tfjs' Adam; now: fused LSTM and fused Adam.
    const before = await count('autodiff', tf.train.adam(0.01, 0.9, 0.999, 1e-7));
    const fused = await count('fused', createOptimizer('adam', 0.01));
    expect(before).toBeGreaterThan(4400); // 4,484 measured: ~56 per timestep backward, ~11 per variable in Adam
    // 218 measured: 2 per timestep (the step kernels); the embedding and projection, the output layer and loss, each
    // one op with a hand-written backward (fused-ops.ts); clipping (17) and Adam (6)
    expect(fused).toBeLessThanOrEqual(220);
  }, 120_000);
});
