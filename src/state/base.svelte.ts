/**
 * One pretrained base (config/bases.ts) as the page sees it: not chosen, downloading (with progress), ready (with
 * its figures), or failed (with the reason; training from scratch still works).
 */
import type { BaseSummary } from '../worker/base-loader';

export type BaseStatus = 'none' | 'loading' | 'ready' | 'failed';

export class BaseView {
  #status = $state<BaseStatus>('none');
  #loaded = $state(0);
  #total = $state(0);
  #summary = $state.raw<BaseSummary | null>(null);

  get status() {
    return this.#status;
  }
  get summary() {
    return this.#summary;
  }
  /** Download progress, 0-1 (0 when the size is not known yet). */
  get fraction() {
    return this.#total > 0 ? Math.min(1, this.#loaded / this.#total) : 0;
  }
  get loaded() {
    return this.#loaded;
  }
  /** Bytes of the weights to download (0 until base.json has said). */
  get total() {
    return this.#total;
  }

  loading(): void {
    if (this.#status === 'ready') return;
    this.#status = 'loading';
    this.#loaded = 0;
    this.#total = 0;
  }

  onProgress(loaded: number, total: number): void {
    this.#loaded = loaded;
    this.#total = total;
  }

  /** The reply to load-base, or null when it failed. */
  settle(summary: BaseSummary | null): void {
    this.#summary = summary ?? this.#summary;
    this.#status = summary ? 'ready' : 'failed';
  }
}
