import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { TEXT, bytes, harness as setup, tinySettings } from '../support/harness';
import type { BackendSelector } from '../../../src/worker/backend-choices';

beforeAll(useCpu);

describe('WorkerHandler', () => {
  it('reports the backend, then corpus stats', async () => {
    const { send, of } = setup();
    await send({ type: 'init', backend: 'auto' });
    expect(of('ready')[0]).toMatchObject({ backend: 'cpu', id: 1 });
    await send({ type: 'load-corpus', name: 'dickens.txt', bytes: bytes(TEXT) });
    expect(of('corpus')[0].stats).toMatchObject({ name: 'dickens.txt', chars: TEXT.length, distinct: 16 });
  });

  it('answers bad input with a specific error and keeps the previous corpus', async () => {
    const { send, of, until } = setup();
    await send({ type: 'load-corpus', name: 'good.txt', bytes: bytes(TEXT) });
    await send({ type: 'load-corpus', name: 'empty.txt', bytes: new ArrayBuffer(0) });
    await send({ type: 'load-corpus', name: 'l1.txt', bytes: new Uint8Array([0x63, 0xe9, 0x20, 0x61]).buffer });
    await send({
      type: 'train',
      settings: { ...tinySettings(), train: { ...tinySettings().train, batchSize: 0 } },
      sample: { prime: 'It', temperatures: [0.5], length: 5 },
      resume: false,
    });
    expect(of('error').map((e) => [e.id, e.code])).toEqual([
      [2, 'empty'],
      [3, 'not-utf8'],
      [4, 'settings'],
    ]);
    // The good corpus is still loaded: training on it works.
    await send({
      type: 'train',
      settings: tinySettings(0.05),
      sample: { prime: 'It', temperatures: [0.5], length: 5 },
      resume: false,
    });
    await until(() => of('status').some((s) => s.status === 'finished'));
    expect(of('run-started')[0].plan.vocabSize).toBe(16);
  });

  it('refuses a text too short for one row at load, then at train if settings grew', async () => {
    const { send, of } = setup();
    await send({ type: 'load-corpus', name: 'short.txt', bytes: bytes('tiny text') });
    await send({
      type: 'train',
      settings: tinySettings(),
      sample: { prime: '', temperatures: [1], length: 5 },
      resume: false,
    });
    await send({ type: 'sample', prime: 'x', temperatures: [1], length: 5 });
    expect(of('error').map((e) => e.code)).toEqual(['too-short', 'no-corpus', 'no-model']);
    await send({ type: 'load-corpus', name: 'ok.txt', bytes: bytes(TEXT) });
    const long = tinySettings();
    long.train.seqLen = 1000;
    await send({ type: 'train', settings: long, sample: { prime: '', temperatures: [1], length: 5 }, resume: false });
    expect(of('error').at(-1)).toMatchObject({
      code: 'too-short',
      message: expect.stringMatching(/needs at least 10010/),
    });
  });

  it('trains, pauses, resumes, stops, then samples on demand with no tensor growth', async () => {
    const { send, of, until, events } = setup();
    await send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await send({
      type: 'train',
      settings: tinySettings(50),
      sample: { prime: 'It was', temperatures: [0.2, 1], length: 10 },
      resume: false,
    });
    await until(() => of('progress').length >= 2);
    await send({ type: 'pause' });
    await until(() => of('status').at(-1)!.status === 'paused');
    const pausedAt = of('progress').at(-1)!.progress.step;
    await new Promise((r) => setTimeout(r, 100));
    expect(of('progress').at(-1)!.progress.step).toBe(pausedAt);
    await send({ type: 'resume' });
    await until(() => of('progress').at(-1)!.progress.step > pausedAt + 3);
    await send({ type: 'stop' });
    await until(() => of('sample-end').length >= 1);
    expect(of('status').map((s) => s.status)).toEqual(['training', 'paused', 'training', 'stopping', 'stopped']);
    expect(of('val')[0].step).toBe(0);
    const tensors = tf.memory().numTensors;
    events.length = 0;
    await send({ type: 'sample', prime: 'It was', temperatures: [0, 0.5, 1, 1.2], length: 30 });
    const text = of('sample-chunk').reduce((acc, e) => acc.map((s, i) => s + e.chunks[i]), ['', '', '', '']);
    expect(text.map((t) => t.length)).toEqual([30, 30, 30, 30]);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a sample asked for while the run is stopping becomes its closing sample, not a second stream beside it', async () => {
    const { send, of, until, events } = setup();
    await send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await send({
      type: 'train',
      settings: tinySettings(50),
      sample: { prime: 'It', temperatures: [1], length: 4 },
      resume: false,
    });
    await until(() => of('progress').length >= 1);
    events.length = 0;
    await send({ type: 'stop' });
    expect(of('status').at(-1)!.status).toBe('stopping');
    await send({ type: 'sample', prime: 'It was', temperatures: [0, 1], length: 12 });
    await until(() => of('status').at(-1)?.status === 'stopped' && of('sample-end').length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(of('sample-start').map((e) => e.prime)).toEqual(['It was']);
    const text = of('sample-chunk').reduce((acc, e) => acc.map((t, i) => t + e.chunks[i]), ['', '']);
    expect(text.map((t) => t.length)).toEqual([12, 12]);
  });

  it('with losses read back every 4 steps, still reports every step once, in order, with no leak', async () => {
    const { send, of, until } = setup();
    await send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    const settings = tinySettings(50);
    settings.train.readLossEvery = 4;
    await send({ type: 'train', settings, sample: { prime: 'It', temperatures: [1], length: 4 }, resume: false });
    await until(() => (of('progress').at(-1)?.progress.step ?? 0) >= 30);
    await send({ type: 'stop' });
    await until(() => of('status').at(-1)?.status === 'stopped' && of('sample-end').length > 0);
    const steps = of('progress').flatMap((e) => e.progress.points.map(([step]) => step));
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(of('progress').flatMap((e) => e.progress.stepMs)).toHaveLength(steps.length);
    const tensors = new Set(
      of('progress')
        .slice(1)
        .map((e) => e.progress.tensors),
    );
    expect(tensors.size).toBe(1); // reported only when no loss is pending: exactly flat
  });
});

describe('WorkerHandler: check before change, one sample at a time', () => {
  it('resuming on a text too short for the new settings refuses and leaves the open run exactly as it was', async () => {
    const { send, of, until, startTraining, stopped } = setup();
    await startTraining();
    await until(() => of('progress').length >= 1);
    await stopped();
    const before = of('run-started')[0].plan;
    // A short text in a new alphabet loads (its own check uses seqLen 8), but cannot train with seqLen 300.
    await send({ type: 'load-corpus', name: 'short.txt', bytes: bytes('Zounds! Who goes there? '.repeat(20)) });
    const longer = tinySettings(50);
    longer.train.seqLen = 300;
    await send({
      type: 'train',
      settings: longer,
      sample: { prime: 'It', temperatures: [1], length: 4 },
      resume: true,
    });
    expect(of('error').at(-1)).toMatchObject({ code: 'too-short' });
    // Back on its own text with its own settings, the run goes on from where it was, same vocabulary.
    await startTraining({ resume: true });
    const after = of('run-started')[1].plan;
    expect(after).toMatchObject({
      runId: before.runId,
      vocabSize: before.vocabSize,
      corpusHash: before.corpusHash,
      charsPerStep: before.charsPerStep,
    });
    await until(() => of('progress').length >= 2);
    await stopped();
  });

  it('"Sample now" while the closing sample of a stopped run streams ends that one: the two never interleave', async () => {
    const { send, of, until, events, startTraining } = setup();
    await startTraining({ length: 3000 });
    await until(() => of('progress').length >= 1);
    events.length = 0;
    await send({ type: 'stop' });
    await until(() => of('sample-chunk').length >= 1); // the closing sample is streaming
    const closing = of('sample-start')[0].sampleId;
    const now = send({ type: 'sample', prime: 'It was', temperatures: [0, 1], length: 40 });
    await now;
    const mine = of('sample-start').at(-1)!;
    expect(mine.sampleId).not.toBe(closing);
    const startAt = events.indexOf(mine);
    // After the new sample starts, the closing one sends at most its last flush and its end.
    const lateChunks = events.slice(startAt).filter((e) => e.type === 'sample-chunk' && e.sampleId === closing);
    expect(lateChunks.length).toBeLessThanOrEqual(1);
    expect(of('sample-end').some((e) => e.sampleId === closing)).toBe(true);
    const text = of('sample-chunk')
      .filter((e) => e.sampleId === mine.sampleId)
      .reduce((acc, e) => acc.map((t, i) => t + e.chunks[i]), ['', '']);
    expect(text.map((t) => t.length)).toEqual([40, 40]);
  });
});

describe('WorkerHandler: backend choices', () => {
  it('overlapping choices run one at a time and the worker ends on the last one made', async () => {
    const running: string[] = [];
    const calls: string[] = [];
    let overlap = false;
    const slowSelector: BackendSelector = async (choice, _remembered, cancelled) => {
      if (running.length > 0) overlap = true;
      running.push(choice);
      calls.push(choice);
      // Auto "measures" for a while, stopping early once replaced; a forced choice is quick.
      for (let i = 0; i < (choice === 'auto' ? 20 : 2) && !cancelled(); i++)
        await new Promise((r) => setTimeout(r, 10));
      running.pop();
      const backend = choice === 'auto' ? 'webgl' : choice;
      return {
        backend,
        adapter: null,
        tried: [`${backend}: ${choice === 'auto' ? 'measured' : 'chosen by you'}`],
        measured: choice === 'auto',
        threads: null,
      };
    };
    const { send, of, events } = setup(undefined, slowSelector);
    const auto = send({ type: 'init', backend: 'auto' });
    await new Promise((r) => setTimeout(r, 15)); // Auto is measuring
    const wasm = send({ type: 'init', backend: 'wasm' });
    const cpu = send({ type: 'init', backend: 'cpu' }); // replaces wasm before it starts
    const last = send({ type: 'init', backend: 'wasm' });
    await Promise.all([auto, wasm, cpu, last]);
    expect(overlap).toBe(false);
    expect(calls).toEqual(['auto', 'wasm']); // the replaced ones never started a backend
    expect(of('ready').map((e) => [e.id, e.backend, e.tried])).toEqual([[4, 'wasm', ['wasm: chosen by you']]]);
    expect(of('error').map((e) => [e.id, e.code])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'superseded'],
    ]);
    expect(events.filter((e) => e.type === 'ready' || e.type === 'error').at(-1)).toMatchObject({
      type: 'ready',
      backend: 'wasm',
    });
  });
});
