/** The tfjs backends Inkling can train on, in the order tried when one cannot start. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = 'auto' | BackendName; // auto: measure each and keep the fastest

/** How the page names each backend. */
export const BACKEND_LABELS: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

export function isBackendName(value: unknown): value is BackendName {
  return BACKENDS.some((name) => name === value);
}
