import 'fake-indexeddb/auto';
import { createStore, get, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/storage/store';
import { fakeCheckpoint } from '../support/fixtures';

let n = 0;
const freshStore = () => {
  const db = createStore(`test-${++n}`, 'checkpoints');
  return { store: new CheckpointStore(db), db };
};

describe('CheckpointStore (against fake-indexeddb)', () => {
  it('saves, lists, loads, renames and deletes runs', async () => {
    const { store } = freshStore();
    const a = await store.save(fakeCheckpoint('a', 5), null);
    await store.save(fakeCheckpoint('b', 7), null);
    expect((await store.list()).map((r) => [r.runId, r.step, r.damaged])).toEqual([
      ['b', 7, null],
      ['a', 5, null],
    ]);
    const second = await store.save(fakeCheckpoint('a', 9), a.key);
    const loaded = await store.load('a');
    expect(loaded.key).toBe(second.key);
    expect(loaded.checkpoint.meta.step).toBe(9);
    expect(loaded.checkpoint.weights).toEqual(fakeCheckpoint('a', 9).weights);
    await store.rename('a', 'My run');
    expect((await store.list()).find((r) => r.runId === 'a')?.name).toBe('My run');
    await store.delete('a');
    expect((await store.list()).map((r) => r.runId)).toEqual(['b']);
  });

  it('keeps one record per run: the replaced record is deleted after the pointer flips', async () => {
    const { store, db } = freshStore();
    let last: string | null = null;
    for (let step = 1; step <= 4; step++) last = (await store.save(fakeCheckpoint('a', step), last)).key;
    expect((await keys(db)).map(String).filter((k) => k.startsWith('ckpt/'))).toEqual([last]);
  });

  it('a crash between writing a record and flipping the pointer leaves the old checkpoint in force', async () => {
    const { store, db } = freshStore();
    await store.save(fakeCheckpoint('a', 3), null);
    // The new record lands, the pointer never flips (the tab died in between).
    await set('ckpt/a/zzzzzz-crash', { json: '{"half":', data: new ArrayBuffer(8), crc: 1 }, db);
    expect((await store.load('a')).checkpoint.meta.step).toBe(3);
    expect((await store.list())[0]).toMatchObject({ runId: 'a', step: 3, damaged: null });
  });

  it('lists a checkpoint that fails its checksum as damaged, never throws, and can delete it', async () => {
    const { store, db } = freshStore();
    const { key } = await store.save(fakeCheckpoint('a', 3), null);
    const record = await get(key, db);
    new Uint8Array(record.data)[0] ^= 0xff;
    await set(key, record, db);
    await set('run/ghost', { nonsense: true }, db);
    const runs = await store.list();
    expect(runs.find((r) => r.runId === 'a')?.damaged).toMatch(/checksum/);
    expect(runs.find((r) => r.runId === 'ghost')?.damaged).toMatch(/pointer is damaged/);
    await expect(store.load('a')).rejects.toThrow(/checksum/);
    await store.delete('a');
    await store.delete('ghost');
    expect(await store.list()).toEqual([]);
    expect(await keys(db)).toEqual([]);
  });

  it('two writers on the same run (two tabs): last writer wins, the record in force is intact', async () => {
    const { store } = freshStore();
    const tab1 = store.save(fakeCheckpoint('a', 100), null);
    const tab2 = store.save(fakeCheckpoint('a', 200), null);
    await Promise.all([tab1, tab2]);
    const { checkpoint } = await store.load('a');
    expect([100, 200]).toContain(checkpoint.meta.step);
    expect(checkpoint.weights).toEqual(fakeCheckpoint('a', checkpoint.meta.step).weights);
    expect((await store.list())[0].damaged).toBeNull();
  });
});

describe('renaming', () => {
  it('returns the key of the renamed record, which replaces the old one', async () => {
    const { store, db } = freshStore();
    const { key } = await store.save(fakeCheckpoint('a', 3), null);
    const renamed = await store.rename('a', 'New');
    expect(renamed).not.toBe(key);
    expect((await keys(db)).map(String).filter((k) => k.startsWith('ckpt/'))).toEqual([renamed]);
  });
});
