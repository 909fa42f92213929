import { expect, test, type Page } from '@playwright/test';
import { forceBackend, openApp } from './helpers';

/** Short texts, few examples, few epochs: the base's 1×256 encoder then takes well under a second a step on WASM. */
async function tinyClassifier(page: Page, perClass = '100'): Promise<void> {
  await page.locator('#classify-per-class').selectOption(perClass);
  await page.locator('#classify-max-len').fill('64');
  await page.locator('#classify-epochs').fill('4');
}

const percent = async (page: Page, testId: string) =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? 'NaN');

test('classifies the built-in spam sample above chance, and Try it answers as you type with its reasons', async ({
  page,
}) => {
  await openApp(page);
  await forceBackend(page, 'wasm');
  await page.getByRole('button', { name: 'Load the spam sample' }).click();
  await expect(page.getByTestId('labeled-summary')).toContainText('1000 examples in 2 classes');
  await expect(page.getByTestId('labeled-summary')).toContainText('ham 500 (50%)');
  await tinyClassifier(page);
  const started = Date.now();
  await page.getByRole('button', { name: 'Train classifier' }).click();
  await expect(page.getByTestId('classify-plan')).toContainText(
    'Training on 200 examples (ham 100, spam 100), validating on 200',
  );
  await expect(page.getByTestId('classify-accuracy')).toBeVisible();
  console.log(`first validation accuracy on screen ${Date.now() - started} ms after Train`);
  await expect(page.getByTestId('classify-metrics')).toContainText('final', { timeout: 180_000 });
  console.log(`finished ${Date.now() - started} ms after Train`);
  expect(await percent(page, 'classify-accuracy')).toBeGreaterThan(60);
  await expect(page.getByTestId('confusion')).toContainText('spam');

  const box = page.getByLabel('Try it: type or paste a text');
  await box.fill('Dear friend, you have won a FREE prize! Click here now to claim your $1,000,000 cash offer!!!');
  await expect(page.getByTestId('try-probs')).toBeVisible();
  const spamFirst = await percent(page, 'prob-spam');
  await expect(page.getByTestId('try-reasons').locator('span').first()).toHaveAttribute('style', /color-mix/);
  await box.fill('Hi Bob, the patch for the kernel module is attached; I ran the tests on my laptop last night.');
  await expect.poll(() => percent(page, 'prob-spam')).not.toBe(spamFirst);
});
