import { expect, test } from '@playwright/test';
import { chooseTinyModel, forceBackend, openApp } from './helpers';

test('the address carries the settings: a copied link restores them in a new page, never the person’s text', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page);
  await page.locator('#corpus').selectOption('founders');
  await expect(page.getByTestId('corpus-name')).toContainText('founders');
  await page.locator('#units').fill('48');
  await page.locator('#seqLen').fill('40');
  await page.locator('#learningRate').fill('0.005');
  await page.locator('#temp-1').fill('0.7');
  await page.locator('#backend-choice').selectOption('wasm');
  await expect(page).toHaveURL(/units=48.*seq=40.*lr=0.005.*t=0.2%2C0.7%2C1%2C1.2.*backend=wasm.*text=founders/);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByTestId('share-status')).toHaveText('Link copied.');
  const link = await page.evaluate(() => navigator.clipboard.readText());

  const other = await context.newPage();
  await other.goto(link);
  await expect(other.getByTestId('corpus-name')).toContainText('founders');
  await expect(other.locator('#units')).toHaveValue('48');
  await expect(other.locator('#seqLen')).toHaveValue('40');
  await expect(other.locator('#learningRate')).toHaveValue('0.005');
  await expect(other.locator('#temp-1')).toHaveValue('0.7');
  await expect(other.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');

  await other.getByText('Paste text').click();
  await other.locator('#paste').fill('My private diary entry, not for any address bar. '.repeat(40));
  await other.getByRole('button', { name: 'Use pasted text' }).click();
  await expect(other.getByTestId('corpus-name')).toContainText('Pasted text');
  expect(other.url()).not.toContain('text=');
  expect(other.url()).not.toContain('diary');
});

test('focus stays on the control that replaces the one pressed: Train → Pause → Resume, Stop → Continue', async ({
  page,
}) => {
  await openApp(page);
  await forceBackend(page, 'wasm');
  await chooseTinyModel(page);
  const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  await page.getByRole('button', { name: 'Train', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(focused).toBe('Pause');
  await page.keyboard.press('Enter');
  await expect.poll(focused).toBe('Resume');
  await page.keyboard.press('Tab');
  await expect.poll(focused).toBe('Stop');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status')).toHaveText('stopped');
  await expect.poll(focused).toBe('Continue training');
});

test('on a phone, Train, the samples and the loss come before the settings; targets of 24 px; the chart follows rotation', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await openApp(page);
  const train = await page.getByRole('button', { name: 'Train', exact: true }).boundingBox();
  expect(train!.y + train!.height).toBeLessThanOrEqual(844);
  const top = async (selector: string) => (await page.locator(selector).boundingBox())!.y;
  expect(await top('section[aria-labelledby="samples-title"]')).toBeLessThan(await top('#settings-title'));
  expect(await top('#chart-title')).toBeLessThan(await top('#settings-title'));
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  const chartWidth = () =>
    page.getByTestId('chart').evaluate((e) => e.querySelector('canvas')!.getBoundingClientRect().width);
  const portrait = await chartWidth();
  await page.setViewportSize({ width: 844, height: 390 }); // rotated
  await expect.poll(chartWidth).toBeGreaterThan(portrait + 300);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const box of await page
    .locator('input[type="checkbox"]')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
  }
  await context.close();
});

test('at 1366×768 the first sample shows without scrolling once training starts; status goes through one live region', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await openApp(page);
  await expect(page.getByTestId('chart-empty')).toBeVisible(); // the empty chart says what will appear
  await expect(page.locator('[aria-live="polite"]')).toHaveCount(1);
  await forceBackend(page, 'wasm');
  await chooseTinyModel(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('announcer')).toHaveText('Training started.');
  await expect.poll(async () => ((await page.getByTestId('sample-0').textContent()) ?? '').length).toBeGreaterThan(60);
  const sample = await page.getByTestId('sample-0').boundingBox();
  expect(sample!.y).toBeLessThan(768);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('announcer')).toHaveText(/Paused\.|Saved at step/);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
  await context.close();
});
