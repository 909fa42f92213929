/** Try it: a text's class probabilities and reasons, as you type. The newest text wins: one request in flight. */
import type { ReplyTo } from '../worker/protocol';
import type { Ask } from './worker-client';

export type Explained = Omit<ReplyTo<'classify-text'>, 'type' | 'id'>;

export class TryIt {
  #explained = $state.raw<Explained | null>(null);
  #waiting = $state(false); // an answer for the newest text is on its way
  #busy = false;
  #next: string | null = null; // typed while a request was in flight: sent when it returns

  constructor(private readonly ask: Ask) {}

  /** The latest answer: probabilities per label, a shade per character, and the wait for it (ms). */
  get explained() {
    return this.#explained;
  }

  /** Whether the answer shown is not yet for the newest text (the worker may be busy training). */
  get waiting() {
    return this.#waiting;
  }

  /** Forgets the answer (another classifier is now in hand). */
  clear(): void {
    this.#explained = null;
  }

  async text(text: string): Promise<void> {
    this.#waiting = true;
    if (this.#busy) {
      this.#next = text;
      return;
    }
    this.#busy = true;
    try {
      const sent = performance.now();
      const reply = text.trim() ? await this.ask({ type: 'classify-text', text }) : null;
      this.#explained = reply && { ...reply, ms: performance.now() - sent }; // the wait as the page saw it
    } catch (error) {
      [this.#next, this.#waiting] = [null, false];
      throw error;
    } finally {
      this.#busy = false;
    }
    const next = this.#next;
    this.#next = null;
    if (next !== null) await this.text(next);
    else this.#waiting = false;
  }
}
