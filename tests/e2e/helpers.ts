import { expect, type Page } from '@playwright/test';
import type { BackendName } from '../../src/config/backends';

/** Opens the app and waits until the worker reports a backend and the default sample is loaded. */
export async function openApp(page: Page, path = ''): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /./);
  await expect(page.getByTestId('corpus-name')).toContainText('Lincoln');
  expect(errors).toEqual([]);
}

/** Shows one of the page's views (Train, Race, Classify, Look inside) through its tab. */
export async function showView(page: Page, name: 'Train' | 'Race' | 'Classify' | 'Look inside'): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).click();
  await expect(page.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true');
}

/** Forces a backend through the header's menu and waits until the worker reports it. */
export async function forceBackend(page: Page, backend: BackendName): Promise<void> {
  await page.locator('#backend-choice').selectOption(backend);
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
}

/** A model small enough for Chromium's software WebGPU adapter: a few steps per second. */
export async function chooseTinyModel(page: Page): Promise<void> {
  const values: Record<string, number> = {
    units: 32,
    embedDim: 16,
    seqLen: 16,
    batchSize: 8,
    evalEvery: 4,
    sampleEverySec: 4,
  };
  for (const [id, value] of Object.entries(values)) await page.locator(`#${id}`).fill(String(value));
  // These tests stop, save and reload runs themselves; with checks every 4 steps on a few noisy
  // validation batches, stop at the best would end some runs first (best.spec.ts tests it).
  await page.locator('#stop-at-best').uncheck();
}

/** Chooses the tiny model, presses Train, and returns the first validation estimate (taken before any step). */
export async function startTinyTraining(page: Page): Promise<number> {
  await chooseTinyModel(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('status')).toHaveText('training');
  await expect(page.getByTestId('val-bpc')).not.toHaveText('–');
  return number(page, 'val-bpc');
}

/** Trains the tiny model for 40 steps or more, until validation falls by over a bit a character, then stops. */
export async function trainTinyUntilItLearns(page: Page): Promise<void> {
  const firstVal = await startTinyTraining(page);
  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(40);
  await expect.poll(() => number(page, 'val-bpc')).toBeLessThan(firstVal - 1);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
}

export async function number(page: Page, testId: string): Promise<number> {
  return Number.parseFloat((await page.getByTestId(testId).textContent()) ?? 'NaN');
}

/** Drops files on the page through a real DataTransfer, as a drag from the desktop would. */
export async function dropFiles(page: Page, files: { name: string; text?: string; bytes?: number[] }[]): Promise<void> {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.bytes ? new Uint8Array(f.bytes) : (f.text ?? '')], f.name));
    return dt;
  }, files);
  await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
}
