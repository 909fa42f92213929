import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { wasmThreads } from '../../scripts/vite-wasm-threads.mjs';

/** The benchmark page: built separately into dist-bench/, serving the same samples as the app. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: fileURLToPath(new URL('../../public', import.meta.url)),
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  build: {
    outDir: fileURLToPath(new URL('../../dist-bench', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
  },
  logLevel: 'warn',
});
