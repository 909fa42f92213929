import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { wasmThreads } from './scripts/vite-wasm-threads.mjs';

export default defineConfig({
  // Relative asset URLs: dist/ works from any sub-path of any static file server.
  base: './',
  plugins: [
    svelte({ configFile: false }),
    // Offline after one visit: our service worker (src/sw/service-worker.ts, Workbox precaching)
    // precaches the built app, its WASM files and the built-in texts, and serves them cross-origin
    // isolated (WASM threads). The English base is left out: it downloads only when a person
    // chooses it, and the page then keeps it in Cache Storage itself (worker/base-loader.ts).
    // A new version waits, and is applied on a later load, never during a run (state/updates.ts).
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'service-worker.ts',
      registerType: 'prompt',
      injectRegister: null,
      includeManifestIcons: false, // the glob below lists them already: one precache entry each
      manifest: {
        name: 'Inkling: watch an LSTM learn your text',
        short_name: 'Inkling',
        description: 'Watch a character-level LSTM learn your text, live, on your own GPU, in the browser.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#f5f6f8',
        theme_color: '#1d4ed8',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,txt,csv,png,svg,webmanifest}'],
        globIgnores: ['models/**'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024, // the worker bundle (tfjs) is ~2.4 MB
      },
    }),
  ],
  // the worker bundles tfjs' threaded WASM build, which minification breaks without this plugin
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
