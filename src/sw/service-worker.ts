/// <reference lib="webworker" />
/**
 * The service worker (built by vite-plugin-pwa, which fills in the manifest): the page works
 * offline after one visit. It precaches the built app, its WASM files and the built-in texts;
 * the English base is left out (it downloads only when chosen; worker/base-loader.ts caches it).
 * Every response it serves carries the cross-origin isolation headers (isolation.ts), so WASM
 * runs on threads from the second visit on, on any static host. A new version waits until the
 * page says to take over (state/updates.ts: never during a run).
 */
import { addPlugins, cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { withIsolation } from './isolation';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

addPlugins([{ handlerWillRespond: async ({ response }) => withIsolation(response) }]);
// the query holds settings (state/share.ts): the same page whatever it says
precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/.*/] });
cleanupOutdatedCaches();
