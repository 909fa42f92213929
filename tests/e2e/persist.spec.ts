import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chooseTinyModel, forceBackend, number, openApp } from './helpers';

/** The step a text names ("step 1,185" or "step 1185"), whatever the digit grouping. */
function stepIn(text: string | null): number {
  return Number(text!.match(/step ([\d,]+)/)![1].replace(/,/g, ''));
}

/** Trains the tiny model until the first autosave has landed; returns the saved step. */
async function trainUntilSaved(page: Page): Promise<number> {
  await chooseTinyModel(page);
  await page.locator('#autosaveSec').fill('3');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('save-status')).toContainText('Saved at step', { timeout: 90_000 });
  await expect(page.getByTestId('run')).toHaveCount(1);
  return stepIn(await page.getByTestId('save-status').textContent());
}

test('reload mid-training, resume: the step counter and the chart carry on', async ({ page }) => {
  await openApp(page);
  const saved = await trainUntilSaved(page);
  expect(saved).toBeGreaterThan(0);
  await page.reload();
  const offer = page.getByTestId('resume-offer');
  await expect(offer).toContainText(/step \d+/);
  expect(stepIn(await offer.textContent())).toBeGreaterThanOrEqual(saved);
  await page.getByRole('button', { name: 'Open it' }).click();
  const resumeButton = page.getByRole('button', { name: 'Resume training' });
  await expect(resumeButton).toBeVisible(); // the sample text is loaded again: same hash
  const openedAt = await number(page, 'step');
  expect(openedAt).toBeGreaterThanOrEqual(saved);
  // The chart came back from the saved history: from step 0 to the saved step.
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-first-step', '0');
  await expect(chart).toHaveAttribute('data-last-step', String(openedAt));
  await expect(page.getByTestId('val-bpc')).not.toHaveText('–');
  await resumeButton.click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThan(openedAt + 3);
  // ...and it carries on from there, not from step 1.
  await expect(chart).toHaveAttribute('data-first-step', '0');
  expect(Number(await chart.getAttribute('data-last-step'))).toBeGreaterThan(openedAt + 3);
  await page.getByRole('button', { name: 'Stop' }).click();
});

test('a page killed mid-training reopens and resumes; on another backend (WebGPU → CPU)', async ({ page, context }) => {
  await openApp(page);
  await forceBackend(page, 'webgpu');
  const saved = await trainUntilSaved(page);
  await page.close({ runBeforeUnload: false });
  const again = await context.newPage();
  await openApp(again);
  await forceBackend(again, 'cpu');
  await again.getByRole('button', { name: 'Open it' }).click();
  await again.getByRole('button', { name: 'Resume training' }).click();
  await expect.poll(() => number(again, 'step')).toBeGreaterThan(saved + 3);
  await again.getByRole('button', { name: 'Stop' }).click();
  await expect(again.getByTestId('status')).toHaveText('stopped');
});

test('export loads in a fresh page with stock tf.loadLayersModel; import brings it back; corrupt files are refused', async ({
  page,
  browser,
}) => {
  await openApp(page);
  await trainUntilSaved(page);
  await page.getByRole('button', { name: 'Stop' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.inkling\.zip$/);
  const zipPath = await download.path();

  // A page on another origin that has never seen Inkling: plain tfjs from its UMD bundle.
  const fresh = await browser.newPage();
  await fresh.route('http://stranger.test/**', (route) => {
    const url = route.request().url();
    if (url.endsWith('/tf.min.js'))
      return route.fulfill({ path: 'node_modules/@tensorflow/tfjs/dist/tf.min.js', contentType: 'text/javascript' });
    return route.fulfill({
      body: '<!doctype html><title>stranger</title><script src="tf.min.js"></script>',
      contentType: 'text/html',
    });
  });
  await fresh.goto('http://stranger.test/');
  const { unzipSync } = await import('fflate');
  const files = unzipSync(readFileSync(zipPath));
  const text = await fresh.evaluate(
    async ({ modelJson, weights, inkling }) => {
      const tf = (window as any).tf;
      // The snippet in src/storage/README.md, as a stranger would run it.
      const model = await tf.loadLayersModel(
        tf.io.browserFiles([new File([modelJson], 'model.json'), new File([new Uint8Array(weights)], 'weights.bin')]),
      );
      const { vocab } = JSON.parse(inkling).meta;
      let out = 'The ';
      for (let i = 0; i < 40; i++) {
        const ids = [...out.slice(-64)].map((c) => Math.max(0, vocab.indexOf(c)));
        const logits = tf.tidy(() =>
          model
            .predict(tf.tensor2d([ids]))
            .slice([0, ids.length - 1, 0], [1, 1, -1])
            .reshape([1, -1])
            .div(0.5),
        );
        const next = (await tf.multinomial(logits, 1).data())[0];
        logits.dispose();
        out += vocab[next];
      }
      return out;
    },
    {
      modelJson: new TextDecoder().decode(files['model.json']),
      weights: Array.from(files['weights.bin']),
      inkling: new TextDecoder().decode(files['inkling.json']),
    },
  );
  expect(text).toHaveLength(44);
  await fresh.close();

  await page.getByTestId('import-input').setInputFiles(zipPath);
  await expect(page.getByTestId('run')).toHaveCount(2);
  await expect(page.getByTestId('runs')).toContainText('(imported)');
  // The imported run opens, ready to sample or resume.
  await page.getByTestId('run').filter({ hasText: '(imported)' }).getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('button', { name: 'Resume training' })).toBeVisible();
  await page.getByRole('button', { name: 'Sample now' }).click();
  await expect.poll(async () => (await page.getByTestId('sample-2').textContent())?.length ?? 0).toBeGreaterThan(100);

  await page.getByTestId('import-input').setInputFiles({
    name: 'broken.zip',
    mimeType: 'application/zip',
    buffer: Buffer.from('PK\x03\x04 this is not really a zip'),
  });
  await expect(page.getByTestId('notice')).toContainText('That saved model cannot be used: the zip is damaged');
  await page
    .getByTestId('import-input')
    .setInputFiles({ name: 'photo.zip', mimeType: 'application/zip', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
  await expect(page.getByTestId('notice')).toContainText('this is not a .zip file');
  await expect(page.getByTestId('run')).toHaveCount(2);
});

test('a damaged checkpoint is listed as damaged and can be deleted; rename works', async ({ page }) => {
  await openApp(page);
  await trainUntilSaved(page);
  await page.getByRole('button', { name: 'Stop' }).click();
  // "stopped" appears only once the final save has landed: it is saved at the step shown.
  await expect(page.getByTestId('status')).toHaveText('stopped');
  const step = await number(page, 'step');
  await expect(page.getByTestId('save-status')).toContainText(`Saved at step ${step} `);
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name').fill('Lincoln, small');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByTestId('runs')).toContainText('Lincoln, small');
  // Flip bytes in the stored record, as a disk error would.
  await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((ok, fail) => {
      const r = indexedDB.open('inkling');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const store = db.transaction('checkpoints', 'readwrite').objectStore('checkpoints');
    const keys: IDBValidKey[] = await new Promise((ok) => {
      const r = store.getAllKeys();
      r.onsuccess = () => ok(r.result);
    });
    const pointerKey = keys.find((k) => String(k).startsWith('run/'))!;
    const pointer = await new Promise<any>((ok) => {
      const r = store.get(pointerKey);
      r.onsuccess = () => ok(r.result);
    });
    const key = pointer.key; // the record in force
    const record = await new Promise<any>((ok) => {
      const r = store.get(key);
      r.onsuccess = () => ok(r.result);
    });
    new Uint8Array(record.data)[0] ^= 0xff;
    await new Promise((ok) => {
      const r = store.put(record, key);
      r.onsuccess = ok;
    });
  });
  await page.reload();
  await expect(page.getByTestId('runs')).toContainText('Lincoln, small'); // the damaged run keeps its listed name
  await expect(page.getByTestId('damaged')).toContainText('checksum mismatch');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('run')).toHaveCount(0);
});
