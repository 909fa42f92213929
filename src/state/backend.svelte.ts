/** The backend the worker trains on, as the page shows it: the choice, the result, the trials. */
import type { BackendChoice, BackendName } from '../config/backends';
import type { AdapterSummary, RequestBody, WorkerEvent } from '../worker/protocol';
import { rememberBackend, rememberedBackend } from './backend-memory';

export class BackendView {
  choice = $state<BackendChoice>('auto'); // what the person picked in the header
  #name = $state<BackendName | null>(null); // null while the worker is choosing
  #adapter = $state<AdapterSummary | null>(null);
  #tried = $state.raw<string[]>([]);
  #threads = $state<number | null>(null); // WASM's threads
  #check = $state.raw<Extract<WorkerEvent, { type: 'engine-check' }> | null>(null); // the last engine check

  get name() {
    return this.#name;
  }
  get adapter() {
    return this.#adapter;
  }
  get tried() {
    return this.#tried;
  }
  get threads() {
    return this.#threads;
  }
  get check() {
    return this.#check;
  }
  /** Training runs on the processor: WASM or plain CPU, or a GPU backend on a software adapter. */
  get onProcessor(): boolean {
    const name = this.#name;
    return name === 'wasm' || name === 'cpu' || (name !== null && !!this.#adapter?.isFallbackAdapter);
  }

  onCheck(e: Extract<WorkerEvent, { type: 'engine-check' }> | null): void {
    this.#check = e;
  }

  /** The request that starts the worker on the current choice (Auto reuses its remembered pick). */
  first(): RequestBody<'init'> {
    this.#name = null;
    return { type: 'init', backend: this.choice, remembered: rememberedBackend() };
  }

  /** The request for a new choice; choosing Auto again measures afresh. */
  choose(choice: BackendChoice): RequestBody<'init'> {
    this.choice = choice;
    this.#name = null;
    return { type: 'init', backend: choice, remembered: null };
  }

  onReady(e: Extract<WorkerEvent, { type: 'ready' }>): void {
    if (e.measured) rememberBackend(e.backend);
    this.#name = e.backend;
    this.#adapter = e.adapter;
    this.#tried = e.tried;
    this.#threads = e.threads;
    this.#check = null;
  }
}
