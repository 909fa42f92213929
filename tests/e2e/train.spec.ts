import { expect, test } from '@playwright/test';
import { chooseTinyModel, forceBackend, number, openApp } from './helpers';

test('trains the default sample on WebGPU: loss falls, text streams, pause/resume/stop, sample again', async ({ page }, testInfo) => {
  await openApp(page);
  await forceBackend(page, 'webgpu');
  await expect(page.getByTestId('adapter')).toContainText('software fallback adapter');
  await expect(page.getByTestId('backend-notice')).toContainText('software adapter');

  await chooseTinyModel(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('status')).toHaveText('training');

  // The first validation estimate is taken before any step: near log2(alphabet) bits/char.
  await expect(page.getByTestId('val-bpc')).not.toHaveText('–');
  const firstVal = await number(page, 'val-bpc');
  expect(firstVal).toBeGreaterThan(5);

  // Samples stream in while training (the prime is shown first, then generated characters).
  const prime = await page.locator('#prime').inputValue();
  await expect.poll(async () => ((await page.getByTestId('sample-1').textContent()) ?? '').length).toBeGreaterThan(prime.length + 20);

  await expect.poll(() => number(page, 'step'), { timeout: 150_000 }).toBeGreaterThanOrEqual(40);
  const tensors = await number(page, 'tensors');
  expect(await number(page, 'val-bpc')).toBeLessThan(firstVal - 1);
  expect(await number(page, 'chars-per-sec')).toBeGreaterThan(0);
  const shot = testInfo.outputPath('mid-training.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('mid-training', { path: shot, contentType: 'image/png' });

  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(60);
  expect(await number(page, 'tensors')).toBe(tensors); // no leak across steps and samples

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('status')).toHaveText('paused');
  const pausedAt = await number(page, 'step');
  await page.waitForTimeout(2000);
  expect(await number(page, 'step')).toBe(pausedAt);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThan(pausedAt);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');

  // Sample again without training, at a new temperature and from a new prime.
  await page.locator('#prime').fill('The Union ');
  await page.locator('#temp-0').fill('0');
  await page.getByRole('button', { name: 'Sample now' }).click();
  await expect(page.getByText('T = 0', { exact: true })).toBeVisible();
  await expect.poll(async () => (await page.getByTestId('sample-0').textContent())?.length ?? 0).toBeGreaterThan(100);
  await expect(page.getByTestId('sample-0')).toContainText('The Union ');
  await expect(page.getByTestId('status')).toHaveText('stopped');
});

test('Auto times a training step on each backend and keeps the fastest, not the software WebGPU adapter', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
  await expect(page.getByTestId('backend-notice')).toContainText('WebGPU only through a software adapter');
  await page.getByText('How the backend was chosen').click();
  const trials = page.getByTestId('backend-trials');
  await expect(trials).toContainText(/webgl: \d+ ms per probe step/);
  await expect(trials).toContainText(/cpu: \d+ ms per probe step/);
  await expect(trials).toContainText('webgpu: software adapter, not timed');
  const ms = (name: string) => trials.textContent().then((t) => Number(t!.match(new RegExp(`${name}: (\\d+) ms`))![1]));
  expect(await ms('webgl')).toBeLessThanOrEqual(await ms('cpu'));

  // A later visit reuses the measured pick at once; choosing Auto again measures afresh.
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
  await page.getByText('How the backend was chosen').click();
  await expect(trials).toContainText('webgl: measured fastest on an earlier visit');
  await page.locator('#backend-choice').selectOption('cpu');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'cpu');
  await page.locator('#backend-choice').selectOption('auto');
  await expect(trials).toContainText(/webgl: \d+ ms per probe step/);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgl');
});
