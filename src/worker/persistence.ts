/**
 * The worker's side of saving: autosaves without stalling training (the readback is awaited, the
 * IndexedDB write runs in the background, one at a time), and saved-run management. When
 * IndexedDB is unavailable, saving is off and the page is told so; training still works.
 */
import { CheckpointError } from '../storage/checkpoint';
import type { WorkerEvent } from './protocol';
import { RunState } from '../run/run-state';
import type { CheckpointStore } from '../storage/store';
import { exportZip, importZip } from '../storage/transfer';

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
      this.post({ type: 'runs', id: null, runs });
    } catch (error) {
      this.#store = null;
      const reason =
        `Saving is off: this browser does not allow storage here (${describe(error)}). ` +
        'Training still works; export your model to keep it.';
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
      .catch((error) => this.post({ type: 'save-failed', message: saveFailure(error) }))
      .finally(() => (this.#writing = null));
    if (reason === 'stop' || reason === 'finish') await this.flush();
  }

  /** Keeps the run's text beside its checkpoints (deduplicated by hash); best effort. */
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
    this.post({ type: 'runs', id, runs: await this.#requireStore().list() });
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

  /** Validates the whole file first; only a valid one is stored. */
  async import(id: number, name: string, bytes: ArrayBuffer): Promise<void> {
    const checkpoint = importZip(new Uint8Array(bytes), name);
    await this.#requireStore().save(checkpoint, null);
    await this.list(id);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function saveFailure(error: unknown): string {
  const quota = error instanceof DOMException && error.name === 'QuotaExceededError';
  return quota
    ? 'Storage is full, so this checkpoint was not saved. Training goes on and your previous checkpoint is kept; delete old runs to free space.'
    : `This checkpoint could not be saved (${describe(error)}). Training goes on and your previous checkpoint is kept.`;
}
