/**
 * A probe, not a feature: classify by language models instead of by an encoder. One language model
 * per class is fine-tuned on that class's training texts (from the English base, or from scratch
 * with the same shape), and a validation text goes to the class whose model gives it the fewest
 * bits per character (the classes are balanced, so no prior). The question it answers: with few
 * labeled examples, does the base carry more into this way of classifying than into the
 * issue's encoder (README, "Why the base does not help on spam")?
 * Run: node scripts/run-ts.mjs tests/bench/classify-generative.ts [--per-class 100] [--seconds 120]
 *      [--max-len 512] [--data public/labeled/spam-ham.csv] [--starts base,scratch]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readBase, readLabeledSet } from './from-disk';
import { registerKernels } from '../../src/engine/kernels/registry';
import { defaultClassifySettings } from '../../src/config/classify';
import { randomBatch } from '../../src/data/batching';
import { encode } from '../../src/data/vocab';
import { Rng } from '../../src/data/rng';
import { FusedAdam } from '../../src/engine/fused-adam';
import { assignWeights, createModel, disposeModel, type CharModel } from '../../src/engine/model';
import { batchLoss, trainStep } from '../../src/engine/train';
import { BASE_SHAPE, prepareData } from '../../src/run/classify-setup';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const [perClass, seconds, maxLen] = [
  Number(arg('per-class', '100')),
  Number(arg('seconds', '120')),
  Number(arg('max-len', '512')),
];
const starts = arg('starts', 'base,scratch').split(',') as ('base' | 'scratch')[];
registerKernels('wasm');
await tf.setBackend('wasm');

const { weights } = await readBase();
const set = readLabeledSet(arg('data', 'public/labeled/spam-ham.csv'));
const settings = { ...defaultClassifySettings(), maxLen, perClass: perClass > 0 ? perClass : null };
const { data } = prepareData(set, settings);
const classes = set.labels.length;

/** A language model of one class: its training texts, end to end, for `seconds` of steps. */
function trainClass(start: 'base' | 'scratch', label: number): CharModel {
  const model = createModel({ ...BASE_SHAPE, dropout: 0 }, 1 + label);
  if (start === 'base')
    assignWeights(
      model,
      weights.map((w) => w.values),
    );
  const rows = data.split.train.filter((i) => set.y[i] === label);
  const gap = [...encode(data.vocab, '\n\n')]; // between texts, as in a file of them
  const ids = Int32Array.from(rows.flatMap((i) => [...data.seqs[i], ...gap]));
  const optimizer = new FusedAdam(start === 'base' ? 0.003 : 0.01, 0.9, 0.999, 1e-7);
  const rng = new Rng(7 + label);
  let steps = 0;
  for (const t0 = Date.now(); Date.now() - t0 < seconds * 1000; steps++)
    tf.dispose(trainStep(model, optimizer, randomBatch(ids, 64, 32, rng), 5, rng.int(1e9)));
  console.log(`  ${start}, class ${set.labels[label]}: ${rows.length} texts, ${ids.length} characters, ${steps} steps`);
  optimizer.dispose();
  return model;
}

/** Mean nats per character of one text under a model. */
function nats(model: CharModel, seq: Int32Array): number {
  const L = seq.length - 1;
  const batch = { inputs: seq.slice(0, L), targets: seq.slice(1), batchSize: 1, seqLen: L };
  return tf.tidy(() => batchLoss(model, batch).dataSync()[0]);
}

for (const start of starts) {
  const models = Array.from({ length: classes }, (_, c) => trainClass(start, c));
  let right = 0;
  const val = data.split.val.filter((i) => data.seqs[i].length > 1);
  for (const i of val) {
    const scores = models.map((m) => nats(m, data.seqs[i]));
    if (scores.indexOf(Math.min(...scores)) === set.y[i]) right++;
  }
  console.log(
    `${start}: ${perClass || 'all'} per class, ${seconds} s a class: validation accuracy ${(right / val.length).toFixed(3)} (${right} of ${val.length})`,
  );
  models.forEach(disposeModel);
}
