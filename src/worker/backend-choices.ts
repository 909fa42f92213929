/**
 * Backend choices as one sequence: each waits for the one before it (tfjs can only start one
 * backend at a time), and a choice that a later one replaced, while it waited or while Auto was
 * still measuring, is abandoned with a `superseded` error. So the worker always ends on the last
 * choice the person made, and the trials it reports are that choice's own.
 */
import type { BackendChoice, BackendName } from '../config/backends';
import { RequestError } from './errors';
import type { AdapterSummary } from './protocol';

export interface BackendReport {
  backend: BackendName;
  adapter: AdapterSummary | null;
  tried: string[]; // e.g. ["webgpu: no adapter", "webgl: 812 ms per trial step"]
  measured: boolean; // Auto timed the backends this time (rather than reusing a remembered pick)
  threads: number | null; // WASM: XNNPACK's threads (more than 1 where the page is cross-origin isolated)
}

/** Picks a backend; `cancelled()` turns true when a later choice replaces this one (stop early). */
export type BackendSelector = (
  choice: BackendChoice,
  remembered: BackendName | null,
  cancelled: () => boolean,
) => Promise<BackendReport>;

export class BackendChoices {
  #turn: Promise<unknown> = Promise.resolve();
  #latest = 0; // the number of the last choice asked for

  constructor(private readonly select: BackendSelector) {}

  /**
   * Runs a choice once those before it are done; `adopt` runs within its turn (before any later
   * choice starts). Throws RequestError('superseded') when a later choice replaced it.
   */
  choose(
    choice: BackendChoice,
    remembered: BackendName | null,
    adopt: (r: BackendReport) => Promise<void>,
  ): Promise<void> {
    const turn = ++this.#latest;
    const replaced = () => turn !== this.#latest;
    const mine = this.#turn.then(async () => {
      if (replaced()) throw superseded();
      const report = await this.select(choice, remembered, replaced);
      if (replaced()) throw superseded();
      await adopt(report);
    });
    this.#turn = mine.catch(() => undefined);
    return mine;
  }
}

const superseded = () => new RequestError('superseded', 'A later backend choice replaced this one.');
