/// <reference lib="webworker" />
/** The training worker's entry: wire messages to the handler; nothing else lives here. */
import type { Request, WorkerEvent } from './protocol';
import { CheckpointStore } from '../storage/store';
import { selectBackend } from './backends';
import { errorEvent } from './errors';
import { WorkerHandler } from './handler';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (event: WorkerEvent) => scope.postMessage(event);
const handler = new WorkerHandler(post, selectBackend, () => new CheckpointStore());

scope.onmessage = (event: MessageEvent<Request>) => void handler.handle(event.data);
scope.addEventListener('unhandledrejection', (event) => post(errorEvent(null, event.reason)));
