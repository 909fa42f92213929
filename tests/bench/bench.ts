/**
 * Bench page: drives the app's own training worker (src/worker/train.worker.ts, the same code
 * the app runs) and the reference worker, and reports raw measurements to the harness.
 */
import { defaultSettings, type Settings } from '../../src/config/settings';
import type { BackendName } from '../../src/config/backends';
import { WorkerClient } from '../../src/state/worker-client';
import type { RequestBody, WorkerEvent } from '../../src/worker/protocol';
import { transfer } from './transfer';

let customText: string | null = null; // --text FILE: the runner hands its contents over

async function corpus(): Promise<{ text: string; bytes: ArrayBuffer }> {
  if (customText !== null)
    return { text: customText, bytes: new TextEncoder().encode(customText).buffer as ArrayBuffer };
  const response = await fetch('corpora/nineteenth-century.txt');
  const bytes = await response.arrayBuffer();
  return { text: new TextDecoder().decode(bytes), bytes };
}

const useText = (text: string) => void (customText = text);

/** Posts one message to a fresh worker; resolves with its one answer and ends it. */
function oneShot(worker: Worker, message: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => {
      worker.terminate();
      if (e.data.ok) resolve(e.data.result);
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(message);
  });
}

const referenceWorker = (message: unknown) =>
  oneShot(new Worker(new URL('./reference.worker.ts', import.meta.url), { type: 'module' }), message);

/** Kernels and GPU calls (dispatches or draws) in one training step, on the backend as the app sets it up. */
const counts = (backend: BackendName, shape: object, autodiff: boolean) =>
  oneShot(new Worker(new URL('./count.worker.ts', import.meta.url), { type: 'module' }), {
    backend,
    shape,
    autodiff,
  });

/** The app's worker through the app's own client, keeping every event with its arrival time. */
class AppWorker {
  readonly worker = new Worker(new URL('../../src/worker/train.worker.ts', import.meta.url), { type: 'module' });
  readonly events: { at: number; e: WorkerEvent }[] = [];
  readonly client = new WorkerClient(this.worker, (e) => this.#onEvent(e));
  #waiters: { test: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }[] = [];
  onEvent: (e: WorkerEvent) => void = () => {};

  #onEvent(e: WorkerEvent): void {
    this.events.push({ at: performance.now(), e });
    if (e.type === 'error') console.warn('worker error', e.message);
    this.onEvent(e);
    this.#waiters = this.#waiters.filter((w) => (w.test(e) ? (w.resolve(e), false) : true));
  }

  /** Sends a request; resolves with its reply (a refusal is logged and rethrown). */
  request<B extends RequestBody>(body: B, transfer: Transferable[] = []) {
    return this.client.request(body, transfer).catch((error: Error) => {
      console.warn('request failed', body.type, error.message);
      throw error;
    });
  }

  send(body: RequestBody): void {
    void this.request(body).catch(() => undefined);
  }

  until<T extends WorkerEvent['type']>(type: T, test: (e: Extract<WorkerEvent, { type: T }>) => boolean = () => true) {
    return new Promise<Extract<WorkerEvent, { type: T }>>((resolve) =>
      this.#waiters.push({
        test: (e) => e.type === type && test(e as never),
        resolve: resolve as (e: WorkerEvent) => void,
      }),
    );
  }
}

export interface InklingOptions {
  backend: BackendName;
  seconds: number; // training time budget (step time only)
  marks: number[]; // training-time marks (s) at which to estimate validation loss
  settings?: Partial<Settings['train']>;
  model?: Partial<Settings['model']>;
}

async function inkling(o: InklingOptions) {
  const app = new AppWorker();
  const ready = await app.request({ type: 'init', backend: o.backend, remembered: null });
  const { bytes } = await corpus();
  const settings = defaultSettings();
  Object.assign(settings.train, { epochs: 1000, evalEvery: 1e5, sampleEverySec: 3600, autosaveSec: 30 }, o.settings);
  Object.assign(settings.model, o.model);
  await app.request(
    {
      type: 'load-corpus',
      name: 'nineteenth-century.txt',
      bytes,
      seqLen: settings.train.seqLen,
      valFraction: settings.train.valFraction,
    },
    [bytes],
  );
  const stepMs: number[] = [];
  const valAt: { mark: number; bpc: number; atMs: number }[] = [];
  let trainMs = 0;
  let nextMark = 0;
  let firstProgressAt = 0;
  const tensors: number[] = [];
  const gpuBytes: (number | null)[] = [];
  let stopping = false;
  app.onEvent = (e) => {
    if (e.type === 'val')
      valAt.push({ mark: nextMark === 0 ? 0 : o.marks[nextMark - 1], bpc: e.valBpc, atMs: trainMs });
    if (e.type !== 'progress') return;
    firstProgressAt ||= performance.now();
    stepMs.push(...e.progress.stepMs);
    trainMs += e.progress.stepMs.reduce((a, b) => a + b, 0);
    tensors.push(e.progress.tensors);
    gpuBytes.push(e.progress.gpuBytes);
    if (nextMark < o.marks.length && trainMs >= o.marks[nextMark] * 1000) {
      nextMark++;
      app.send({ type: 'evaluate' });
    }
    if (trainMs >= o.seconds * 1000 && nextMark >= o.marks.length && !stopping) {
      stopping = true;
      setTimeout(() => app.send({ type: 'stop' }), 50); // let the last evaluate run first
    }
  };
  const started = performance.now();
  const info = (
    await app.request({
      type: 'train',
      settings,
      sample: { prime: 'The ', temperatures: [0.5], length: 10 },
      resume: false,
      start: { from: 'scratch' },
    })
  ).plan;
  await app.until('status', (e) => e.status === 'stopped' || e.status === 'finished');
  await app.until('sample-end'); // the run's closing sample
  const saves = app.events.flatMap(({ e }) => (e.type === 'saved' ? [e.stallMs] : []));
  const generationCold = await generate(app); // compiles the 4-row programs
  const generation = await generate(app);
  app.worker.terminate();
  return {
    backend: ready.backend,
    adapter: ready.adapter,
    info,
    stepMs,
    valAt,
    timeToFirstStepMs: firstProgressAt - started,
    tensorsFirst: tensors[0],
    tensorsLast: tensors.at(-1),
    gpuBytesFirst: gpuBytes[0],
    gpuBytesLast: gpuBytes.at(-1),
    saveStallMs: saves,
    generation,
    generationCold,
  };
}

/** Streams 4 x 400 characters; measures characters per second as they arrive in the page. */
async function generate(app: AppWorker) {
  const temperatures = [0.2, 0.5, 1.0, 1.2];
  const length = 400;
  const started = performance.now();
  let firstChunk = 0;
  let chars = 0;
  const done = app.until('sample-end');
  const previous = app.onEvent;
  app.onEvent = (e) => {
    if (e.type !== 'sample-chunk') return;
    firstChunk ||= performance.now();
    chars += e.chunks.reduce((n, c) => n + [...c].length, 0);
  };
  app.send({ type: 'sample', prime: 'The President ', temperatures, length });
  const end = await done;
  app.onEvent = previous;
  const seconds = (performance.now() - started) / 1000;
  return {
    streams: temperatures.length,
    chars,
    seconds,
    charsPerSec: chars / seconds,
    workerCharsPerSec: end.charsPerSec,
    firstChunkMs: firstChunk - started,
  };
}

async function reference(backend: string, seconds: number, marks: number[]) {
  const { text } = await corpus();
  return referenceWorker({ type: 'run', backend, text, seconds, marks });
}

const roof = (backend: string) => referenceWorker({ type: 'roof', backend });
const wasmPatch = () => referenceWorker({ type: 'wasm-patch', backend: 'wasm' });

Object.assign(window, { bench: { inkling, reference, roof, wasmPatch, counts, useText, transfer } });
document.getElementById('status')!.textContent = 'ready';
