/** Auto's last measured pick, remembered per browser so a later visit starts on it at once. */
import { isBackendName, type BackendName } from '../config/backends';

const KEY = 'inkling.fastest-backend';

export function rememberBackend(name: BackendName): void {
  localStorage.setItem(KEY, name);
}

export function rememberedBackend(): BackendName | null {
  const value = localStorage.getItem(KEY);
  return isBackendName(value) ? value : null;
}
