/**
 * The transfer suite's page side: one run of the app's worker from scratch (the app's default
 * model) or from the English base in one fine-tune mode, on the given text, for a fixed training
 * time, with validation estimates at training-time marks. Reported raw to tests/bench/transfer-suite.mjs.
 */
import { defaultSettings, type FineTuneMode, type Settings } from '../../src/config/settings';
import { suggestSettings } from '../../src/config/suggest';
import { WorkerClient } from '../../src/state/worker-client';
import type { WorkerEvent } from '../../src/worker/protocol';

export interface TransferOptions {
  lane: 'scratch' | FineTuneMode | 'today'; // today: scratch as before the suggestions and stop at the best
  seconds: number; // training time (step time only); with `person`, a cap: the run should end by itself before
  marks: number[]; // training-time marks (s) with a validation estimate
  text: string;
  person?: boolean; // the settings a person gets: suggested for the text's size, stop at the best, checks every 50
  base?: string; // the base's folder under models/: base-en (the default) or base-en-large
}

/** What a person gets for this text: the suggested size, dropout and epochs (fine-tuning keeps the base's size). */
function personSettings(o: TransferOptions): Settings {
  const settings = defaultSettings();
  const quiet = { sampleEverySec: 3600, autosaveSec: 3600 };
  if (o.lane === 'today')
    return { ...settings, train: { ...settings.train, ...quiet, epochs: 1000, stopAtBest: false } };
  const s = suggestSettings([...o.text].length, o.lane !== 'scratch');
  settings.model = { ...settings.model, layers: s.layers, units: s.units, dropout: s.dropout };
  Object.assign(settings.train, { ...quiet, epochs: s.epochs });
  return settings;
}

export async function transfer(o: TransferOptions) {
  const events: WorkerEvent[] = [];
  let onEvent: (e: WorkerEvent) => void = () => {};
  const worker = new Worker(new URL('../../src/worker/train.worker.ts', import.meta.url), { type: 'module' });
  const client = new WorkerClient(worker, (e) => (events.push(e), onEvent(e)));
  const ready = await client.request({ type: 'init', backend: 'auto', remembered: null });
  if (o.person) return personRun(o);
  const settings = defaultSettings();
  Object.assign(settings.train, { epochs: 1000, evalEvery: 1e5, sampleEverySec: 3600, autosaveSec: 3600 });
  const bytes = new TextEncoder().encode(o.text).buffer as ArrayBuffer;
  await client.request({ type: 'load-corpus', name: 'bench.txt', bytes, seqLen: 64, valFraction: 0.1 }, [bytes]);
  const chosen = performance.now();
  let base = null;
  if (o.lane !== 'scratch') {
    base = (
      await client.request({ type: 'load-base', url: new URL(`models/${o.base ?? 'base-en'}/`, document.baseURI).href })
    ).base;
    settings.model = { ...settings.model, ...base.model };
    settings.train.learningRate = base.fineTuneLearningRate;
  }
  const valBpcAt: Record<string, number> = {};
  let trainMs = 0;
  let next = 0;
  let firstStepMs = 0;
  let stopping = false;
  const done = new Promise<void>((resolve) => {
    onEvent = (e) => {
      if (e.type === 'val') valBpcAt[next === 0 ? 0 : o.marks[next - 1]] = e.valBpc;
      if (e.type === 'status' && (e.status === 'stopped' || e.status === 'finished')) resolve();
      if (e.type !== 'progress' || stopping) return;
      firstStepMs ||= performance.now() - chosen;
      trainMs += e.progress.stepMs.reduce((a, b) => a + b, 0);
      if (next < o.marks.length && trainMs >= o.marks[next] * 1000) {
        next++;
        void client.request({ type: 'evaluate' }).catch(() => undefined);
      }
      if (trainMs >= o.seconds * 1000 && next >= o.marks.length) {
        stopping = true;
        setTimeout(() => void client.request({ type: 'stop' }).catch(() => undefined), 50); // after the last estimate
      }
    };
  });
  const start =
    o.lane === 'scratch' || o.lane === 'today' ? { from: 'scratch' as const } : { from: 'base' as const, mode: o.lane };
  const sample = { prime: 'The ', temperatures: [0.5], length: 1 };
  const { plan } = await client.request({ type: 'train', settings, sample, resume: false, start });
  await done;
  worker.terminate();
  return {
    lane: o.lane,
    backend: ready.backend,
    model: settings.model,
    learningRate: settings.train.learningRate,
    vocabSize: plan.vocabSize,
    baseCached: base?.cached ?? null,
    chooseToFirstStepMs: Math.round(firstStepMs),
    trainSeconds: trainMs / 1000,
    valBpcAt,
  };
}

/**
 * One run with the settings a person gets: it should end by itself (stop at the best, or its
 * epochs) before `seconds` of training. Reports every check, the best, the model in hand's own
 * figure (a fresh estimate after the run), and the steps and seconds its plan had left.
 */
async function personRun(o: TransferOptions) {
  const worker = new Worker(new URL('../../src/worker/train.worker.ts', import.meta.url), { type: 'module' });
  let onEvent: (e: WorkerEvent) => void = () => {};
  const client = new WorkerClient(worker, (e) => onEvent(e));
  const ready = await client.request({ type: 'init', backend: 'auto', remembered: null });
  const settings = personSettings(o);
  const bytes = new TextEncoder().encode(o.text).buffer as ArrayBuffer;
  await client.request({ type: 'load-corpus', name: 'bench.txt', bytes, seqLen: 64, valFraction: 0.1 }, [bytes]);
  if (o.lane !== 'scratch' && o.lane !== 'today') {
    const { base } = await client.request({
      type: 'load-base',
      url: new URL(`models/${o.base ?? 'base-en'}/`, document.baseURI).href,
    });
    settings.model = { ...base.model, dropout: settings.model.dropout };
    settings.train.learningRate = base.fineTuneLearningRate;
  }
  const checks: [seconds: number, step: number, valBpc: number][] = [];
  let trainMs = 0;
  let step = 0;
  let cut = false; // stopped by the bench at `seconds`, not by itself
  let kept: Extract<WorkerEvent, { type: 'kept-best' }> | null = null;
  const done = new Promise<string>((resolve) => {
    onEvent = (e) => {
      if (e.type === 'val') checks.push([trainMs / 1000, e.step, e.valBpc]);
      if (e.type === 'kept-best') kept = e;
      if (e.type === 'status' && (e.status === 'stopped' || e.status === 'finished')) resolve(e.status);
      if (e.type !== 'progress') return;
      trainMs += e.progress.stepMs.reduce((a, b) => a + b, 0);
      step = e.progress.step;
      if (trainMs >= o.seconds * 1000 && !cut) {
        cut = true;
        void client.request({ type: 'stop' }).catch(() => undefined);
      }
    };
  });
  const start =
    o.lane === 'scratch' || o.lane === 'today' ? { from: 'scratch' as const } : { from: 'base' as const, mode: o.lane };
  const sample = { prime: 'The ', temperatures: [0.5], length: 1 };
  const { plan } = await client.request({ type: 'train', settings, sample, resume: false, start });
  const status = await done;
  const inRun = checks.slice();
  await client.request({ type: 'evaluate' }); // the model in hand, measured afresh on the same batches
  const finalValBpc = checks.at(-1)![2];
  worker.terminate();
  const best = inRun.reduce((b, c) => (c[2] < b[2] ? c : b));
  const stepsLeft = plan.totalSteps - step;
  const msPerStep = trainMs / Math.max(1, step);
  return {
    lane: o.lane,
    person: true,
    backend: ready.backend,
    model: settings.model,
    epochs: settings.train.epochs,
    learningRate: settings.train.learningRate,
    status,
    endedByItself: !cut,
    keptBest: kept,
    steps: step,
    totalSteps: plan.totalSteps,
    trainSeconds: trainMs / 1000,
    best: { seconds: best[0], step: best[1], valBpc: best[2] },
    lastCheckValBpc: inRun.at(-1)![2],
    finalValBpc,
    stepsSaved: stepsLeft,
    secondsSaved: (stepsLeft * msPerStep) / 1000,
    checks: inRun,
  };
}
