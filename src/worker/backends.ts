/**
 * Backend selection inside the worker. Forced: that backend, falling back in the order WebGPU ->
 * WebGL -> WASM -> CPU if it cannot start. Auto: every backend that starts and passes a warm-up
 * op is timed on one real training step, and the fastest is kept. Two are not timed: a software
 * (fallback) WebGPU adapter when WebGL or WASM works (its shader compilation alone takes tens of
 * seconds, and it is many times slower than either: tests/bench/RESULTS.md), and the
 * plain-JavaScript CPU backend once WASM has been timed (WASM runs the same work several times
 * faster).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { BACKENDS, type BackendChoice, type BackendName } from '../config/backends';
import { useSoftwareGpuKernels } from '../engine/kernels/webgpu/matmul';
import { registerKernels } from '../engine/kernels/registry';
import { timeTrainingStep } from '../engine/step-timer';
import type { AdapterSummary } from './protocol';
import type { BackendReport } from './backend-choices';
import { prepareWasm, startGemmHelper, wasmThreads } from './wasm';

registerKernels('webgpu'); // the fused LSTM, Adam and sampling kernels, and the replaced stock ones
registerKernels('webgl');

/** Describes the adapter WebGPU would use, or says why there is none. */
async function describeAdapter(): Promise<AdapterSummary | string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'this browser exposes no WebGPU (navigator.gpu is missing)';
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'no WebGPU adapter was offered';
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description || info.device,
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter),
  };
}

/** setBackend resolves false (it does not throw) on failure, so check it, then warm up. */
async function start(name: BackendName): Promise<string | null> {
  try {
    if (name === 'wasm') prepareWasm();
    if (!(await tf.setBackend(name))) return 'failed to initialise';
    await tf.ready();
    const sum = tf.tidy(() => tf.sum(tf.add(tf.ones([64]), tf.ones([64]))));
    const [value] = await sum.data();
    sum.dispose();
    return value === 128 ? null : `warm-up computed ${value}, not 128`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

interface Candidate {
  name: BackendName;
  adapter: AdapterSummary | null;
  ms: number | null; // measured training step, when timed
}

/** Starts each backend in turn; with `measure`, times a training step on each that starts. */
async function candidates(order: readonly BackendName[], measure: boolean, tried: string[]): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const name of order) {
    let adapter: AdapterSummary | null = null;
    if (name === 'webgpu') {
      const described = await describeAdapter().catch((e: unknown) => String(e));
      if (typeof described === 'string') {
        tried.push(`webgpu: ${described}`);
        continue;
      }
      adapter = described;
      useSoftwareGpuKernels(adapter.isFallbackAdapter); // a CPU emulating a GPU: no barriers (kernels/webgpu/matmul.ts)
    }
    const failure = await start(name);
    if (failure) {
      tried.push(`${name}: ${failure}`);
      continue;
    }
    if (name === 'wasm' && (await startGemmHelper().catch(() => false)))
      tried.push('wasm: matMuls split over two threads (gemm.wat)');
    if (!measure) return [{ name, adapter, ms: null }];
    found.push({ name, adapter, ms: null });
  }
  return found;
}

async function measureAll(found: Candidate[], tried: string[], cancelled: () => boolean): Promise<void> {
  const alternative = found.find((c) => c.name === 'webgl' || c.name === 'wasm');
  for (const c of found) {
    if (cancelled()) return; // a later choice replaced this one: stop measuring
    if (c.name === 'webgpu' && c.adapter?.isFallbackAdapter && alternative) {
      tried.push('webgpu: software adapter, not timed (WebGL and WASM are faster on such adapters)');
      continue;
    }
    if (c.name === 'cpu' && found.some((f) => f.name === 'wasm' && f.ms !== null)) {
      tried.push('cpu: not timed (WASM runs the same work several times faster)');
      continue;
    }
    await tf.setBackend(c.name);
    c.ms = await timeTrainingStep().catch(() => null);
    tried.push(`${c.name}: ${c.ms === null ? 'failed a training step' : `${Math.round(c.ms)} ms per trial step`}`);
  }
}

/** The backend itself, else the next that starts in the usual order. */
async function firstThatStarts(first: BackendName, tried: string[]): Promise<Candidate> {
  const [chosen] = await candidates([first, ...BACKENDS.filter((b) => b !== first)], false, tried);
  if (!chosen) throw new Error(`No backend could start (${tried.join('; ')})`);
  return chosen;
}

export async function selectBackend(
  choice: BackendChoice,
  remembered: BackendName | null,
  cancelled: () => boolean = () => false,
): Promise<BackendReport> {
  const tried: string[] = [];
  if (choice !== 'auto' || remembered) {
    const chosen = await firstThatStarts(choice === 'auto' ? remembered! : choice, tried);
    const adapter = chosen.adapter ?? (await describeAdapter().catch(() => null));
    const why =
      choice === 'auto' ? 'measured fastest on an earlier visit (choose Auto again to re-measure)' : 'chosen by you';
    tried.push(`${chosen.name}: ${why}`);
    const described = typeof adapter === 'string' ? null : adapter;
    return { backend: chosen.name, adapter: described, tried, measured: false, threads: wasmThreads() };
  }
  const found = await candidates(BACKENDS, true, tried);
  await measureAll(found, tried, cancelled);
  const timed = found.filter((c) => c.ms !== null).sort((a, b) => a.ms! - b.ms!);
  const best = timed[0] ?? found[0];
  if (!best || !(await tf.setBackend(best.name))) throw new Error(`No backend could start (${tried.join('; ')})`);
  return {
    backend: best.name,
    adapter: found.find((c) => c.name === 'webgpu')?.adapter ?? null,
    tried,
    measured: true,
    threads: wasmThreads(),
  };
}
