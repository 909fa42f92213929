/**
 * Every input checked at the door, in the built app (issue 35): a labeled set of 200,000 rows
 * loads; a hostile classifier file is refused in words while the classifier in hand still
 * answers Try it; a settings link asking for refused values says so in one notice.
 */
import { strToU8, zipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { openApp, showView } from './helpers';

/** A small, valid classifier file, written by hand (the importer never reads model.json's topology). */
function classifierFile(edit: (meta: Record<string, unknown>, specs: Record<string, unknown>[]) => void = () => {}) {
  const [V, E, U, H, C] = [5, 3, 4, 6, 2];
  const shapes: [string, number[]][] = [
    ['embedding/embeddings', [V, E]],
    ['lstm_1/kernel', [E, 4 * U]],
    ['lstm_1/recurrent_kernel', [U, 4 * U]],
    ['lstm_1/bias', [4 * U]],
    ['pool_norm/gamma', [3 * U]],
    ['pool_norm/beta', [3 * U]],
    ['pool_dense/kernel', [3 * U, H]],
    ['pool_dense/bias', [H]],
    ['classes/kernel', [H, C]],
    ['classes/bias', [C]],
    ['pool_norm/moving_mean', [3 * U]],
    ['pool_norm/moving_variance', [3 * U]],
  ];
  const specs = shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' }));
  const floats: number[] = [];
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++)
      floats.push(name.endsWith('variance') || name.endsWith('gamma') ? 1 : Math.sin(floats.length) / 2);
  }
  const meta: Record<string, unknown> = {
    format: 'inkling-classifier',
    version: 1,
    name: 'hand-made',
    labels: ['ham', 'spam'],
    vocab: ['a', 'b', 'c', 'd', '\uFFFD'],
    maxLen: 64,
    foldTypography: true,
    encoder: { vocabSize: V, embedDim: E, units: U, layers: 1, dropout: 0 },
    head: { classes: C, hidden: H, dropout: 0.2 },
    start: 'scratch',
    accuracy: null,
    macroF1: null,
    createdAt: '2026-12-05T00:00:00Z',
  };
  edit(meta, specs);
  const model = { format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  return Buffer.from(
    zipSync({
      'model.json': strToU8(JSON.stringify(model)),
      'weights.bin': new Uint8Array(Float32Array.from(floats).buffer),
      'classifier.json': strToU8(JSON.stringify(meta)),
    }),
  );
}

const importClassifier = (page: Page, name: string, buffer: Buffer) =>
  page.getByTestId('classifier-import').setInputFiles({ name, mimeType: 'application/zip', buffer });

test('a labeled CSV of 200,000 rows loads and says how many examples and classes it read', async ({ page }) => {
  await openApp(page);
  await showView(page, 'Classify');
  const lines = ['text,label'];
  for (let i = 0; i < 200_000; i++)
    lines.push(`message ${i} is ${i % 2 ? 'kind and calm' : 'rude and loud'},${i % 2 ? 'ham' : 'spam'}`);
  await page
    .getByTestId('labeled-input')
    .setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByTestId('labeled-summary')).toContainText('big.csv: 200000 examples in 2 classes', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('labeled-summary')).toContainText('ham 100,000 (50%)');
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a hostile classifier file is refused with a sentence, and Try it still answers with the classifier in hand', async ({
  page,
}) => {
  await openApp(page);
  await showView(page, 'Classify');
  await importClassifier(page, 'good.classifier.zip', classifierFile());
  await expect(page.getByTestId('classifier-opened')).toContainText('hand-made (imported)');
  const box = page.getByLabel('Try it: type or paste a text');
  await box.fill('abcabc');
  await expect(page.getByTestId('try-probs')).toHaveAttribute('data-chars', '6');
  await expect(page.getByTestId('try-probs')).toContainText('spam');

  const hostile = classifierFile((meta, specs) => {
    meta.maxLen = 1e9;
    specs[0].dtype = 'int32';
  });
  await importClassifier(page, 'evil.classifier.zip', hostile);
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText(
    'That classifier file cannot be used: classifier.json: the maximum length is 1,000,000,000; it must be a whole number from 8 to 2,000.',
  );
  await expect(notice).toContainText('is still the classifier in hand.');
  await importClassifier(
    page,
    'quantized.classifier.zip',
    classifierFile((_, specs) => (specs[1].quantization = { dtype: 'uint8', scale: 0.01, min: -1 })),
  );
  await expect(notice).toContainText('is quantized, and this format stores plain float32');
  await expect(page.getByTestId('classifier-opened')).toContainText('hand-made (imported)');
  await box.fill('dddd');
  await expect(page.getByTestId('try-probs')).toHaveAttribute('data-chars', '4'); // answered after the refusals
  await expect(page.getByTestId('try-probs')).toContainText('ham');
  await box.fill('abcd'.repeat(5000)); // a 20,000-character paste: the classifier reads its first 64
  await expect(page.getByTestId('try-probs')).toHaveAttribute('data-chars', '64');
});

test('a settings link asking for refused values shows one notice naming each, and keeps the defaults', async ({
  page,
}) => {
  await openApp(page, '?units=1e9&lr=NaN&seq=0&t=Infinity&text=doesnotexist');
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText('The link asked for 1,000,000,000 units; the most is 1,024: kept 128.');
  await expect(notice).toContainText('The link asked for a sequence length of 0; the least is 2: kept 64.');
  await expect(notice).toContainText('a learning rate of "\u2068NaN\u2069"; that is not a number: kept 0.01.');
  await expect(notice).toContainText('the temperatures "\u2068Infinity\u2069"');
  await expect(notice).toContainText('the text "\u2068doesnotexist\u2069", which this page does not have');
  await expect(page.locator('#units')).toHaveValue('128');
});
