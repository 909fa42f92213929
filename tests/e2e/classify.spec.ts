import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { forceBackend, openApp, showView } from './helpers';

/** Short texts, few examples, few epochs: the base's 1×256 encoder then takes well under a second a step on WASM. */
async function tinyClassifier(page: Page, perClass = '100'): Promise<void> {
  await page.locator('#classify-per-class').selectOption(perClass);
  await page.locator('#classify-max-len').fill('64');
  await page.locator('#classify-window').fill('48');
  await page.locator('#classify-epochs').fill('4');
}

const percent = async (page: Page, testId: string) =>
  Number.parseFloat((await page.getByTestId(testId).textContent()) ?? 'NaN');

const SPAMMY = 'Dear friend, you have won a FREE prize! Click here now to claim your $1,000,000 cash offer!!!';

/**
 * The classifier's probabilities in a page on another origin, with stock tfjs and the recipe in
 * src/storage/README.md.
 */
async function strangerProbabilities(page: Page, zipPath: string, text: string): Promise<number[]> {
  const fresh = await page.context().browser()!.newPage();
  await fresh.route('http://stranger.test/**', (route) =>
    route.request().url().endsWith('/tf.min.js')
      ? route.fulfill({ path: 'node_modules/@tensorflow/tfjs/dist/tf.min.js', contentType: 'text/javascript' })
      : route.fulfill({
          body: '<!doctype html><title>s</title><script src="tf.min.js"></script>',
          contentType: 'text/html',
        }),
  );
  await fresh.goto('http://stranger.test/');
  const { unzipSync } = await import('fflate');
  const files = unzipSync(readFileSync(zipPath));
  const probs = await fresh.evaluate(
    async ({ modelJson, weights, meta, text }) => {
      const tf = (window as any).tf;
      const model = await tf.loadLayersModel(
        tf.io.browserFiles([new File([modelJson], 'model.json'), new File([new Uint8Array(weights)], 'weights.bin')]),
      );
      const { vocab, maxLen } = JSON.parse(meta);
      const unknown = vocab.indexOf('\uFFFD');
      const ids = [...text].slice(0, maxLen).map((c: string) => (vocab.includes(c) ? vocab.indexOf(c) : unknown));
      return Array.from(await model.predict(tf.tensor2d([ids])).data()) as number[];
    },
    {
      modelJson: new TextDecoder().decode(files['model.json']),
      weights: Array.from(files['weights.bin']),
      meta: new TextDecoder().decode(files['classifier.json']),
      text,
    },
  );
  await fresh.close();
  return probs;
}

test('classifies the spam sample above chance; Try it answers with reasons; the export reproduces it on another origin; an import trains on', async ({
  page,
}) => {
  await openApp(page);
  await forceBackend(page, 'wasm');
  await showView(page, 'Classify');
  await page.getByRole('button', { name: 'Load the spam sample' }).click();
  await expect(page.getByTestId('labeled-summary')).toContainText('1000 examples in 2 classes');
  await expect(page.getByTestId('labeled-summary')).toContainText('ham 500 (50%)');
  const longer = page.getByTestId('longer');
  await expect(longer).toHaveText('793 texts are longer than 512 characters: the model reads their first 512.');
  await tinyClassifier(page);
  await expect(longer).toContainText('longer than 64 characters'); // follows the field, not the length at loading
  expect(Number.parseInt((await longer.textContent())!, 10)).toBeGreaterThan(793);
  await page.getByRole('button', { name: 'Train classifier' }).click();
  await expect(page.getByTestId('classify-plan')).toContainText(
    'Training on 200 examples (ham 100, spam 100), validating on 200',
  );
  await expect(page.getByTestId('classify-plan')).toContainText(
    'Each step trains on a random 48-character stretch of every longer text.',
  );
  await expect(page.getByTestId('classify-accuracy')).toBeVisible();
  await expect(page.getByTestId('classify-metrics')).toContainText('final', { timeout: 180_000 });
  expect(await percent(page, 'classify-accuracy')).toBeGreaterThan(60);
  await expect(page.getByTestId('confusion')).toContainText('spam');

  const box = page.getByLabel('Try it: type or paste a text');
  await box.fill(SPAMMY);
  await expect(page.getByTestId('try-probs')).toBeVisible();
  const spamFirst = await percent(page, 'prob-spam');
  await expect(page.getByTestId('try-reasons').locator('span').first()).toHaveAttribute('style', /color-mix/);
  await box.fill('Hi Bob, the patch for the kernel module is attached; I ran the tests on my laptop last night.');
  await expect.poll(() => percent(page, 'prob-spam')).not.toBe(spamFirst);
  await box.fill(SPAMMY);
  await expect.poll(() => percent(page, 'prob-spam')).toBe(spamFirst);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export classifier' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.classifier\.zip$/);
  const zipPath = (await download.path())!;
  const theirs = await strangerProbabilities(page, zipPath, SPAMMY);
  const labels = ['ham', 'spam'];
  for (const [i, label] of labels.entries()) {
    expect(theirs[i] * 100).toBeCloseTo(await percent(page, `prob-${label}`), 0); // the page shows one decimal
  }

  // A reload reopens the classifier from this browser's storage; Try it works at once.
  await page.reload();
  await expect(page.getByTestId('classifier-opened')).toContainText('ham, spam');
  await page.getByLabel('Try it: type or paste a text').fill(SPAMMY);
  await expect.poll(() => percent(page, 'prob-spam')).toBe(spamFirst);

  // Import brings an export back; a file that is not one is refused with a message.
  await page
    .getByTestId('classifier-import')
    .setInputFiles({ name: 'x.zip', mimeType: 'application/zip', buffer: Buffer.from('PK junk') });
  await expect(page.getByTestId('notice')).toContainText('cannot be used');
  await page.getByTestId('classifier-import').setInputFiles(zipPath);
  await expect(page.getByTestId('classifier-opened')).toContainText('spam-ham.csv · base (imported)');

  // The classifier in hand (the import) trains further on texts with its labels, at its own length cut.
  await page.getByRole('button', { name: 'Load the spam sample' }).click();
  await page.locator('#classify-per-class').selectOption('100');
  await page.locator('#classify-epochs').fill('2');
  await page.getByRole('button', { name: 'Continue training' }).click();
  const plan = page.getByTestId('classify-plan');
  await expect(plan).toContainText('Continuing the classifier in hand, every layer open. Training on 200 examples');
  await expect(plan).toContainText('texts are cut at 64 characters'); // the field still says 512
  await expect(page.getByTestId('classify-metrics')).toContainText('final', { timeout: 180_000 });
  expect(await percent(page, 'classify-accuracy')).toBeGreaterThan(60);
});

test('bad labeled files each get their own message, and a file with unclear columns asks which is which', async ({
  page,
}) => {
  await openApp(page);
  await showView(page, 'Classify');
  const input = page.getByTestId('labeled-input');
  const cases: [string, string, RegExp][] = [
    ['one.csv', 'text,label\nhello there,x\nworld peace,x\n', /at least two classes/],
    ['small.csv', 'text,label\nhello,x\nworld,x\nlonely,y\n', /fewer than 2 examples/],
    ['many.csv', `text,label\n${Array.from({ length: 42 }, (_, i) => `t${i},c${i % 21}`).join('\n')}\n`, /limit is 20/],
    ['single.csv', 'only one column\nand another row\n', /needs a text column and a label column/],
    ['empty.csv', '', /empty/],
  ];
  for (const [name, text, message] of cases) {
    await input.setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    await expect(page.getByTestId('notice')).toContainText(message);
  }
  const rows = Array.from({ length: 6 }, (_, i) => `${i},a fairly long text number ${i},${i % 2 ? 'y' : 'x'}`);
  await input.setInputFiles({
    name: 'three.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`k,a,b\n${rows.join('\n')}\n9,,x\n`),
  });
  await expect(page.getByTestId('column-question')).toBeVisible();
  await page.getByRole('button', { name: 'Use these columns' }).click();
  await expect(page.getByTestId('labeled-summary')).toContainText('6 examples in 2 classes');
  await expect(page.getByTestId('skipped')).toContainText('1 row without a text or a label was skipped');
});

test('how much pretraining buys: the base encoder, then a scratch one, the same seconds each, on one chart', async ({
  page,
}) => {
  await openApp(page);
  await forceBackend(page, 'wasm');
  await showView(page, 'Classify');
  await page.getByRole('button', { name: 'Load the authors sample' }).click();
  await expect(page.getByTestId('labeled-summary')).toContainText('450 examples in 3 classes');
  await tinyClassifier(page, '25');
  await page.locator('#compare-seconds').fill('4');
  await page.getByRole('button', { name: 'Compare' }).click();
  // while a classifier trains, the language model's Train says why it waits instead of starting a second job
  await showView(page, 'Train');
  await expect(page.locator('#train-blocked')).toHaveText(
    'The classifier is training: let it finish or stop it first.',
  );
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  const finals = page.getByTestId('compare-finals');
  await expect(finals).toContainText(/English base \d+\.\d% accuracy, macro-F1 0\.\d{3}/, { timeout: 120_000 });
  await expect(finals).toContainText(/From scratch \d+\.\d% accuracy, macro-F1 0\.\d{3}/, { timeout: 120_000 });
  await expect(page.getByTestId('classify-plan')).toContainText(
    'Training on 75 examples (Austen 25, Chesterton 25, Melville 25)',
  );
});
