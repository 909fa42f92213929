/** Try it: a text's class probabilities and reasons, as you type. The newest text wins: one request in flight. */
import type { ReplyTo } from '../worker/protocol';
import type { Ask } from './worker-client';

export type Explained = Omit<ReplyTo<'classify-text'>, 'type' | 'id'>;

export class TryIt {
  #explained = $state.raw<Explained | null>(null);
  #busy = false;
  #next: string | null = null; // typed while a request was in flight: sent when it returns

  constructor(private readonly ask: Ask) {}

  /** The latest answer: probabilities per label and a shade per character. */
  get explained() {
    return this.#explained;
  }

  /** Forgets the answer (another classifier is now in hand). */
  clear(): void {
    this.#explained = null;
  }

  async text(text: string): Promise<void> {
    if (this.#busy) {
      this.#next = text;
      return;
    }
    this.#busy = true;
    try {
      const reply = text.trim() ? await this.ask({ type: 'classify-text', text }) : null;
      this.#explained = reply && { ...reply };
    } finally {
      this.#busy = false;
    }
    const next = this.#next;
    this.#next = null;
    if (next !== null) await this.text(next);
  }
}
