import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { padBatch, encodeTexts, epochBatches, sortedBatches, windowBatch } from '../../../src/data/text-batches';
import { makeVocab } from '../../../src/data/vocab';
import { Rng } from '../../../src/data/rng';
import {
  classifierWeights,
  classify,
  concatPool,
  createClassifier,
  disposeClassifier,
} from '../../../src/engine/classifier';
import { classifierStep, explain } from '../../../src/engine/classifier-train';
import { FusedAdam } from '../../../src/engine/fused-adam';
import { createModel } from '../../../src/engine/model';
import { classWeights, depthRates, openDepth, slantedTriangular } from '../../../src/run/classify-schedule';

beforeAll(useCpu);

const vocab = makeVocab(['a', 'b', 'x', 'y', 'z', '\uFFFD']);
const tiny = (layers = 1) =>
  createClassifier(
    createModel({ vocabSize: 6, embedDim: 4, units: 6, layers, dropout: 0 }, 1),
    {
      classes: 2,
      hidden: 8,
      dropout: 0,
    },
    3,
  );

describe('text batches', () => {
  it('encodes, cuts at the maximum length and counts the texts cut', () => {
    const { seqs, truncated } = encodeTexts(['ab', 'abxyzab', ''], vocab, 4);
    expect(seqs.map((s) => Array.from(s))).toEqual([[0, 1], [0, 1, 2, 3], [5]]);
    expect(truncated).toBe(1);
  });

  it('right-pads to a rounded length and keeps each row length', () => {
    const seqs = [Int32Array.of(1, 2, 3), Int32Array.of(4)];
    const b = padBatch(seqs, [0, 1], 4);
    expect(b.seqLen).toBe(4);
    expect(Array.from(b.ids)).toEqual([1, 2, 3, 0, 4, 0, 0, 0]);
    expect(Array.from(b.lengths)).toEqual([3, 1]);
  });

  it('trains on a fresh random stretch of each text longer than the window, shorter texts whole', () => {
    const long = Int32Array.from({ length: 40 }, (_, i) => i + 1); // ids 1..40: a stretch shows where it came from
    const seqs = [long, Int32Array.of(7, 8, 9)];
    const rng = new Rng(5);
    const starts = new Set<number>();
    for (let draw = 0; draw < 30; draw++) {
      const b = windowBatch(seqs, [1, 0], 8, rng, 4);
      expect(b.rows).toEqual([1, 0]); // the examples' own indices, for their labels
      expect(b.seqLen).toBe(8);
      expect(Array.from(b.lengths)).toEqual([3, 8]);
      expect(Array.from(b.ids.subarray(0, 8))).toEqual([7, 8, 9, 0, 0, 0, 0, 0]);
      const stretch = Array.from(b.ids.subarray(8, 16));
      expect(stretch).toEqual(Array.from({ length: 8 }, (_, i) => stretch[0] + i)); // consecutive characters
      expect(stretch[0]).toBeGreaterThanOrEqual(1);
      expect(stretch[7]).toBeLessThanOrEqual(40);
      starts.add(stretch[0]);
    }
    expect(starts.size).toBeGreaterThan(10); // fresh draws, not one fixed cut
    expect([...starts].some((s) => s > 20)).toBe(true); // the end of the text is read too
  });

  it('covers every training example once per epoch, in batches of similar lengths', () => {
    const seqs = Array.from({ length: 50 }, (_, i) => new Int32Array(1 + (i % 17)));
    const rows = [...seqs.keys()];
    const batches = epochBatches(rows, seqs, 8, new Rng(1));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(rows);
    const sorted = sortedBatches(rows, seqs, 8).map((b) => b.map((r) => seqs[r].length));
    for (let i = 1; i < sorted.length; i++)
      expect(Math.max(...sorted[i - 1])).toBeLessThanOrEqual(Math.min(...sorted[i]));
  });
});

describe('concat pooling', () => {
  it('takes the last real hidden state, the max and the mean over real positions only', () => {
    // out [T=3, B=2, U=1]: row 0 has 3 real positions, row 1 has 2 (its third is padding)
    const out = tf.tensor3d([
      [[0.1], [0.5]],
      [[0.7], [-0.4]],
      [[0.3], [0.9]],
    ]);
    const batch = padBatch([Int32Array.of(1, 1, 1), Int32Array.of(1, 1)], [0, 1], 1);
    const pooled = concatPool(out, batch);
    expect(pooled.shape).toEqual([2, 3]);
    const v = Array.from(pooled.dataSync());
    const want = [0.3, 0.7, (0.1 + 0.7 + 0.3) / 3, -0.4, 0.5, (0.5 - 0.4) / 2];
    v.forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
    tf.dispose([out, pooled]);
  });

  it('gives probabilities [B, classes] that sum to one', () => {
    const c = tiny(2);
    const probs = tf.tidy(() => classify(c, padBatch([Int32Array.of(0, 1, 2), Int32Array.of(3)], [0, 1])));
    expect(probs.shape).toEqual([2, 2]);
    const p = probs.arraySync() as number[][];
    for (const row of p) expect(row[0] + row[1]).toBeCloseTo(1, 5);
    probs.dispose();
    disposeClassifier(c);
  });
});

describe('classifier training', () => {
  // A separable toy task: texts of a and b are class 0, texts of x, y and z class 1.
  const seqs = [
    ...Array.from({ length: 8 }, (_, i) => Int32Array.from({ length: 3 + (i % 4) }, (_, j) => (i + j) % 2)),
    ...Array.from({ length: 8 }, (_, i) => Int32Array.from({ length: 3 + (i % 4) }, (_, j) => 2 + ((i + j) % 3))),
  ];
  const labels = Int32Array.from(seqs, (_, i) => (i < 8 ? 0 : 1));
  const rows = [...seqs.keys()];

  it('orders weights by depth: the head 0, the top LSTM 1, the embedding deepest', () => {
    const c = tiny(2);
    const w = classifierWeights(c);
    expect(w.map((x) => `${x.name}:${x.depth}`)).toEqual([
      'embedding/embeddings:3',
      'lstm_1/kernel:2',
      'lstm_1/recurrent_kernel:2',
      'lstm_1/bias:2',
      'lstm_2/kernel:1',
      'lstm_2/recurrent_kernel:1',
      'lstm_2/bias:1',
      'pool_norm/gamma:0',
      'pool_norm/beta:0',
      'pool_dense/kernel:0',
      'pool_dense/bias:0',
      'classes/kernel:0',
      'classes/bias:0',
    ]);
    disposeClassifier(c);
  });

  it('learns the toy task; with the head alone training, the encoder stays bit-identical; no tensor leaks', async () => {
    const c = tiny();
    const depths = classifierWeights(c).map((w) => w.depth);
    const optimizer = new FusedAdam(0.05, 0.9, 0.999, 1e-7);
    const before = Array.from(c.encoder.lstm[0].recurrentKernel.dataSync());
    const step = (open: number) => {
      const opts = { rates: depthRates(depths, open), classWeights: null, clipNorm: 5, dropoutSeed: 1 };
      const loss = classifierStep(c, optimizer, padBatch(seqs, rows), labels, opts);
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    };
    const first = step(0);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) step(0);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Array.from(c.encoder.lstm[0].recurrentKernel.dataSync())).toEqual(before);
    for (let i = 0; i < 30; i++) step(2);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(Array.from(c.encoder.lstm[0].recurrentKernel.dataSync())).not.toEqual(before);
    expect(step(2)).toBeLessThan(first / 4);
    const probs = tf.tidy(() => classify(c, padBatch(seqs, rows)));
    const predicted = (probs.arraySync() as number[][]).map((p) => (p[1] > p[0] ? 1 : 0));
    probs.dispose();
    expect(predicted).toEqual(Array.from(labels));
    optimizer.dispose();
    disposeClassifier(c);
  });

  it('explains one text: probabilities, one signed reason per character, and no tensor left behind', async () => {
    const c = tiny();
    const tensors = tf.memory().numTensors;
    const e = await explain(c, padBatch([Int32Array.of(0, 1, 2, 3, 4)], [0], 8));
    expect(e.probs.length).toBe(2);
    expect(e.probs[0] + e.probs[1]).toBeCloseTo(1, 5);
    expect(e.saliency.length).toBe(5);
    expect(e.saliency.some((s) => s !== 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    disposeClassifier(c);
  });
});

describe('the ULMFiT schedule', () => {
  it('rises over the first tenth to the peak, then falls to a 32nd of it', () => {
    expect(slantedTriangular(0, 0.01)).toBeCloseTo(0.01 / 32, 10);
    expect(slantedTriangular(0.1, 0.01)).toBeCloseTo(0.01, 10);
    expect(slantedTriangular(0.05, 0.01)).toBeCloseTo((0.01 * (1 + 0.5 * 31)) / 32, 10);
    expect(slantedTriangular(1, 0.01)).toBeCloseTo(0.01 / 32, 10);
  });

  it('unfreezes the head, then one layer down per stage, each ÷2.6', () => {
    // one LSTM layer: stages head | + LSTM | + embedding | all again
    expect([0, 0.24, 0.25, 0.5, 0.99].map((p) => openDepth(p, 1, 'gradual'))).toEqual([0, 0, 1, 2, 2]);
    expect(openDepth(0, 1, 'all')).toBe(2);
    expect(depthRates([2, 1, 1, 0], 1)).toEqual([0, 1 / 2.6, 1 / 2.6, 1]);
  });

  it('weighs imbalanced classes by rarity, and leaves balanced ones alone', () => {
    expect(classWeights([90, 10])).toEqual([100 / 180, 100 / 20]);
    expect(classWeights([50, 40])).toBeNull();
  });
});
