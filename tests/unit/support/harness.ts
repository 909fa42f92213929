import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { expect } from 'vitest';
import { defaultSettings, type Settings } from '../../../src/config/settings';
import type { RequestBody, WorkerEvent } from '../../../src/worker/protocol';
import { WorkerClient, type WorkerPort } from '../../../src/state/worker-client';
import { CheckpointStore } from '../../../src/storage/store';
import type { BackendSelector } from '../../../src/worker/backend-choices';
import { WorkerHandler } from '../../../src/worker/handler';
import type { BaseLoader } from '../../../src/worker/base-loader';

export const TEXT = 'It was the best of times, it was the worst of times. '.repeat(30);
export const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

/** A model and batches small enough that a step takes milliseconds on the CPU backend. */
export function tinySettings(epochs = 1, autosaveSec = 30): Settings {
  const s = defaultSettings();
  s.model = { embedDim: 4, units: 8, layers: 1, dropout: 0 };
  Object.assign(s.train, {
    seqLen: 8,
    batchSize: 4,
    epochs,
    evalEvery: 5,
    evalBatches: 1,
    sampleEverySec: 3600,
    autosaveSec,
    stopAtBest: false, // a run of a known length; stop-at-best.test.ts turns it on
  });
  return s;
}

/** What tests leave out of a request: the form's usual sizes, a run from scratch. */
function defaultsFor(type: unknown): Record<string, unknown> {
  if (type === 'load-corpus') return { seqLen: 8, valFraction: 0.1 };
  if (type === 'train') return { start: { from: 'scratch' } };
  return {};
}

let dbCount = 0;
export const freshStore = () => new CheckpointStore(createStore(`handler-${++dbCount}`, 'c'));

const cpuOnly: BackendSelector = async () => ({
  backend: 'cpu',
  adapter: null,
  tried: ['cpu: ok'],
  measured: false,
  threads: null,
});

/**
 * The real WorkerHandler on the CPU backend, driven through the app's WorkerClient over an
 * in-process port (messages structured-cloned, as postMessage does), with its events collected.
 * `send` resolves when the request is answered (a refusal is in `events` as an error).
 */
export function harness(
  makeStore: () => CheckpointStore = freshStore,
  selectBackend: BackendSelector = cpuOnly,
  bases?: BaseLoader,
) {
  const events: WorkerEvent[] = [];
  const port: WorkerPort = {
    onmessage: null,
    postMessage: (message) => void handler.handle(structuredClone(message)),
  };
  const handler = new WorkerHandler(
    (e) => {
      events.push(e);
      port.onmessage?.({ data: e } as MessageEvent<WorkerEvent>);
    },
    selectBackend,
    makeStore,
    bases,
  );
  const client = new WorkerClient(port);
  const send = (req: Record<string, unknown>) =>
    client.request({ ...defaultsFor(req.type), ...req } as RequestBody).then(
      () => undefined,
      () => undefined,
    );
  const of = <T extends WorkerEvent['type']>(type: T) =>
    events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 3000 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(pred()).toBe(true);
  };
  /** Loads TEXT and starts training the tiny model (50 epochs: it trains until stopped). */
  const startTraining = async (o: { settings?: Settings; length?: number; resume?: boolean } = {}) => {
    await send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    const sample = { prime: 'It', temperatures: [1], length: o.length ?? 4 };
    await send({ type: 'train', settings: o.settings ?? tinySettings(50), sample, resume: o.resume ?? false });
  };
  /** Stops the run and waits until its final save has landed. */
  const stopped = async () => {
    await send({ type: 'stop' });
    await until(() => of('status').at(-1)?.status === 'stopped');
  };
  return { events, handler, client, send, of, until, startTraining, stopped };
}
