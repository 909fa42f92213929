import { expect, test, type Page } from '@playwright/test';
import { forceBackend, number, openApp, showView } from './helpers';

/** Short rows and small batches: the base's 1×256 LSTM then takes a fraction of a second a step on WASM. */
async function smallSteps(page: Page): Promise<void> {
  const values: Record<string, number> = { seqLen: 32, batchSize: 8, evalEvery: 4, sampleEverySec: 4 };
  for (const [id, value] of Object.entries(values)) await page.locator(`#${id}`).fill(String(value));
}

test('starts from the English base: downloads it once with progress, fixes the architecture, and fine-tunes far below chance', async ({
  page,
}) => {
  const weights: string[] = [];
  page.on('request', (r) => r.url().includes('/models/base-en/') && weights.push(r.url()));
  await openApp(page);
  await forceBackend(page, 'wasm');
  await page.locator('#start-from').selectOption('small');
  await expect(page.getByTestId('base-info')).toContainText(/1×256 LSTM.*bits\/char/);
  expect(weights.some((u) => u.endsWith('weights.bin'))).toBe(true);
  for (const url of weights) expect(new URL(url).origin).toBe(new URL(page.url()).origin);
  await expect(page.locator('#units')).toBeDisabled();
  await expect(page.locator('#units')).toHaveValue('256');
  expect(Number(await page.locator('#learningRate').inputValue())).toBeLessThan(0.01); // a lower rate proposed
  await expect(page.getByTestId('base-fit')).toContainText('Every character of this text is in the base’s alphabet');
  await page.locator('#fine-tune-mode').selectOption('gradual');

  await smallSteps(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('val-bpc')).not.toHaveText('–');
  // Before its first step the base already predicts this text far better than chance (log2 98 ≈ 6.6 bits).
  expect(await number(page, 'val-bpc')).toBeLessThan(3.5);
  await expect(page.getByTestId('fine-tuning')).toContainText('Gradual unfreezing (ULMFiT) · learning now: dense');
  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(8);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');

  // Back to scratch restores the form; the base again comes from this browser's cache, not the network.
  await page.locator('#start-from').selectOption('scratch');
  await expect(page.locator('#units')).toBeEnabled();
  await expect(page.locator('#units')).toHaveValue('128');
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /./);
  weights.length = 0;
  await page.locator('#start-from').selectOption('small');
  await expect(page.getByTestId('base-info')).toContainText('from this browser’s cache');
  expect(weights.filter((u) => u.endsWith('weights.bin'))).toEqual([]);
});

test('the race trains scratch and the base side by side: two curves, two sample columns, a verdict', async ({
  page,
}, testInfo) => {
  await openApp(page);
  await forceBackend(page, 'wasm');
  await smallSteps(page);
  await showView(page, 'Race');
  await page.locator('#race-seconds').fill('8');
  await page.getByRole('button', { name: 'Race', exact: true }).click();
  await expect(page.getByTestId('race-verdict')).toContainText(/The pretrained model reached \d\.\d\d bits\/char/, {
    timeout: 120_000,
  });
  const chart = page.getByTestId('race-chart');
  expect(Number(await chart.getAttribute('data-points-scratch'))).toBeGreaterThanOrEqual(2);
  expect(Number(await chart.getAttribute('data-points-base'))).toBeGreaterThanOrEqual(2);
  const prime = await page.locator('#prime').inputValue();
  for (const lane of ['scratch', 'base']) {
    await expect
      .poll(async () => (await page.getByTestId(`race-sample-${lane}`).textContent())?.length ?? 0)
      .toBeGreaterThan(prime.length + 20);
  }
  const shot = testInfo.outputPath('race.png');
  await page.locator('section[aria-labelledby="race-title"]').screenshot({ path: shot });
  await testInfo.attach('race', { path: shot, contentType: 'image/png' });
  await showView(page, 'Train');
  await expect(page.getByRole('button', { name: 'Sample now' })).toBeEnabled(); // the pretrained model is in hand
  await expect(page.getByTestId('runs')).toContainText('race, from scratch');
  await expect(page.getByTestId('runs')).toContainText('race, from the small English base');
});

test('a damaged base is refused with a clear message and scratch still trains; a Cyrillic text gets a notice', async ({
  page,
}) => {
  await page.route('**/models/base-en/weights.bin', async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    await route.fulfill({ response, body: body.subarray(0, body.length - 1000) });
  });
  await openApp(page);
  await forceBackend(page, 'wasm');
  await page.locator('#start-from').selectOption('small');
  await expect(page.getByTestId('notice')).toContainText('The small English base cannot be used');
  await expect(page.getByTestId('notice')).toContainText('Training from scratch still works');
  await expect(page.locator('#start-from')).toHaveValue('scratch');
  await expect(page.locator('#units')).toBeEnabled();

  await page.unroute('**/models/base-en/weights.bin');
  await page.getByText('Paste text').click();
  await page.locator('#paste').fill('Привет, мир! Это текст на русском языке. '.repeat(60));
  await page.getByRole('button', { name: 'Use pasted text' }).click();
  await page.locator('#start-from').selectOption('small');
  await expect(page.getByTestId('base-fit')).toContainText('Most of this text');
  await page.locator('#start-from').selectOption('scratch');
  await smallSteps(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Stop' }).click();
});
