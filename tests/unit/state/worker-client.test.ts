import { describe, expect, it } from 'vitest';
import { WorkerClient, WorkerRequestError, type WorkerPort } from '../../../src/state/worker-client';
import type { Request, WorkerEvent } from '../../../src/worker/protocol';

/** A port whose "worker" is the test: it sees each request and answers when told. */
function fakeWorker() {
  const sent: Request[] = [];
  const port: WorkerPort = { onmessage: null, postMessage: (m) => void sent.push(m) };
  const seen: WorkerEvent[] = [];
  const client = new WorkerClient(port, (e) => seen.push(e));
  const reply = (e: WorkerEvent) => port.onmessage!({ data: e } as MessageEvent<WorkerEvent>);
  return { sent, seen, client, reply };
}

const stats = {
  name: 'a',
  bytes: 1,
  chars: 1,
  distinct: 1,
  mappedToUnknown: 0,
  preview: 'a',
  hash: 'h',
  base: { newChars: 0, outsideShare: 0, foldable: 0 },
};

describe('WorkerClient', () => {
  it('numbers requests and settles each on the reply carrying its own id, in any order', async () => {
    const { sent, client, reply } = fakeWorker();
    const list = client.request({ type: 'list-runs' });
    const load = client.request({
      type: 'load-corpus',
      name: 'a',
      bytes: new ArrayBuffer(1),
      seqLen: 8,
      valFraction: 0.1,
    });
    expect(sent.map((r) => [r.id, r.type])).toEqual([
      [1, 'list-runs'],
      [2, 'load-corpus'],
    ]);
    reply({ type: 'corpus', id: 2, stats });
    reply({ type: 'runs', id: 1, runs: [], startup: false });
    expect((await load).stats).toBe(stats);
    expect((await list).runs).toEqual([]);
    expect(client.pending).toBe(0);
  });

  it('an error rejects only the request it names; other events of that id do not settle it', async () => {
    const { client, reply, seen } = fakeWorker();
    const train = client.request({
      type: 'train',
      settings: {} as never,
      sample: { prime: '', temperatures: [1], length: 1 },
      resume: false,
      start: { from: 'scratch' },
    });
    const pause = client.request({ type: 'pause' });
    reply({ type: 'runs', id: 1, runs: [], startup: false }); // not train's reply: train still waits
    expect(client.pending).toBe(2);
    reply({ type: 'error', id: 2, code: 'no-run', message: 'Nothing is training.' });
    await expect(pause).rejects.toMatchObject({ code: 'no-run', message: 'Nothing is training.' });
    expect(client.pending).toBe(1);
    expect(seen.some((e) => e.type === 'error')).toBe(false); // an answered error is the caller's to show
    reply({ type: 'error', id: null, code: 'internal', message: 'mid-run failure' });
    expect(seen.at(-1)).toMatchObject({ type: 'error', id: null }); // news, not an answer
    reply({ type: 'run-started', id: 1, plan: {} as never });
    await expect(train).resolves.toMatchObject({ type: 'run-started' });
  });

  it('when the worker crashes, every waiting request fails', async () => {
    const { client } = fakeWorker();
    const a = client.request({ type: 'stop' });
    const b = client.request({ type: 'evaluate' });
    client.failAll('the worker stopped unexpectedly');
    await expect(a).rejects.toBeInstanceOf(WorkerRequestError);
    await expect(b).rejects.toMatchObject({ code: 'crashed' });
    expect(client.pending).toBe(0);
  });
});
