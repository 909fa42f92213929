/** Saved runs as the page sees them: the list, storage use, the last autosave, and downloads. */
import type { RunSummary } from '../storage/store';
import type { OpenedRun, WorkerEvent } from '../worker/protocol';
import type { Ask } from './worker-client';

export type RunsEvent = Extract<WorkerEvent, { type: 'storage' | 'runs' | 'saved' | 'save-failed' | 'export' }>;

export interface StorageUse {
  usage: number;
  quota: number;
  persisted: boolean;
}

export class SavedRuns {
  #list = $state.raw<RunSummary[]>([]);
  #available = $state<boolean | null>(null); // null until the worker has opened IndexedDB
  #unavailableReason = $state<string | null>(null);
  #lastSaved = $state.raw<Extract<WorkerEvent, { type: 'saved' }> | null>(null);
  #saveError = $state<string | null>(null);
  #use = $state.raw<StorageUse | null>(null);
  #resumeOffer = $state.raw<RunSummary | null>(null); // the most recent run, offered once on load
  #persistAsked = false;

  constructor(
    private readonly ask: Ask,
    private readonly whileLoading: <T>(work: Promise<T>) => Promise<T>, // shows "Reading…" meanwhile
    private readonly say: (text: string) => void, // the page's live region: each save, once
  ) {}

  get list() {
    return this.#list;
  }
  get available() {
    return this.#available;
  }
  get unavailableReason() {
    return this.#unavailableReason;
  }
  get lastSaved() {
    return this.#lastSaved;
  }
  get saveError() {
    return this.#saveError;
  }
  get use() {
    return this.#use;
  }
  get resumeOffer() {
    return this.#resumeOffer;
  }

  dismissOffer(): void {
    this.#resumeOffer = null;
  }
  refresh(): void {
    void this.ask({ type: 'list-runs' });
  }
  open(runId: string): void {
    this.#resumeOffer = null;
    void this.ask({ type: 'open-run', runId });
  }
  rename(runId: string, name: string): void {
    void this.ask({ type: 'rename-run', runId, name });
  }
  remove(runId: string): void {
    void this.ask({ type: 'delete-run', runId });
  }
  export(runId: string): void {
    void this.ask({ type: 'export-run', runId });
  }

  async import(file: File): Promise<void> {
    await this.whileLoading(
      file.arrayBuffer().then((bytes) => this.ask({ type: 'import-run', name: file.name, bytes }, [bytes])),
    );
  }

  /** Takes the events that concern saved runs. */
  onEvent(e: RunsEvent, opened: OpenedRun | null): void {
    switch (e.type) {
      case 'storage':
        this.#available = e.available;
        this.#unavailableReason = e.reason;
        break;
      case 'runs':
        this.#list = e.runs;
        if (e.startup) this.#resumeOffer = e.runs.find((r) => !r.damaged) ?? null; // the first listing, on load
        if (this.#resumeOffer && opened?.runId === this.#resumeOffer.runId) this.#resumeOffer = null;
        void this.#estimate();
        break;
      case 'saved':
        this.#lastSaved = e;
        this.#saveError = null;
        this.say(`Saved at step ${e.step.toLocaleString('en-US')}.`);
        void this.#persist();
        this.refresh();
        break;
      case 'save-failed':
        this.#saveError = e.message;
        break;
      case 'export':
        download(e.fileName, e.bytes);
        break;
      default:
        e satisfies never;
    }
  }

  /** Asks once, on the first save, that the browser keep our storage under pressure. */
  async #persist(): Promise<void> {
    if (this.#persistAsked || !navigator.storage?.persist) return;
    this.#persistAsked = true;
    await navigator.storage.persist().catch(() => false);
    await this.#estimate();
  }

  async #estimate(): Promise<void> {
    if (!navigator.storage?.estimate) return;
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    const persisted = (await navigator.storage.persisted?.().catch(() => false)) ?? false;
    this.#use = { usage, quota, persisted };
  }
}

/** Hands bytes the worker made to the browser as a download (no re-serialising). */
function download(fileName: string, bytes: ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
