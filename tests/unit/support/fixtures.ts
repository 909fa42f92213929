import { weightSpecs, sizeOf } from '../../../src/engine/architecture';
import type { Checkpoint } from '../../../src/storage/checkpoint';
import { defaultSettings } from '../../../src/config/settings';

/** A small, valid checkpoint with recognisable numbers (no tfjs needed). */
export function fakeCheckpoint(runId = 'run-a', step = 10): Checkpoint {
  const model = { vocabSize: 3, embedDim: 2, units: 2, layers: 1, dropout: 0 };
  const weights = weightSpecs(model).map(([name, shape], i) => ({
    name,
    shape,
    values: Float32Array.from({ length: sizeOf(shape) }, (_, k) => i + k / 100),
  }));
  return {
    meta: {
      format: 'inkling-checkpoint',
      version: 1,
      runId,
      name: `Run ${runId}`,
      model,
      settings: defaultSettings(),
      vocab: ['a', 'b', 'c'],
      step,
      rngState: 1234,
      bestValBpc: 1.5,
      bestStep: 8,
      history: {
        train: [
          [1, 2.5],
          [2, 2.25],
        ],
        val: [[0, 3, 3]],
      },
      corpus: { name: 'abc.txt', hash: 'f00d', chars: 999 },
      backend: 'cpu',
      createdAt: 1_000,
      updatedAt: 2_000 + step,
      tensors: { weights: [], best: [], optimizer: [] },
    },
    weights,
    best: weights.map((w) => ({ ...w, values: w.values.map((v) => v * 2) })),
    optimizer: [
      { name: 'iter', shape: [], values: Float32Array.of(step) },
      { name: 'm', shape: [2, 2], values: Float32Array.of(1, 2, 3, 4) },
    ],
  };
}
