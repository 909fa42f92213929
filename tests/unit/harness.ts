import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { expect } from 'vitest';
import { defaultSettings, type Settings } from '../../src/lib/config';
import type { Request, WorkerEvent } from '../../src/lib/protocol';
import { CheckpointStore } from '../../src/lib/store';
import { WorkerHandler } from '../../src/worker/handler';

export const TEXT = 'It was the best of times, it was the worst of times. '.repeat(30);
export const bytes = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

/** A model and batches small enough that a step takes milliseconds on the CPU backend. */
export function tinySettings(epochs = 1, autosaveSec = 30): Settings {
  const s = defaultSettings();
  s.model = { embedDim: 4, units: 8, layers: 1, dropout: 0 };
  Object.assign(s.train, { seqLen: 8, batchSize: 4, epochs, evalEvery: 5, evalBatches: 1, sampleEverySec: 3600, autosaveSec });
  return s;
}

let dbCount = 0;
export const freshStore = () => new CheckpointStore(createStore(`handler-${++dbCount}`, 'c'));

/** The real WorkerHandler on the CPU backend, with its events collected and helpers to wait. */
export function harness(makeStore: () => CheckpointStore = freshStore) {
  const events: WorkerEvent[] = [];
  const handler = new WorkerHandler((e) => events.push(e), async () => ({ backend: 'cpu', adapter: null, tried: ['cpu: ok'], measured: false }), makeStore);
  let id = 0;
  const send = (req: Record<string, unknown>) =>
    handler.handle({ id: ++id, ...(req.type === 'load-corpus' ? { seqLen: 8, valFraction: 0.1 } : {}), ...req } as Request);
  const of = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 3000 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(pred()).toBe(true);
  };
  return { events, handler, send, of, until };
}
