import { expect, test, type Page } from '@playwright/test';
import { dropFiles, forceBackend, number, openApp } from './helpers';

/**
 * Trained on "abab…", validated on "ababababcd…" (the last tenth): learning "ab" helps validation
 * at first, then the model's certainty about it makes every "cd" cost more and more.
 */
const MEMORISE = 'ab'.repeat(900) + 'ababababcd'.repeat(20);

/** A tiny model on the memorising text, checked every 4 steps, with `epochs` passes and stop at the best as given. */
async function setUp(page: Page, o: { epochs: number; stopAtBest: boolean }) {
  await openApp(page);
  await forceBackend(page, 'wasm');
  await dropFiles(page, [{ name: 'memorise.txt', text: MEMORISE }]);
  await expect(page.getByTestId('corpus-name')).toContainText('memorise.txt');
  // The form proposes settings for the text's size, and says so.
  await expect(page.getByTestId('suggested')).toContainText('Suggested for 2 KB of text: 1×128, dropout 0.25');
  await expect(page.locator('#epochs')).toHaveValue('200');
  await expect(page.locator('#stop-at-best')).toBeChecked(); // on by default
  const values = { units: 16, embedDim: 8, seqLen: 16, batchSize: 8, evalEvery: 4, patience: 3, epochs: o.epochs };
  for (const [id, value] of Object.entries(values)) await page.locator(`#${id}`).fill(String(value));
  if (!o.stopAtBest) await page.locator('#stop-at-best').uncheck();
  await page.locator('#learningRate').fill('0.05');
}

const totalSteps = async (page: Page) =>
  Number.parseInt(((await page.getByTestId('step').textContent()) ?? '').split('/')[1]);

test('on a small text with many epochs, training stops at the best by itself and says why', async ({ page }) => {
  await setUp(page, { epochs: 200, stopAtBest: true });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('status')).toHaveText('finished', { timeout: 120_000 });
  const notice = page.getByTestId('best-notice');
  await expect(notice).toContainText('Stopped at the best: validation had not improved for 3 checks');
  await expect(notice).toContainText(
    'The model in hand (samples, export, the saved run, Continue training) is the best one',
  );
  expect(await number(page, 'step')).toBeLessThan(await totalSteps(page)); // long before its 200 epochs
  const bestStep = Number(await page.getByTestId('chart').getAttribute('data-best-step'));
  expect(bestStep).toBeGreaterThan(0);
  expect(bestStep).toBeLessThan(await number(page, 'step'));
  await expect(page.getByTestId('chart-best')).toContainText(`at step ${bestStep}`);
});

test('turned off, it trains on to the end of its epochs, saying the model is memorising', async ({ page }) => {
  await setUp(page, { epochs: 4, stopAtBest: false });
  await expect(page.locator('#patience')).toBeDisabled();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('status')).toHaveText('finished', { timeout: 120_000 });
  expect(await number(page, 'step')).toBe(await totalSteps(page));
  const notice = page.getByTestId('best-notice');
  await expect(notice).toContainText('while the training loss fell: the model is memorising this text');
  await expect(notice).not.toContainText('Stopped at the best');
  await expect(page).toHaveURL(/stop=0/); // a link carries it
});

test('Train pressed while Auto still measures starts by itself once it has chosen', async ({ page }) => {
  await page.goto('');
  await expect(page.getByTestId('corpus-name')).toContainText('Lincoln');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', ''); // still measuring
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  await train.click();
  await expect(page.getByTestId('train-queued')).toContainText('Choosing the fastest way to train on this computer');
  await expect(page.getByTestId('status')).toHaveText('training', { timeout: 120_000 });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /./);
  await expect(page.getByTestId('train-queued')).toHaveCount(0);
  await expect.poll(() => number(page, 'step'), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
});
