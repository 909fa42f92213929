import { createStore } from 'idb-keyval';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { randomBatch } from '../../../src/data/batching';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/storage/checkpoint';
import { Rng } from '../../../src/data/rng';
import { RunState } from '../../../src/run/run-state';
import { CheckpointStore } from '../../../src/storage/store';
import { trainStep } from '../../../src/engine/train';
import { buildVocab, encode } from '../../../src/data/vocab';
import { TEXT, bytes, harness as baseHarness, tinySettings } from '../support/harness';

beforeAll(useCpu);

const tiny = () => tinySettings(50, 1);

function harness(makeStore: () => CheckpointStore) {
  const h = baseHarness(makeStore);
  const train = (resume = false) =>
    h.send({ type: 'train', settings: tiny(), sample: { prime: 'It', temperatures: [1], length: 4 }, resume });
  return { ...h, train };
}

let dbs = 0;

/** A worker handler with the backend up, a text loaded and a run training. */
async function training(makeStore: () => CheckpointStore, name = 'd.txt') {
  const tab = harness(makeStore);
  await tab.send({ type: 'init', backend: 'auto' });
  await tab.send({ type: 'load-corpus', name, bytes: bytes(TEXT) });
  await tab.train();
  return tab;
}

describe('RunState checkpoints', () => {
  it('round-trip exactly: weights, optimizer moments and RNG, so training continues identically', async () => {
    const settings = tiny();
    const { vocab } = buildVocab(TEXT);
    const ids = encode(vocab, TEXT);
    const a = RunState.fresh({ name: 't', hash: 'h', chars: TEXT.length }, vocab, settings);
    for (let i = 0; i < 3; i++) trainStep(a.model, a.optimizer, randomBatch(ids, 8, 4, a.rng), 5, i).dispose();
    a.step = 3;
    a.recordEstimate(3, 4.2, 4.3);
    const saved = decodeCheckpoint(encodeCheckpoint(await a.toCheckpoint('cpu')));
    const b = await RunState.fromCheckpoint(saved);
    const again = await b.toCheckpoint('cpu');
    expect(again.weights).toEqual(saved.weights);
    expect(again.optimizer.map((o) => o.values)).toEqual(saved.optimizer.map((o) => o.values));
    expect(again.best).toEqual(saved.best);
    expect(b.rng.state).toBe(a.rng.state);
    // The next step, same batch, gives the same loss and the same weights on both.
    const batch = randomBatch(ids, 8, 4, new Rng(99));
    const la = trainStep(a.model, a.optimizer, batch, 5, 7);
    const lb = trainStep(b.model, b.optimizer, batch, 5, 7);
    expect(lb.dataSync()[0]).toBeCloseTo(la.dataSync()[0], 6);
    expect(Array.from(b.model.denseKernel.dataSync())).toEqual(Array.from(a.model.denseKernel.dataSync()));
    tf.dispose([la, lb]);
    a.dispose();
    b.dispose();
  });
});

describe('autosave, reload and resume', () => {
  it('autosaves while training; after a "reload" the run resumes from its step with its text and chart', async () => {
    const db = createStore(`p-${++dbs}`, 'c');
    const tab = await training(() => new CheckpointStore(db), 'dickens.txt');
    await tab.until(() => tab.of('saved').length >= 2);
    const saved = tab.of('saved').at(-1)!;
    // Both halves of a save are measured: the snapshot that pauses training, and the write after it.
    expect(saved.stallMs).toBeGreaterThan(0);
    expect(saved.writeMs).toBeGreaterThan(0);
    // At least one step past that autosave, so that the save on stop has something new to keep.
    await tab.until(() => (tab.of('progress').at(-1)?.progress.step ?? 0) > saved.step);
    await tab.send({ type: 'stop' });
    await tab.until(() => tab.of('status').at(-1)?.status === 'stopped');
    // "stopped" is reported only after the final save has landed, at the last step trained.
    const order = tab.events
      .filter((e) => e.type === 'saved' || e.type === 'status')
      .map((e) => (e.type === 'status' ? e.status : 'saved'));
    expect(order.slice(-3)).toEqual(['stopping', 'saved', 'stopped']);
    const lastSaved = tab.of('saved').at(-1)!.step;
    expect(lastSaved).toBeGreaterThan(saved.step);
    expect(lastSaved).toBe(tab.of('progress').at(-1)!.progress.step);

    // A new worker on the same database: the page reloaded.
    const reloaded = harness(() => new CheckpointStore(db));
    await reloaded.send({ type: 'init', backend: 'auto' });
    const runs = reloaded.of('runs')[0].runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ corpusName: 'dickens.txt', step: lastSaved, damaged: null });
    await reloaded.send({ type: 'open-run', runId: runs[0].runId });
    const opened = reloaded.of('run-opened')[0].opened;
    expect(opened).toMatchObject({ step: lastSaved, corpusLoaded: true });
    expect(opened.history.train.at(-1)![0]).toBe(lastSaved);
    expect(reloaded.of('corpus-restored')[0].stats.name).toBe('dickens.txt'); // the text came back from storage
    await reloaded.train(true);
    await reloaded.until(() => reloaded.of('progress').length > 0);
    expect(reloaded.of('progress')[0].progress.points[0][0]).toBe(lastSaved + 1);
    await reloaded.send({ type: 'stop' });
    await reloaded.until(() => reloaded.of('status').at(-1)?.status === 'stopped');
  });

  it('when storage is full: says so, keeps training, keeps the previous checkpoint', async () => {
    const db = createStore(`p-${++dbs}`, 'c');
    class FullStore extends CheckpointStore {
      saves = 0;
      override async save(...args: Parameters<CheckpointStore['save']>) {
        if (++this.saves > 1) throw new DOMException('quota', 'QuotaExceededError');
        return super.save(...args);
      }
    }
    const store = new FullStore(db);
    const tab = await training(() => store);
    await tab.until(() => tab.of('save-failed').length > 0);
    expect(tab.of('save-failed')[0].message).toMatch(/Storage is full.*previous checkpoint is kept/);
    const stepAtFailure = tab.of('progress').at(-1)?.progress.step ?? 0;
    await tab.until(() => (tab.of('progress').at(-1)?.progress.step ?? 0) > stepAtFailure + 5);
    expect(tab.of('status').at(-1)?.status).toBe('training');
    await tab.send({ type: 'stop' });
    const runs = await new CheckpointStore(db).list();
    expect(runs[0]).toMatchObject({ step: tab.of('saved')[0].step, damaged: null });
  });

  it('without IndexedDB: saving is off with a notice, training works', async () => {
    const tab = harness(() => {
      throw new DOMException('IndexedDB is not available', 'InvalidStateError');
    });
    await tab.send({ type: 'init', backend: 'auto' });
    expect(tab.of('storage')[0]).toMatchObject({
      available: false,
      reason: expect.stringMatching(/Saving is off.*Training still works/),
    });
    await tab.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await tab.train();
    await tab.until(() => (tab.of('progress').at(-1)?.progress.step ?? 0) > 5);
    await tab.send({ type: 'stop' });
    expect(tab.of('saved')).toEqual([]);
    await tab.until(() => tab.of('status').at(-1)?.status === 'stopped');
    expect(tab.of('error')).toEqual([]);
    // The model in hand can still be exported, and the export imported: opened in memory, trainable.
    const runId = tab.of('run-started')[0].plan.runId;
    const exported = await tab.client.request({ type: 'export-run', runId });
    expect(exported.fileName).toMatch(/\.inkling\.zip$/);
    const imported = await tab.client.request({ type: 'import-run', name: 'mine.zip', bytes: exported.bytes });
    expect(imported.opened.step).toBe(tab.of('progress').at(-1)!.progress.step);
    await tab.train(true);
    await tab.until(
      () => tab.of('run-started').length === 2 && tab.of('progress').at(-1)!.progress.step > imported.opened.step,
    );
    await tab.send({ type: 'stop' });
    expect(tab.of('error')).toEqual([]);
  });

  it('when storage is full from the first save: no word of a previous checkpoint; after Stop, no "training goes on"', async () => {
    class FullStore extends CheckpointStore {
      override async save(): Promise<never> {
        throw new DOMException('quota', 'QuotaExceededError');
      }
    }
    const tab = await training(() => new FullStore(createStore(`p-${++dbs}`, 'c')));
    await tab.until(() => tab.of('save-failed').length > 0);
    const first = tab.of('save-failed')[0].message;
    expect(first).toMatch(/Storage is full.*Training goes on.*no saved checkpoint yet.*Export model/);
    expect(first).not.toMatch(/previous/);
    await tab.send({ type: 'stop' });
    await tab.until(() => tab.of('status').at(-1)?.status === 'stopped');
    const last = tab.of('save-failed').at(-1)!.message;
    expect(last).toMatch(/Storage is full/);
    expect(last).not.toMatch(/Training goes on/);
  });

  it('saves a few seconds into training (not after the 30 s interval), and at once when asked', async () => {
    const db = createStore(`p-${++dbs}`, 'c');
    const tab = harness(() => new CheckpointStore(db));
    await tab.send({ type: 'init', backend: 'auto' });
    await tab.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await tab.send({
      type: 'train',
      settings: tinySettings(500, 30),
      sample: { prime: 'It', temperatures: [1], length: 4 },
      resume: false,
    });
    await tab.until(() => tab.of('saved').length >= 1);
    const firstAt = tab.of('progress').at(-1)!.progress.elapsedMs;
    expect(firstAt).toBeLessThan(10_000);
    await tab.send({ type: 'save' }); // the page is being hidden
    await tab.until(() => tab.of('saved').length >= 2);
    expect(tab.of('progress').at(-1)!.progress.elapsedMs).toBeLessThan(firstAt + 10_000);
    await tab.send({ type: 'stop' });
    await tab.until(() => tab.of('status').at(-1)?.status === 'stopped');
  });
});

describe('saved-run management while a model is in hand', () => {
  it('a rename survives the next save of the same run, and no orphan record is left', async () => {
    const db = createStore(`p-${++dbs}`, 'c');
    const tab = await training(() => new CheckpointStore(db), 'd.txt');
    await tab.until(() => tab.of('saved').length >= 1);
    const runId = tab.of('saved')[0].runId;
    await tab.send({ type: 'rename-run', runId, name: 'Renamed' });
    await tab.send({ type: 'stop' }); // its save comes after the rename
    await tab.until(() => tab.of('saved').length >= 2 && tab.of('status').at(-1)?.status === 'stopped');
    await tab.handler.persistence.flush();
    const runs = await new CheckpointStore(db).list();
    expect(runs.map((r) => r.name)).toEqual(['Renamed']);
    const { keys } = await import('idb-keyval');
    expect((await keys(db)).map(String).filter((k) => k.startsWith('ckpt/'))).toHaveLength(1);
  });
});

describe('imported runs and fine-tuning', () => {
  it('an import without its text samples at once, and continuing on a new text grows the vocabulary', async () => {
    const source = await training(() => new CheckpointStore(createStore(`p-${++dbs}`, 'c')));
    await source.until(() => source.of('saved').length >= 1);
    await source.send({ type: 'stop' });
    await source.until(() => source.of('status').at(-1)?.status === 'stopped');
    await source.send({ type: 'export-run', runId: source.of('saved')[0].runId });
    const zip = source.of('export')[0].bytes;

    const other = harness(() => new CheckpointStore(createStore(`p-${++dbs}`, 'c')));
    await other.send({ type: 'init', backend: 'auto' });
    await other.send({ type: 'import-run', name: 'd.inkling.zip', bytes: zip });
    const imported = other.of('runs').at(-1)!.runs[0];
    expect(imported.name).toMatch(/\(imported\)/);
    await other.send({ type: 'open-run', runId: imported.runId });
    expect(other.of('run-opened')[0].opened.corpusLoaded).toBe(false);
    await other.send({ type: 'sample', prime: 'It was', temperatures: [0.5], length: 20 });
    expect(other.of('sample-end')).toHaveLength(1);

    // Fine-tune on a text with 8 characters the model has never seen (Z u n d ! W g ?): each gets a row.
    await other.send({ type: 'load-corpus', name: 'new.txt', bytes: bytes('Zounds! Who goes there? '.repeat(40)) });
    await other.train(true);
    await other.until(() => other.of('progress').length > 0);
    expect(other.of('run-started')[0].plan.vocabSize).toBe(16 + 8);
    await other.send({ type: 'stop' });
    expect(other.of('error')).toEqual([]);
  });
});
