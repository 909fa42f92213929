/**
 * The worker's side of saving: autosaves without stalling training (the readback is awaited, the
 * IndexedDB write runs in the background, one at a time), and saved-run management. When
 * IndexedDB is unavailable, saving is off and the page is told so; training still works.
 */
import { CheckpointError, type Checkpoint } from '../storage/checkpoint';
import type { WorkerEvent } from './protocol';
import { RunState } from '../run/run-state';
import type { CheckpointStore } from '../storage/store';
import { exportZip } from '../storage/export-zip';
import { importZip } from '../storage/import-zip';

export class Persistence {
  #store: CheckpointStore | null = null;
  #lastKey = new Map<string, string>(); // run id -> the record this tab wrote last
  #writing: Promise<void> | null = null;

  constructor(
    private readonly post: (e: WorkerEvent) => void,
    private readonly makeStore: () => CheckpointStore,
  ) {}

  get available(): boolean {
    return this.#store !== null;
  }

  /** Opens IndexedDB once; reports whether saving works, and lists saved runs. */
  async init(): Promise<void> {
    try {
      const store = this.makeStore();
      const runs = await store.list();
      this.#store = store;
      this.post({ type: 'storage', available: true, reason: null });
      this.post({ type: 'runs', id: null, runs, startup: true });
    } catch (error) {
      this.#store = null;
      const reason =
        `Saving is off: this browser does not allow storage here (${describe(error)}). ` +
        'Training still works: use Export model to keep a model, and Import to bring one back.';
      this.post({ type: 'storage', available: false, reason });
    }
  }

  #requireStore(): CheckpointStore {
    if (!this.#store) throw new CheckpointError('saving is unavailable in this browser session');
    return this.#store;
  }

  /**
   * Snapshot now (awaited: that is the stall), write in the background. An interval save is
   * skipped while a write is in flight; a pause/stop save waits for it, then saves. A stop or
   * finish save also waits for its own write, so the run is reported stopped only once saved.
   */
  async save(state: RunState, backend: string, reason: 'interval' | 'pause' | 'stop' | 'finish'): Promise<void> {
    if (reason !== 'interval') await this.flush();
    const store = this.#store;
    if (!store || this.#writing) return;
    const started = performance.now();
    const checkpoint = await state.toCheckpoint(backend);
    const stallMs = performance.now() - started;
    const { runId, step } = checkpoint.meta;
    this.#writing = store
      .save(checkpoint, this.#lastKey.get(runId) ?? null)
      .then(({ key, bytes }) => {
        this.#lastKey.set(runId, key);
        this.post({
          type: 'saved',
          runId,
          step,
          bytes,
          stallMs,
          writeMs: performance.now() - started - stallMs,
          at: Date.now(),
        });
      })
      .catch((error) => {
        const kept = this.#lastKey.has(runId)
          ? 'Its previous checkpoint is kept. '
          : 'This run has no saved checkpoint yet. ';
        this.post({ type: 'save-failed', message: saveFailure(error, kept, reason) });
      })
      .finally(() => (this.#writing = null));
    if (reason === 'stop' || reason === 'finish') await this.flush();
  }

  /** Keeps the run's text beside its checkpoints (deduplicated by hash); best effort. */
  /** The latest classifier's export bytes, kept so a reload opens it again; quietly skipped without storage. */
  readonly classifierStore = {
    save: async (bytes: Uint8Array) => void (await this.#store?.putBytes('classifier', bytes)),
    load: async () => (this.#store ? this.#store.getBytes('classifier') : null),
    drop: async () => void (await this.#store?.deleteBytes('classifier')),
  };

  async storeCorpus(corpus: { hash: string; name: string; text: string }): Promise<void> {
    await this.#store?.putCorpus(corpus.hash, corpus.name, corpus.text).catch(() => undefined);
  }

  async loadCorpus(hash: string): Promise<{ name: string; text: string } | null> {
    return (await this.#store?.getCorpus(hash).catch(() => null)) ?? null;
  }

  /** Waits for the write in flight, if any. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  async list(id: number | null): Promise<void> {
    this.post({ type: 'runs', id, runs: await this.#requireStore().list(), startup: false });
  }

  async open(runId: string): Promise<RunState> {
    await this.flush();
    const { checkpoint, key } = await this.#requireStore().load(runId);
    this.#lastKey.set(runId, key);
    return RunState.fromCheckpoint(checkpoint);
  }

  /** Renames the stored run, and the run in hand too, so its next save keeps the new name. */
  async rename(id: number, runId: string, name: string, open: RunState | null): Promise<void> {
    await this.flush();
    const clean = name.trim().slice(0, 120) || 'Untitled run';
    if (open?.runId === runId) open.name = clean;
    this.#lastKey.set(runId, await this.#requireStore().rename(runId, clean));
    await this.list(id);
  }

  async delete(id: number, runId: string): Promise<void> {
    await this.flush();
    await this.#requireStore().delete(runId);
    this.#lastKey.delete(runId);
    await this.list(id);
  }

  /** Exports the open run from memory (latest weights) or a saved one from storage. */
  async export(id: number, runId: string, open: RunState | null, backend: string): Promise<void> {
    const checkpoint =
      open?.runId === runId ? await open.toCheckpoint(backend) : (await this.#requireStore().load(runId)).checkpoint;
    const zip = await exportZip(checkpoint);
    const bytes = zip.buffer.slice(zip.byteOffset, zip.byteOffset + zip.byteLength) as ArrayBuffer;
    const fileName = `${checkpoint.meta.name.replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '') || 'inkling'}.inkling.zip`;
    this.post({ type: 'export', id, fileName, bytes });
  }

  /**
   * Validates the whole file first; a valid one is stored when storage works (the list follows
   * as news) and returned to be opened, stored or not.
   */
  async importRun(name: string, bytes: ArrayBuffer): Promise<Checkpoint> {
    const checkpoint = importZip(new Uint8Array(bytes), name);
    if (!this.#store) return checkpoint;
    const { key } = await this.#store.save(checkpoint, null);
    this.#lastKey.set(checkpoint.meta.runId, key);
    this.post({ type: 'runs', id: null, runs: await this.#store.list(), startup: false });
    return checkpoint;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function saveFailure(error: unknown, kept: string, reason: string): string {
  const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
  const goesOn = reason === 'interval' ? 'Training goes on. ' : '';
  const what = quota
    ? 'Storage is full, so this checkpoint was not saved'
    : `This checkpoint could not be saved (${describe(error)})`;
  const advice = quota
    ? 'Delete old runs to free space, or use Export model to keep this one.'
    : 'Use Export model to keep it.';
  return `${what}. ${goesOn}${kept}${advice}`;
}
