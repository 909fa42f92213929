/** Times one real training step on the current backend: how Auto picks the fastest backend. */
import { randomBatch } from '../data/batching';
import { createModel, disposeModel } from './model';
import { Rng } from '../data/rng';
import { createOptimizer, trainStep } from './train';

/** The default architecture on a short row: same programs as real training, a fraction of the time. */
export const TRIAL_MODEL = {
  vocabSize: 80,
  embedDim: 32,
  units: 128,
  layers: 1,
  dropout: 0,
  batchSize: 32,
  seqLen: 32,
};

/** Milliseconds of the second of two training steps (the first compiles and allocates). */
export async function timeTrainingStep(): Promise<number> {
  const { batchSize, seqLen, ...config } = TRIAL_MODEL;
  const model = createModel(config, 1);
  const optimizer = createOptimizer('adam', 0.01);
  const rng = new Rng(1);
  const ids = Int32Array.from({ length: 4096 }, () => rng.int(config.vocabSize));
  let ms = 0;
  try {
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const loss = trainStep(model, optimizer, randomBatch(ids, seqLen, batchSize, rng), 5, i);
      await loss.data();
      loss.dispose();
      ms = performance.now() - started;
    }
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
  return ms;
}
