import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { number, openApp } from './helpers';
import { formatBytes } from '../../src/data/corpus';

/** The large base as shipped in public/ (issue 33): what the page should say about it. */
const LARGE = JSON.parse(readFileSync('public/models/base-en-large/base.json', 'utf8')) as {
  model: { layers: number; units: number };
  weights: { bytes: number };
  fineTuneLearningRate: number;
};

/** A handful of short steps: the large base's step is several times the default model's on WASM. */
async function fewSteps(page: Page): Promise<void> {
  const values: Record<string, number> = { seqLen: 16, batchSize: 4, evalEvery: 2, sampleEverySec: 30 };
  for (const [id, value] of Object.entries(values)) await page.locator(`#${id}`).fill(String(value));
}

test('choosing the large base downloads it from this site with progress, and it fine-tunes on the default backend', async ({
  page,
}) => {
  const models: string[] = [];
  const origins = new Set<string>();
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.includes('/models/')) models.push(url.pathname);
    if (url.protocol.startsWith('http')) origins.add(url.origin);
  });
  const elsewhere = () => [...origins].filter((o) => o !== new URL(page.url()).origin); // third parties
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/models/base-en-large/weights.bin', async (route) => {
    await held; // so the page can be seen saying what it downloads before the weights arrive
    await route.continue();
  });
  await openApp(page);
  expect(models).toEqual([]); // neither base before one is chosen

  await expect(page.locator('#start-from option')).toHaveText([
    'Scratch (random weights)',
    'English base, small: fast on any computer',
    'English base, large: best with a graphics card',
  ]);
  await page.locator('#start-from').selectOption('large');
  const progress = page.getByTestId('base-progress');
  await expect(progress).toBeVisible();
  await expect(page.locator('label[for="base-progress"]')).toHaveText(
    `Downloading the large English base from this site… 0 bytes of ${formatBytes(LARGE.weights.bytes)}`,
  );
  await expect(page.locator('#start-from')).toBeDisabled(); // one download at a time
  release();
  await expect(progress).toBeHidden();
  const { layers, units } = LARGE.model;
  await expect(page.getByTestId('base-info')).toContainText(
    `${layers}×${units} LSTM, ${formatBytes(LARGE.weights.bytes)}`,
  );
  // No graphics card here: the page says the large base is the slow start on this computer.
  await expect(page.getByTestId('base-slow')).toContainText('the small base is the quicker start here');
  expect(models.filter((p) => p.includes('/models/base-en/'))).toEqual([]); // the small base was not fetched
  expect(models.some((p) => p.endsWith('/models/base-en-large/weights.bin'))).toBe(true);
  expect(elsewhere()).toEqual([]);
  await expect(page.locator('#units')).toBeDisabled();
  await expect(page.locator('#units')).toHaveValue(String(units));
  await expect(page.locator('#layers')).toHaveValue(String(layers));
  expect(Number(await page.locator('#learningRate').inputValue())).toBe(LARGE.fineTuneLearningRate);
  await expect(page).toHaveURL(/[?&]start=base&base=large/); // the address carries the choice

  await fewSteps(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('fine-tuning')).toContainText('From the English base, large · All layers');
  await expect(page.getByTestId('val-bpc')).not.toHaveText('–');
  expect(await number(page, 'val-bpc')).toBeLessThan(3.5); // before any step: far below chance (log2 98 ≈ 6.6)
  await expect.poll(() => number(page, 'step'), { timeout: 180_000 }).toBeGreaterThanOrEqual(3);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
  await expect(page.getByTestId('runs')).toContainText('from the large English base');

  // The next visit reads it from this browser's cache: no download.
  await page.unroute('**/models/base-en-large/weights.bin');
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /./);
  models.length = 0;
  await expect(page.getByTestId('base-info')).toContainText('from this browser’s cache'); // the link chose it
  expect(models.filter((p) => p.endsWith('weights.bin'))).toEqual([]);
  expect(elsewhere()).toEqual([]);

  // Kept in the bases' own cache, never in the service worker's precache.
  const cached = () =>
    page.evaluate(async () => {
      const out: Record<string, string[]> = {};
      for (const name of await caches.keys()) {
        out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      }
      return out;
    });
  await expect.poll(async () => Object.keys(await cached()).some((n) => n.includes('precache'))).toBe(true);
  const stored = await cached();
  for (const [name, paths] of Object.entries(stored)) {
    if (name.includes('precache')) expect(paths.filter((p) => p.includes('/models/'))).toEqual([]);
  }
  expect(stored['inkling-base-en']).toEqual(
    expect.arrayContaining(
      ['base.json', 'model.json', 'weights.bin'].map((f) => expect.stringMatching(`/models/base-en-large/${f}$`)),
    ),
  );
});

test('a large base that cannot be downloaded is refused in words; scratch and the small base still work', async ({
  page,
}) => {
  await page.route('**/models/base-en-large/base.json', (route) => route.fulfill({ status: 404, body: 'missing' }));
  await openApp(page);
  await page.locator('#start-from').selectOption('large');
  await expect(page.getByTestId('notice')).toContainText(
    'The large English base cannot be used: base.json could not be downloaded (HTTP 404). ' +
      'Training from scratch still works.',
  );
  await expect(page.locator('#start-from')).toHaveValue('scratch');
  await expect(page.locator('#units')).toBeEnabled();
  await expect(page.locator('#units')).toHaveValue('128');
  await page.locator('#start-from').selectOption('small');
  await expect(page.getByTestId('base-info')).toContainText('1×256 LSTM');
  await expect(page.locator('#units')).toHaveValue('256');
});
