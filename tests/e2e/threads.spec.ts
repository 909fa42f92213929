/**
 * WASM on threads: served with COOP/COEP (as `npm start` serves it), the page is cross-origin
 * isolated, tfjs loads its threaded build from the app's minified bundle, XNNPACK runs on one
 * thread per core, and gemm.wat's matMuls are split with a helper worker. The fused LSTM (its SIMD
 * cell then imports the shared memory) must still match the autodiff reference, and training must
 * learn. Without the headers: one thread, as before.
 */
import { expect, test } from '@playwright/test';
import type { Server } from 'node:http';
import { serve } from '../../scripts/serve.mjs';
import { forceBackend, openApp, trainTinyUntilItLearns } from './helpers';

const PORT = 4312;
let server: Server;

test.beforeAll(async () => {
  server = await serve({ root: 'dist', port: PORT, base: '/inkling/', isolated: true });
});
test.afterAll(() => new Promise<void>((done) => server.close(() => done())));

test('isolated: WASM trains on threads, matMuls split over two, and the fused LSTM still matches autodiff', async ({
  page,
}) => {
  const crashes: string[] = [];
  page.on('console', (m) => m.type() === 'error' && crashes.push(m.text()));
  await openApp(page, `http://localhost:${PORT}/inkling/`);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await forceBackend(page, 'wasm');
  const cores = await page.evaluate(() => Math.min(4, navigator.hardwareConcurrency));
  test.skip(cores < 2, 'one core: tfjs keeps one thread');
  await expect(page.getByTestId('wasm-threads')).toHaveText(`${cores} threads`);
  await expect(page.getByTestId('backend-notice')).toContainText(`on ${cores} threads`);

  await page.getByText('How the backend was chosen').click();
  await expect(page.getByText('wasm: matMuls split over two threads (gemm.wat)')).toBeVisible();
  await page.getByRole('button', { name: 'Check the fused LSTM here' }).click();
  const check = page.getByTestId('engine-check');
  await expect(check).toContainText('the reference', { timeout: 120_000 });
  await expect(check).toContainText(/^\s*Matches/);

  await trainTinyUntilItLearns(page);
  expect(crashes.filter((c) => /ReferenceError|is not defined|pthread/i.test(c))).toEqual([]);
});

test('not isolated: WASM runs on one thread and says nothing of threads', async ({ page }) => {
  await openApp(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await forceBackend(page, 'wasm');
  await expect(page.getByTestId('backend-notice')).toContainText(/WASM|WebAssembly/);
  await expect(page.getByTestId('backend-notice')).not.toContainText('threads');
  await expect(page.getByTestId('wasm-threads')).toHaveCount(0);
});
