/**
 * Checkpoints in IndexedDB (idb-keyval), written atomically: a save puts the whole record under a
 * new key, reads it back to confirm the transaction committed and the bytes are intact, and only
 * then flips the run's pointer to it, finally deleting the record it replaced. A crash at any
 * moment leaves the old pointer and its record readable. Two tabs saving the same run: each
 * record is complete, each flip is one put, so the last writer wins and nothing is half-written.
 */
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  type Checkpoint,
  type CheckpointMeta,
} from './checkpoint';
import { timeOrderedId } from './ids';

export interface RunSummary {
  runId: string;
  name: string;
  corpusName: string;
  corpusHash: string;
  bytes: number; // stored size of the current record
  step: number;
  bestValBpc: number | null;
  createdAt: number;
  updatedAt: number;
  damaged: string | null; // why it cannot be opened, or null
}

interface RunPointer {
  runId: string;
  key: string; // the record currently in force
  summary: RunSummary;
}

const ORPHAN_AGE_MS = 10 * 60 * 1000; // unreferenced records older than this are leftovers of a crash

export function summarise(meta: CheckpointMeta, bytes: number): RunSummary {
  const { runId, name, corpus, step, bestValBpc, createdAt, updatedAt } = meta;
  return {
    runId,
    name,
    corpusName: corpus.name,
    corpusHash: corpus.hash,
    bytes,
    step,
    bestValBpc,
    createdAt,
    updatedAt,
    damaged: null,
  };
}

export class CheckpointStore {
  constructor(private readonly db: UseStore = createStore('inkling', 'checkpoints')) {}

  /** Saves atomically (see above); `replaces` is the key this writer saved last, if any. */
  async save(checkpoint: Checkpoint, replaces: string | null): Promise<{ key: string; bytes: number }> {
    const record = encodeCheckpoint(checkpoint);
    const { runId } = checkpoint.meta;
    const key = `ckpt/${runId}/${timeOrderedId()}`; // the time part lets a crash's leftovers be aged out
    await set(key, record, this.db);
    const back = await get(key, this.db);
    if (!back || back.crc !== record.crc || back.data?.byteLength !== record.data.byteLength) {
      throw new CheckpointError('the saved record did not read back intact');
    }
    const bytes = record.data.byteLength + record.json.length;
    const pointer: RunPointer = { runId, key, summary: summarise(checkpoint.meta, bytes) };
    await set(`run/${runId}`, pointer, this.db);
    if (replaces && replaces !== key) await del(replaces, this.db);
    return { key, bytes };
  }

  /** Every run, newest first; a run whose record fails its checksum or schema is marked damaged. */
  async list(): Promise<RunSummary[]> {
    const all = (await keys(this.db)).map(String);
    const runs = await Promise.all(all.filter((k) => k.startsWith('run/')).map((k) => this.#inspect(k.slice(4))));
    await this.#dropOrphans(all, new Set(runs.map((r) => r.key)));
    return runs.map((r) => r.summary).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async #inspect(runId: string): Promise<{ summary: RunSummary; key: string }> {
    const pointer = (await get(`run/${runId}`, this.db)) as RunPointer | undefined;
    try {
      if (!pointer?.key || !pointer.summary) throw new CheckpointError('the run pointer is damaged');
      const record = await get(pointer.key, this.db);
      if (!record) throw new CheckpointError('its checkpoint record is missing');
      return { summary: summarise(decodeCheckpoint(record).meta, pointer.summary.bytes), key: pointer.key };
    } catch (error) {
      const damaged = error instanceof Error ? error.message : String(error);
      const known: Partial<RunSummary> = pointer?.summary ?? {};
      const summary: RunSummary = {
        runId,
        name: known.name ?? runId,
        corpusName: known.corpusName ?? '?',
        corpusHash: known.corpusHash ?? '',
        bytes: known.bytes ?? 0,
        step: known.step ?? 0,
        bestValBpc: known.bestValBpc ?? null,
        createdAt: known.createdAt ?? 0,
        updatedAt: known.updatedAt ?? 0,
        damaged,
      };
      return { summary, key: pointer?.key ?? '' };
    }
  }

  async #dropOrphans(all: string[], live: Set<string>): Promise<void> {
    const now = Date.now();
    for (const key of all) {
      if (!key.startsWith('ckpt/') || live.has(key)) continue;
      const written = Number.parseInt(key.split('/')[2] ?? '', 36);
      if (now - written > ORPHAN_AGE_MS) await del(key, this.db);
    }
  }

  async load(runId: string): Promise<{ checkpoint: Checkpoint; key: string }> {
    const pointer = (await get(`run/${runId}`, this.db)) as RunPointer | undefined;
    if (!pointer?.key) throw new CheckpointError('no such saved run');
    const record = await get(pointer.key, this.db);
    if (!record) throw new CheckpointError('its checkpoint record is missing');
    return { checkpoint: decodeCheckpoint(record), key: pointer.key };
  }

  /** Renames by writing a new record (the name is inside the checksummed header); returns its key. */
  async rename(runId: string, name: string): Promise<string> {
    const { checkpoint, key } = await this.load(runId);
    checkpoint.meta.name = name;
    return (await this.save(checkpoint, key)).key;
  }

  /** Deletes the run's pointer and every record of it, damaged or not, and its text if unshared. */
  async delete(runId: string): Promise<void> {
    const hash = (await this.list()).find((r) => r.runId === runId)?.corpusHash;
    await del(`run/${runId}`, this.db);
    for (const key of (await keys(this.db)).map(String)) {
      if (key.startsWith(`ckpt/${runId}/`)) await del(key, this.db);
    }
    if (hash && !(await this.list()).some((r) => r.corpusHash === hash)) await del(`corpus/${hash}`, this.db);
  }

  /**
   * Keeps a run's text (once per distinct text) so a reload can resume without asking for the
   * file again. It stays in this browser's storage like the weights.
   */
  /** Bytes kept under a name of their own (the latest classifier). */
  async putBytes(name: string, bytes: Uint8Array): Promise<void> {
    await set(`bytes/${name}`, bytes, this.db);
  }

  async getBytes(name: string): Promise<Uint8Array | null> {
    const found = await get(`bytes/${name}`, this.db);
    return found instanceof Uint8Array ? found : null;
  }

  async deleteBytes(name: string): Promise<void> {
    await del(`bytes/${name}`, this.db);
  }

  async putCorpus(hash: string, name: string, text: string): Promise<void> {
    if ((await get(`corpus/${hash}`, this.db)) === undefined) await set(`corpus/${hash}`, { name, text }, this.db);
  }

  async getCorpus(hash: string): Promise<{ name: string; text: string } | null> {
    const found = await get(`corpus/${hash}`, this.db);
    return typeof found?.text === 'string' && typeof found?.name === 'string' ? found : null;
  }
}
