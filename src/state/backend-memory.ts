/** Auto's last measured pick, remembered per browser so a later visit starts on it at once. */
import type { BackendName } from '../lib/config';

const KEY = 'inkling.fastest-backend';
const NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function rememberBackend(name: BackendName): void {
  localStorage.setItem(KEY, name);
}

export function rememberedBackend(): BackendName | null {
  const value = localStorage.getItem(KEY);
  return NAMES.find((name) => name === value) ?? null;
}
