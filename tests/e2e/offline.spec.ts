import { expect, test } from '@playwright/test';
import { chooseTinyModel, forceBackend, number, openApp } from './helpers';

test('after one visit the page is cross-origin isolated, loads and trains with the network off; it is installable', async ({
  page,
  context,
}) => {
  await openApp(page);
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!;
    return (await fetch(link.href)).json();
  });
  expect(manifest).toMatchObject({ short_name: 'Inkling', display: 'standalone', start_url: './' });
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined)); // installed: everything precached
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false); // this server sends no COOP/COEP

  await page.reload(); // now served by the service worker, which adds them: WASM gets its threads
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /./);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /./);
  await expect(page.getByTestId('corpus-name')).toContainText('Lincoln');
  await forceBackend(page, 'wasm'); // its .wasm files come from the cache too
  await chooseTinyModel(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(3);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
  await context.setOffline(false);
});
