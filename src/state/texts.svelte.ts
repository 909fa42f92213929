/**
 * The text the page trains on: read from a file, pasted, fetched (a built-in text), sent to the
 * worker to check, and shown. Keeps the last bytes so a restarted worker gets them again.
 */
import { quoted } from '../config/words';
import type { Settings } from '../config/settings';
import { CorpusError, checkSize } from '../data/corpus';
import type { CorpusStats } from '../worker/protocol';
import { BUILT_IN_CORPORA, DEFAULT_CORPUS, corpusUrl, defaultPrime } from './corpora';
import type { Ask } from './worker-client';

export type Notice = { kind: 'error' | 'info'; text: string };

/** What the text intake needs from the session. */
export interface TextsHost {
  ask: Ask;
  whileLoading: <T>(work: Promise<T>) => Promise<T>;
  settings: () => Settings;
  prime: { get: () => string; set: (prime: string) => void }; // follows the text unless the person changed it
  notice: { get: () => Notice | null; set: (notice: Notice | null) => void };
  suggest?: (stats: CorpusStats) => void; // a new text is in: propose settings that fit its size
}

export class Texts {
  builtIn = $state<string | null>(null); // the built-in text loaded, by id; null for a person's own
  #stats = $state.raw<CorpusStats | null>(null);
  #last: { name: string; bytes: ArrayBuffer } | null = null; // re-sent after a restart
  #next: (() => Promise<void>) | null = null; // run once the next text is in (a link's "start from the base")

  constructor(private readonly host: TextsHost) {}

  get stats() {
    return this.#stats;
  }

  /** Reads a file without blocking the page and hands the bytes to the worker to validate. */
  async loadFile(file: File): Promise<void> {
    try {
      checkSize(file.size, file.name);
    } catch (error) {
      return this.host.notice.set({ kind: 'error', text: (error as CorpusError).message });
    }
    let bytes: ArrayBuffer;
    try {
      bytes = await this.host.whileLoading(file.arrayBuffer());
    } catch {
      const text = `${quoted(file.name)} could not be read. Is it a folder? Drop a single text file.`;
      return this.host.notice.set({ kind: 'error', text });
    }
    this.builtIn = null;
    await this.#send(file.name, bytes);
  }

  loadText(name: string, text: string): Promise<void> {
    this.builtIn = null;
    return this.#send(name, new TextEncoder().encode(text).buffer as ArrayBuffer);
  }

  /** Loads a built-in text by id (the default when the id is unknown). */
  async loadBuiltIn(id: string): Promise<void> {
    const corpus = BUILT_IN_CORPORA.find((c) => c.id === id) ?? DEFAULT_CORPUS;
    await this.loadUrl(corpus.title, corpusUrl(corpus));
    if (this.#stats?.name === corpus.title) this.builtIn = corpus.id;
  }

  async loadUrl(name: string, url: string): Promise<void> {
    let bytes: ArrayBuffer;
    try {
      bytes = await this.host.whileLoading(
        fetch(url).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`)))),
      );
    } catch (error) {
      const text = `The text ${quoted(name)} could not be loaded (${String(error)}).`;
      return this.host.notice.set({ kind: 'error', text });
    }
    await this.#send(name, bytes);
  }

  /** After a worker restart: the last text again. */
  resend(): void {
    if (this.#last) void this.#send(this.#last.name, this.#last.bytes);
  }

  /** Runs `work` once the next text has loaded. */
  afterNext(work: () => Promise<void>): void {
    this.#next = work;
  }

  async #send(name: string, bytes: ArrayBuffer): Promise<void> {
    this.#last = { name, bytes };
    const copy = bytes.slice(0); // the copy is transferred; ours stays for a restart
    const { seqLen, valFraction } = this.host.settings().train;
    const reply = await this.host.whileLoading(
      this.host.ask({ type: 'load-corpus', name, bytes: copy, seqLen, valFraction }, [copy]),
    );
    if (reply) this.show(reply.stats);
    if (reply) this.host.suggest?.(reply.stats);
    const next = this.#next;
    this.#next = null;
    await next?.();
  }

  /** Shows a text the worker holds (loaded, or restored with an opened run). */
  show(stats: CorpusStats): void {
    const { prime, notice } = this.host;
    if (!this.#stats || prime.get() === defaultPrime(this.#stats.preview)) prime.set(defaultPrime(stats.preview));
    this.#stats = stats;
    if (stats.mappedToUnknown > 0) notice.set({ kind: 'info', text: unknownNotice(stats) });
    else if (notice.get()?.kind === 'error') notice.set(null); // a good text resolves the last error
  }
}

function unknownNotice(stats: CorpusStats): string {
  return (
    `This text has ${stats.distinct.toLocaleString()} distinct characters. The most frequent keep their own symbol; ` +
    `${stats.mappedToUnknown.toLocaleString()} rare ones share one "unknown" symbol (�).`
  );
}
