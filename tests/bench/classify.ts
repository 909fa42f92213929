/**
 * The classify suite, under Node on tfjs' WASM backend (the app's default backend here, same
 * engine code): base-encoder and scratch-encoder classifiers trained for the same time (or about the same
 * steps, --steps), with all
 * examples and with 100 per class; validation accuracy and macro-F1 of each.
 * Run through `npm run bench -- --suite classify [--data FILE.csv] [--seconds 240 | --steps 300 [--patience 100]]
 * [--base DIR] [--out FILE]`
 * (--base: the English base's folder, public/models/base-en by default; base-en-large for the large one).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readBase, readLabeledSet } from './from-disk';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { benchMeta } from './meta.mjs';
import { registerKernels } from '../../src/engine/kernels/registry';
import { defaultClassifySettings, type ClassifySettings } from '../../src/config/classify';
import { classCounts } from '../../src/data/labeled-set';
import { ClassifyRun, type ClassifyEvent } from '../../src/run/classify-run';
import { makeClassifier, prepareData } from '../../src/run/classify-setup';
import { disposeClassifier } from '../../src/engine/classifier';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dataFile = arg('data', 'public/labeled/spam-ham.csv');
// --steps N: every encoder gets about N steps (whole passes over its examples, as the page runs by
// default) rather than the same seconds, which starve a large encoder on the processor.
const equalSteps = process.argv.includes('--steps') ? Number(arg('steps', '300')) : null;
const seconds = equalSteps === null ? Number(arg('seconds', '240')) : null;
const out = arg('out', `tests/bench/results/${new Date().toISOString().slice(0, 10)}-classify.json`);
const only = arg('only', 'all,100').split(',');
const starts = arg('starts', 'base,scratch').split(',') as ('base' | 'scratch')[];
const baseUnfreezing = arg('base-unfreezing', 'gradual') as 'gradual' | 'all'; // a scratch encoder trains all layers

tf.env().set('PROD', true);
registerKernels('wasm');
await tf.setBackend('wasm');

const base = await readBase(arg('base', 'public/models/base-en'));
const set = readLabeledSet(dataFile);
console.log(`${dataFile}: ${set.texts.length} examples, classes ${set.labels.join('/')} ${set.counts.join('/')}`);

async function one(start: 'base' | 'scratch', perClass: number | null) {
  const settings: ClassifySettings = {
    ...defaultClassifySettings(),
    start,
    perClass,
    seconds,
    unfreezing: start === 'base' ? baseUnfreezing : 'all',
    evalEverySec: 30,
    maxLen: Number(arg('max-len', String(defaultClassifySettings().maxLen))),
    window: Number(arg('window', String(defaultClassifySettings().window))),
    learningRate: Number(arg('lr', String(defaultClassifySettings().learningRate))),
    batchSize: Number(arg('batch', String(defaultClassifySettings().batchSize))),
    lmSeconds: Number(arg('lm', String(defaultClassifySettings().lmSeconds))),
    // validations without a gain before the run ends (the best is kept either way); equal steps
    // want it high, since a slow encoder fits fewer validations into each step
    patience: Number(arg('patience', String(defaultClassifySettings().patience))),
  };
  const { data, truncated } = prepareData(set, settings);
  if (equalSteps !== null) {
    settings.epochs = Math.max(1, Math.round(equalSteps / Math.ceil(data.split.train.length / settings.batchSize)));
  }
  const tensors = tf.memory().numTensors; // before the classifier: its own weights are disposed with it
  const classifier = makeClassifier(settings, set.labels.length, base);
  const curve: [number, number, number][] = [];
  let steps = 0;
  let elapsed = 0;
  const emit = (e: ClassifyEvent) => {
    if (e.type === 'classify-eval') {
      curve.push([Math.round(e.seconds), e.metrics.accuracy, e.metrics.macroF1]);
      console.log(
        `  ${start} ${perClass ?? 'all'} ${e.seconds.toFixed(0)} s step ${e.step}: acc ${e.metrics.accuracy.toFixed(3)} F1 ${e.metrics.macroF1.toFixed(3)}`,
      );
    }
    if (e.type === 'classify-lm' && e.step % 20 === 0)
      console.log(`    lm step ${e.step} ${e.seconds.toFixed(0)} s ${e.bpc.toFixed(3)} bits/char`);
    if (e.type === 'classify-step') {
      steps = e.step;
      elapsed = e.seconds;
      if (e.step % 10 === 0)
        console.log(`    step ${e.step} ${e.seconds.toFixed(0)} s loss ${e.loss.toFixed(3)} ${e.learning}`);
    }
  };
  const run = new ClassifyRun(classifier, data, settings, emit);
  await run.run();
  disposeClassifier(classifier);
  const m = run.metrics!;
  return {
    start,
    perClass: perClass ?? 'all',
    trainCounts: classCounts(data.split.train, set.y, set.labels.length),
    valCounts: classCounts(data.split.val, set.y, set.labels.length),
    truncated,
    steps,
    epochs: settings.epochs,
    seconds: Number(elapsed.toFixed(1)),
    accuracy: m.accuracy,
    macroF1: m.macroF1,
    confusion: m.confusion,
    curve,
    leakedTensors: tf.memory().numTensors - tensors,
  };
}

const results = [];
for (const limit of only) {
  for (const start of starts) results.push(await one(start, limit === 'all' ? null : Number(limit)));
}
const error = (r: { accuracy: number }) => 1 - r.accuracy;
const at100 = results.filter((r) => r.perClass === 100);
const base100 = at100.find((r) => r.start === 'base');
const scratch100 = at100.find((r) => r.start === 'scratch');
const summary = {
  meta: benchMeta(),
  suite: 'classify',
  data: dataFile,
  labels: set.labels,
  seconds,
  steps: equalSteps,
  backend: 'wasm (Node)',
  settings: defaultClassifySettings(),
  results,
  errorReductionAt100: base100 && scratch100 ? 1 - error(base100) / Math.max(1e-9, error(scratch100)) : null,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(summary, null, 1) + '\n');
for (const r of results) {
  console.log(
    `${r.start.padEnd(8)} ${String(r.perClass).padEnd(4)} acc ${(r.accuracy * 100).toFixed(1)}% F1 ${r.macroF1.toFixed(3)} steps ${r.steps} in ${r.seconds} s`,
  );
}
console.log(`wrote ${out}`);
