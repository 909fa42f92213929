/**
 * The service worker (made by vite-plugin-pwa): the page works offline after one visit. A new
 * version is applied at once only when the page has just opened and nothing is training;
 * otherwise the page says it is ready, and it takes over the next time the page is opened.
 */
import { registerSW } from 'virtual:pwa-register';

const FRESH_MS = 5000; // a page younger than this, with nothing training, may reload to update

/** What to do when a new version is waiting: reload into it now, or say it is ready for next time. */
export function updateAction(busy: boolean, pageAgeMs: number): 'apply' | 'announce' {
  return !busy && pageAgeMs < FRESH_MS ? 'apply' : 'announce';
}

export function registerUpdates(busy: () => boolean, announce: (text: string) => void): void {
  if (!('serviceWorker' in navigator)) return;
  const opened = performance.now();
  const update = registerSW({
    onNeedRefresh() {
      if (updateAction(busy(), performance.now() - opened) === 'apply') void update(true);
      else announce('A new version of Inkling is ready: it will be used the next time you open this page.');
    },
  });
}
