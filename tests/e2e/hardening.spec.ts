/**
 * Nothing lost, nothing hostile, in the built app: storage that never works, a reload before the
 * interval autosave, a backend forced while Auto measures, UTF-16 text, and right-to-left names.
 * (Hostile zips are covered at the worker level, in tests/unit/worker/import-hostile.test.ts.)
 */
import { expect, test, type Page } from '@playwright/test';
import { chooseTinyModel, forceBackend, number, openApp } from './helpers';

const PROSE = 'It is a truth universally acknowledged, that a single man must be in want of a wife. '.repeat(30);

/** Makes IndexedDB throw inside the worker, as some private modes and locked-down browsers do. */
async function blockStorageInWorker(page: Page): Promise<void> {
  await page.route('**/assets/train.worker-*.js', async (route) => {
    const response = await route.fetch();
    const block =
      "self.indexedDB.open = () => { throw new DOMException('The operation is insecure.', 'SecurityError'); };\n";
    await route.fulfill({ response, body: block + (await response.text()) });
  });
}

async function trainTiny(page: Page): Promise<void> {
  await forceBackend(page, 'wasm');
  await chooseTinyModel(page);
  await page.locator('#epochs').fill('1000'); // still training when the test stops it
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThan(5);
}

test('with storage blocked, the model in hand can still be exported, and imported back into memory', async ({
  page,
}) => {
  await blockStorageInWorker(page);
  await openApp(page);
  await expect(page.getByTestId('storage-off')).toContainText('Saving is off');
  await expect(page.getByTestId('storage-off')).toContainText('use Export model');
  await trainTiny(page);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
  await expect(page.getByTestId('save-status')).toContainText('use Export model');
  const step = await number(page, 'step');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export model' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.inkling\.zip$/);
  await page.getByRole('button', { name: 'Train a new model' }).click();
  await expect.poll(() => number(page, 'step')).toBeLessThan(step);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
  await page.getByTestId('import-input').setInputFiles((await download.path())!);
  await expect(page.getByRole('button', { name: 'Resume training' })).toBeVisible();
  await expect(page.getByTestId('step')).toHaveText(String(step));
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a run reloaded a few seconds after Train, long before the 30 s autosave, is still there', async ({ page }) => {
  await openApp(page);
  await expect(page.locator('#autosaveSec')).toHaveValue('30');
  await trainTiny(page);
  await expect(page.getByTestId('save-status')).toContainText('Saved at step', { timeout: 30_000 });
  await page.reload();
  await expect(page.getByTestId('resume-offer')).toContainText('Pick up where you left off');
});

test('forcing WASM while Auto is still measuring ends on WASM, and the trials say so', async ({ page }) => {
  await page.goto('');
  await expect(page.getByTestId('backend')).toHaveText('Choosing…'); // Auto is measuring
  await page.locator('#backend-choice').selectOption('wasm');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  await page.getByText('How the backend was chosen').click();
  await expect(page.getByTestId('backend-trials')).toHaveText(/wasm: chosen by you/);
  await expect(page.getByTestId('backend-trials')).not.toContainText('webgpu: chosen by you');
  await page.waitForTimeout(2000); // nothing later overrides the choice
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('notice')).toHaveCount(0); // the replaced Auto is not an error to show
});

test('UTF-16 text (LE and BE, with a BOM) loads as text; UTF-32 is refused by name', async ({ page }) => {
  await openApp(page);
  const text = 'Ça va ? Καλημέρα. ' + PROSE;
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le.map((_, i) => le[i ^ 1])); // swap each byte pair: BOM FE FF, big-endian
  for (const [name, buffer] of [
    ['le.txt', le],
    ['be.txt', be],
  ] as const) {
    await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer });
    await expect(page.getByTestId('corpus-name')).toHaveText(name);
    await expect(page.locator('.preview')).toContainText('Ça va ? Καλημέρα.');
  }
  const utf32 = Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]);
  await page.getByTestId('file-input').setInputFiles({ name: 'wide.txt', mimeType: 'text/plain', buffer: utf32 });
  await expect(page.getByTestId('notice')).toContainText('is UTF-32 text, which Inkling does not read');
  await expect(page.getByTestId('corpus-name')).toHaveText('be.txt');
});

test('a file name with a right-to-left override stays inside its own isolate in the runs list', async ({ page }) => {
  await openApp(page);
  const name = 'notes\u202Etxt.exe';
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(PROSE) });
  await expect(page.getByTestId('corpus-name').locator('bdi')).toHaveText(name);
  await trainTiny(page);
  await expect(page.getByTestId('save-status')).toContainText('Saved at step', { timeout: 30_000 });
  await expect(page.getByTestId('run').locator('.run-name bdi')).toContainText(name);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
});
