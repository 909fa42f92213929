/**
 * `npm run pretrain`: trains the English base with the app's own engine on tfjs' WASM backend
 * and writes public/models/base-en/. Resumable: it checkpoints (an ordinary Inkling checkpoint)
 * into .pretrain/ as it goes and picks up from there; `--fresh` starts over.
 * Options: --hours 1.5 (training-time budget) --units 256 --embed 32 --layers 1 --batch 32 --seq 100
 *          --lr 0.01 --mix books (or uniform) --out public/models/base-en --work .pretrain --fresh
 *          --restart (the cosine spans this stage alone: a warm restart from an annealed base)
 *          --carry N (each row reads on for N characters, its LSTM state carried from step to step)
 *          --backend wasm (or webgpu: a GPU through Dawn, `npm install --no-save webgpu@0.6.2`)
 *          --threads 2 (WASM: the page's two-thread matMul; 1 for one thread)
 *          --from DIR (with no checkpoint: start from the base written in DIR, fresh optimizer)
 *          --minutes M (wall-clock minutes for this invocation: it then saves and exits; rerun to go on)
 *          --base-every S (seconds between rewrites of the base at a save; default: every save)
 *          --cpu-minutes M (the same, counted in this process's CPU time on all its threads: a probe of
 *            shapes stays fair while other work shares the machine)
 * Resuming with new options continues the same run; base.json lists every stage's command.
 * SIGINT or SIGTERM ends the run after the step in hand, as --minutes does: it saves and writes the base
 * (a second signal exits at once).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_ALPHABET } from '../../src/data/alphabet';
import { encode, makeVocab } from '../../src/data/vocab';
import { evalBatches } from '../../src/data/batching';
import {
  dropCarry,
  estimateBpc,
  LN2,
  resetCarryRows,
  setLearningRate,
  trainStep,
  type Carry,
} from '../../src/engine/train';
import { RunState } from '../../src/run/run-state';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/storage/checkpoint';
import { loadSources } from './sources';
import { writeBase } from './write-base';
import { baseSettings, commandOf, learningRateAt, parseOptions, resumedStages, scheduleFraction } from './options';
import { Lanes, mixedBatch, stretchesOf } from './mix';
import { assertDeviceHealthy, startBackend } from './backend';
import { restoreFromBase, type Restored } from './from-base';
import type { CurvePoint } from '../../src/storage/base-model';

const opts = parseOptions(process.argv.slice(2));
const device = await startBackend(opts.backend, opts.threads);

const { train, heldOut } = loadSources();
const vocab = makeVocab([...BASE_ALPHABET]);
const trainIds = encode(vocab, train.map((s) => s.text).join('\n\n'));
const heldIds = encode(vocab, heldOut.text);
const stretches = stretchesOf(
  train.map((s) => ({ name: s.meta.name, chars: s.text.length })),
  2,
  opts.mix,
);
const settings = baseSettings(opts);
const seq = settings.train.seqLen;
const batch = settings.train.batchSize;
console.log(`pretraining text: ${train.length} sources, ${(trainIds.length / 1e6).toFixed(2)} M characters`);
console.log(`held out: ${heldOut.meta.name}, ${(heldIds.length / 1e6).toFixed(2)} M characters`);
console.log(`model: ${opts.layers}x${opts.units} LSTM, embedding ${opts.embed}; batch ${batch}x${seq}; ${device}`);

const ckptJson = join(opts.work, 'checkpoint.json');
const ckptBin = join(opts.work, 'checkpoint.bin');
const progressFile = join(opts.work, 'progress.json');
if (opts.fresh) rmSync(opts.work, { recursive: true, force: true });
mkdirSync(opts.work, { recursive: true });

/** The first stage's command, for a checkpoint written before stages were recorded. */
const FIRST_STAGE = 'npm run pretrain -- --hours 1.4 --lr 0.01 --mix uniform';

/**
 * The run to continue; `warmFrom`: the step its optimizer started at (the rate warms up from there);
 * `stageStart`: the training seconds this stage began at, kept in progress.json so its chunks share one cosine.
 */
async function restore(): Promise<Restored & { warmFrom: number; stageStart: number }> {
  if (existsSync(ckptJson) && existsSync(ckptBin) && existsSync(progressFile)) {
    const json = readFileSync(ckptJson, 'utf8');
    const data = new Uint8Array(readFileSync(ckptBin)).buffer;
    const progress = JSON.parse(readFileSync(progressFile, 'utf8'));
    const { crc, seconds, stages, curve } = progress;
    heldOutCurve.push(...((curve ?? []) as CurvePoint[]));
    const stageStart = typeof progress.stageStart === 'number' ? progress.stageStart : seconds;
    const state = await RunState.fromCheckpoint(decodeCheckpoint({ json, data, crc }));
    console.log(`resuming at step ${state.step}, ${(seconds / 60).toFixed(1)} min of training done`);
    // A checkpoint from before `chars` was kept read every row at this stage's length.
    const chars = typeof progress.chars === 'number' ? progress.chars : state.step * seq * batch;
    const allStages = resumedStages(stages ?? [FIRST_STAGE], commandOf(opts));
    return { state, seconds, chars, stages: allStages, curve: [], warmFrom: 0, stageStart };
  }
  const corpus = { name: 'pretraining text', hash: train.map((s) => s.meta.sha256).join(''), chars: trainIds.length };
  if (opts.from) {
    const base = await restoreFromBase(opts.from, corpus, vocab, settings);
    console.log(
      `starting from the base in ${opts.from}: step ${base.state.step}, ${(base.seconds / 60).toFixed(1)} min done`,
    );
    heldOutCurve.push(...base.curve);
    return { ...base, stages: [...base.stages, commandOf(opts)], warmFrom: base.state.step, stageStart: base.seconds };
  }
  const state = RunState.fresh(corpus, vocab, settings);
  return { state, seconds: 0, chars: 0, stages: [commandOf(opts)], curve: [], warmFrom: 0, stageStart: 0 };
}

/** Held-out estimates against hours of training, kept across invocations and published in base.json. */
const heldOutCurve: CurvePoint[] = [];

async function checkpoint(state: RunState, seconds: number): Promise<void> {
  const record = encodeCheckpoint(await state.toCheckpoint(opts.backend));
  writeFileSync(ckptBin, new Uint8Array(record.data));
  writeFileSync(ckptJson, record.json);
  const progress = { crc: record.crc, seconds, chars: charsRead, stages, curve: heldOutCurve, stageStart };
  writeFileSync(progressFile, JSON.stringify(progress));
}

/**
 * Checkpoints, and rewrites the base when `withBase` (its held-out figures read 524 K characters,
 * several minutes for a large model), unless the GPU device raised an error (its weights are then
 * untrustworthy).
 */
async function save(withBase = true): Promise<void> {
  assertDeviceHealthy();
  await checkpoint(state, seconds);
  if (!withBase) return;
  const command = stages.join(' && ');
  await writeBase(state, { train, heldOut, heldIds, seconds, chars: charsRead, opts, command, curve: heldOutCurve });
  lastBase = Date.now();
}
let lastBase = Date.now();

const restored = await restore();
const state = restored.state;
// A checkpoint keeps the dropout of the stage that wrote it; this stage trains with its own.
state.model.config.dropout = opts.dropout;
let seconds = restored.seconds;
let charsRead = restored.chars;
const stageStart = restored.stageStart;
const stages = restored.stages;
console.log(`stages: ${stages.join(' && ')}`);
const budget = opts.hours * 3600;
const valBatches = evalBatches(heldIds, 64, 32, 8); // a quick estimate: 16 K characters of the held-out book
let lastLog = Date.now();
let lastEval = Date.now();
let lastSave = Date.now();
let recent: number[] = [];
let windowChars = charsRead; // the running total when the log's window began
let windowStart = Date.now();
let typical = 0; // a running mean of one step's seconds

const stopAt = Date.now() + opts.minutes * 60_000;
let stopAsked = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopAsked) process.exit(1);
    stopAsked = true;
    console.log(`${signal}: stopping after this step, then saving and writing the base`);
  });
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage(); // microseconds, every thread of this process
  return (user + system) / 1e6;
};
const cpuStopAt = cpuSeconds() + opts.cpuMinutes * 60;
// With --carry the rows read on and the state carries between steps; a resumed run starts its lanes afresh.
const lanes = opts.carry > 0 ? new Lanes(trainIds, stretches, seq, batch, opts.carry) : null;
const carry: Carry = {};
/** The next step's rows: read on with their carried state, or drawn afresh. */
function nextBatch() {
  if (!lanes) return mixedBatch(trainIds, stretches, seq, batch, state.rng);
  const { batch: rows, fresh } = lanes.next(state.rng);
  resetCarryRows(carry, fresh);
  return rows;
}
while (seconds < budget && Date.now() < stopAt && cpuSeconds() < cpuStopAt && !stopAsked) {
  const started = Date.now();
  const fraction = scheduleFraction(seconds, budget, opts.restart ? stageStart : null);
  setLearningRate(state.optimizer, learningRateAt(fraction, state.step - restored.warmFrom, opts.lr));
  const loss = trainStep(state.model, state.optimizer, nextBatch(), 5, state.step, lanes ? carry : undefined);
  const nats = (await loss.data())[0];
  loss.dispose();
  // WASM resolves data() in a microtask, so without this the loop never lets a signal's handler run.
  await new Promise((resolve) => setImmediate(resolve));
  state.step++;
  state.history.train.push([state.step, nats / LN2]);
  recent.push(nats / LN2);
  charsRead += seq * batch;
  // A step far slower than usual was paused (kill -STOP while a benchmark runs): count a usual step, so
  // the schedule and the published hours measure training, not the pause.
  const took = (Date.now() - started) / 1000;
  seconds += typical > 0 && took > 20 * typical ? typical : took;
  typical = typical > 0 ? 0.9 * typical + 0.1 * Math.min(took, 20 * typical) : took;
  const now = Date.now();
  if (now - lastEval > opts.evalEverySec * 1000) {
    const val = await estimateBpc(state.model, valBatches);
    assertDeviceHealthy(); // a GPU program that failed validation never ran: stop at once
    state.recordEstimate(state.step, val, recent.reduce((a, b) => a + b, 0) / recent.length);
    heldOutCurve.push([Number((seconds / 3600).toFixed(4)), state.step, Number(val.toFixed(4))]);
    console.log(`  step ${state.step}: held-out estimate ${val.toFixed(3)} bits/char`);
    lastEval = now;
  }
  if (now - lastLog > 60_000) {
    const rate = (charsRead - windowChars) / ((now - windowStart) / 1000);
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    const eta = (budget - seconds) / 60;
    console.log(
      `step ${state.step} · ${(seconds / 60).toFixed(1)}/${(budget / 60).toFixed(0)} min · train ${mean.toFixed(3)} bpc · ` +
        `${Math.round(rate)} chars/s · ETA ${eta.toFixed(1)} min`,
    );
    [recent, windowChars, windowStart, lastLog] = [[], charsRead, now, now];
  }
  if (now - lastSave > opts.saveEverySec * 1000) {
    await save(Date.now() - lastBase > opts.baseEverySec * 1000);
    lastSave = Date.now();
  }
}
dropCarry(carry);
await save();
console.log(`done: ${state.step} steps in ${(seconds / 60).toFixed(1)} min`);
process.exit(0); // the threaded WASM build's pthread pool would keep the process alive
