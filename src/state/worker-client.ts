/**
 * The one way to talk to the training worker: typed requests, each answered by a promise that
 * settles on the event carrying its id back (its reply, or an `error`). Used by the page, the
 * bench and the unit tests' harness alike. Every event, answers included, is also handed to
 * `onEvent`, except errors that answer a request: those reject its promise instead.
 */
import {
  REPLIES,
  type ErrorCode,
  type ReplyTo,
  type Request,
  type RequestBody,
  type RequestType,
  type WorkerEvent,
} from '../worker/protocol';

/** What the client needs of a Worker (or of an in-process stand-in). */
export interface WorkerPort {
  postMessage(message: Request, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerEvent>) => void) | null;
}

/** Sends a request; the page's version shows a failure as a notice and resolves to null. */
export type Ask = <B extends RequestBody>(body: B, transfer?: Transferable[]) => Promise<ReplyTo<B['type']> | null>;

/** A request the worker refused or failed: its code and its message, in words for the page. */
export class WorkerRequestError extends Error {
  override name = 'WorkerRequestError';
  constructor(
    readonly code: ErrorCode | 'crashed',
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  reply: WorkerEvent['type'];
  resolve: (e: WorkerEvent) => void;
  reject: (error: WorkerRequestError) => void;
}

export class WorkerClient {
  #nextId = 0;
  #pending = new Map<number, Pending>();

  constructor(
    private readonly port: WorkerPort,
    private readonly onEvent: (e: WorkerEvent) => void = () => {},
  ) {
    port.onmessage = (message) => this.#receive(message.data);
  }

  /** Requests not yet answered. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends a request; resolves with its reply, rejects with a WorkerRequestError. */
  request<B extends RequestBody>(body: B, transfer: Transferable[] = []): Promise<ReplyTo<B['type']>> {
    const id = ++this.#nextId;
    return new Promise<ReplyTo<B['type']>>((resolve, reject) => {
      const reply = REPLIES[body.type as RequestType];
      this.#pending.set(id, { reply, resolve: resolve as (e: WorkerEvent) => void, reject });
      try {
        this.port.postMessage({ ...body, id } as Request, transfer);
      } catch (error) {
        this.#pending.delete(id);
        reject(new WorkerRequestError('internal', `The request could not be sent (${String(error)}).`));
      }
    });
  }

  /** The worker is gone: every request still waiting fails with `reason`. */
  failAll(reason: string): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of waiting) p.reject(new WorkerRequestError('crashed', reason));
  }

  #receive(e: WorkerEvent): void {
    const id = 'id' in e ? e.id : null;
    const pending = id === null ? undefined : this.#pending.get(id);
    if (pending && e.type === 'error') {
      this.#pending.delete(id!);
      pending.reject(new WorkerRequestError(e.code, e.message));
      return;
    }
    if (pending && e.type === pending.reply) {
      this.#pending.delete(id!);
      pending.resolve(e);
    }
    this.onEvent(e);
  }
}
