/** What the page concludes from the backend the worker chose: whether training runs on the processor. */
import { describe, expect, it } from 'vitest';
import { BackendView } from '../../../src/state/backend.svelte';
import type { AdapterSummary } from '../../../src/worker/protocol';

const adapter = (isFallbackAdapter: boolean): AdapterSummary => ({
  vendor: 'v',
  architecture: 'a',
  description: 'd',
  isFallbackAdapter,
});

function ready(backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu', a: AdapterSummary | null) {
  const view = new BackendView();
  view.onReady({ type: 'ready', id: 1, backend, adapter: a, tried: [], measured: false, threads: 1 });
  return view;
}

describe('the backend, as the page reads it', () => {
  it('says training runs on the processor for WASM, CPU and a GPU backend on a software adapter only', () => {
    expect(new BackendView().onProcessor).toBe(false); // still choosing: nothing said yet
    expect(ready('wasm', adapter(false)).onProcessor).toBe(true);
    expect(ready('cpu', null).onProcessor).toBe(true);
    expect(ready('webgpu', adapter(true)).onProcessor).toBe(true);
    expect(ready('webgl', adapter(true)).onProcessor).toBe(true);
    expect(ready('webgpu', adapter(false)).onProcessor).toBe(false);
    expect(ready('webgl', null).onProcessor).toBe(false);
  });
});
