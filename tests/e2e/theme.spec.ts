import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { chooseTinyModel, forceBackend, number, openApp } from './helpers';

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('dark mode follows the system, a choice is remembered, and both themes pass axe', async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe('rgb(15, 18, 24)');
  expect(await seriousViolations(page)).toEqual([]);
  const dark = testInfo.outputPath('dark.png');
  await page.screenshot({ path: dark, fullPage: true });
  await testInfo.attach('dark', { path: dark, contentType: 'image/png' });

  await page.locator('#theme-choice').selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background(page)).toBe('rgb(245, 246, 248)');
  expect(await seriousViolations(page)).toEqual([]);
  const light = testInfo.outputPath('light.png');
  await page.screenshot({ path: light, fullPage: true });
  await testInfo.attach('light', { path: light, contentType: 'image/png' });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light'); // remembered, despite the dark system
  await expect(page.locator('#theme-choice')).toHaveValue('light');
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no serious violation while training and once stopped (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page);
    await forceBackend(page, 'wasm');
    await chooseTinyModel(page);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(5);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByTestId('status')).toHaveText('stopped');
    expect(await seriousViolations(page)).toEqual([]);
  });
}
