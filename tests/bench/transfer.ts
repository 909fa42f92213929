/**
 * The transfer suite's page side: one run of the app's worker from scratch (the app's default
 * model) or from the English base in one fine-tune mode, on the given text, for a fixed training
 * time, with validation estimates at training-time marks. Reported raw to tests/bench/transfer-suite.mjs.
 */
import { defaultSettings, type FineTuneMode } from '../../src/config/settings';
import { WorkerClient } from '../../src/state/worker-client';
import type { WorkerEvent } from '../../src/worker/protocol';

export interface TransferOptions {
  lane: 'scratch' | FineTuneMode;
  seconds: number; // training time (step time only)
  marks: number[]; // training-time marks (s) with a validation estimate
  text: string;
}

export async function transfer(o: TransferOptions) {
  const events: WorkerEvent[] = [];
  let onEvent: (e: WorkerEvent) => void = () => {};
  const worker = new Worker(new URL('../../src/worker/train.worker.ts', import.meta.url), { type: 'module' });
  const client = new WorkerClient(worker, (e) => (events.push(e), onEvent(e)));
  const ready = await client.request({ type: 'init', backend: 'auto', remembered: null });
  const settings = defaultSettings();
  Object.assign(settings.train, { epochs: 1000, evalEvery: 1e5, sampleEverySec: 3600, autosaveSec: 3600 });
  const bytes = new TextEncoder().encode(o.text).buffer as ArrayBuffer;
  await client.request({ type: 'load-corpus', name: 'bench.txt', bytes, seqLen: 64, valFraction: 0.1 }, [bytes]);
  const chosen = performance.now();
  let base = null;
  if (o.lane !== 'scratch') {
    base = (await client.request({ type: 'load-base', url: new URL('models/base-en/', document.baseURI).href })).base;
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
  const start = o.lane === 'scratch' ? { from: 'scratch' as const } : { from: 'base' as const, mode: o.lane };
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
