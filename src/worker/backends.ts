/**
 * Backend selection inside the worker: WebGPU -> WebGL -> CPU, keeping the first that initialises
 * and computes a tiny warm-up op correctly. A forced choice is tried first, then the rest.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendChoice, BackendName } from '../lib/config';
import type { AdapterSummary } from '../lib/protocol';
import type { BackendReport } from './handler';

const ORDER: BackendName[] = ['webgpu', 'webgl', 'cpu'];

/** Describes the adapter WebGPU would use, or says why there is none. */
async function probeAdapter(): Promise<AdapterSummary | string> {
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
async function tryBackend(name: BackendName): Promise<string | null> {
  try {
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

export async function selectBackend(choice: BackendChoice): Promise<BackendReport> {
  const order = choice === 'auto' ? ORDER : [choice, ...ORDER.filter((b) => b !== choice)];
  const tried: string[] = [];
  for (const name of order) {
    let adapter: AdapterSummary | null = null;
    if (name === 'webgpu') {
      const probe = await probeAdapter().catch((e: unknown) => String(e));
      if (typeof probe === 'string') {
        tried.push(`webgpu: ${probe}`);
        continue;
      }
      adapter = probe;
    }
    const failure = await tryBackend(name);
    tried.push(`${name}: ${failure ?? 'ok'}`);
    if (!failure) return { backend: name, adapter, tried };
  }
  throw new Error(`No backend could start (${tried.join('; ')})`);
}
