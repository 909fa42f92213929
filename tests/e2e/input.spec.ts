import { expect, test } from '@playwright/test';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropFiles, openApp } from './helpers';

const PROSE =
  'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. '.repeat(
    20,
  );
const notice = (page: import('@playwright/test').Page) => page.getByTestId('notice');

test.beforeEach(async ({ page }) => {
  await openApp(page);
});

test('loads a file chosen with the button', async ({ page }) => {
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'austen.txt', mimeType: 'text/plain', buffer: Buffer.from(PROSE) });
  await expect(page.getByTestId('corpus-name')).toHaveText('austen.txt');
  await expect(page.getByTestId('corpus-distinct')).toHaveText('26 distinct characters');
  await expect(page.locator('.preview')).toContainText('truth universally acknowledged');
  await expect(page.locator('#prime')).toHaveValue(/^It is a truth/);
});

test('loads a file dropped anywhere on the page', async ({ page }) => {
  await dropFiles(page, [{ name: 'dropped.txt', text: PROSE }]);
  await expect(page.getByTestId('corpus-name')).toHaveText('dropped.txt');
});

test('loads pasted text', async ({ page }) => {
  await page.getByText('Paste text').click();
  await page.locator('#paste').fill(PROSE);
  await page.getByRole('button', { name: 'Use pasted text' }).click();
  await expect(page.getByTestId('corpus-name')).toHaveText('Pasted text');
});

test('with several files dropped, loads the first and says so', async ({ page }) => {
  await dropFiles(page, [
    { name: 'a.txt', text: PROSE },
    { name: 'b.txt', text: PROSE },
  ]);
  await expect(page.getByTestId('corpus-name')).toHaveText('a.txt');
  await expect(notice(page)).toContainText('2 items were dropped');
  await expect(notice(page)).toContainText('ignored the other one');
});

const BAD_FILES: { title: string; name: string; bytes: number[]; message: RegExp }[] = [
  { title: 'an empty file', name: 'empty.txt', bytes: [], message: /"\u2068empty\.txt\u2069" is empty/ },
  {
    title: 'an image',
    name: 'cat.png',
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13],
    message: /looks like a PNG image, not text/,
  },
  {
    title: 'bytes that are not UTF-8',
    name: 'latin1.txt',
    bytes: [...Buffer.from('Caf'), 0xe9, ...Buffer.from(' au lait. '.repeat(50))],
    message: /not valid UTF-8/,
  },
  {
    title: 'a text shorter than one batch needs',
    name: 'short.txt',
    bytes: [...Buffer.from('Too short to learn from.')],
    message: /has 24 characters.*needs at least 650/,
  },
];

for (const bad of BAD_FILES) {
  test(`refuses ${bad.title} with a clear message and keeps the previous text`, async ({ page }) => {
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: bad.name, mimeType: 'application/octet-stream', buffer: Buffer.from(bad.bytes) });
    await expect(notice(page)).toContainText(bad.message);
    await expect(page.getByTestId('corpus-name')).toContainText('Lincoln');
    await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  });
}

test('refuses a file over 50 MB by its size, without reading it', async ({ page }) => {
  const path = join(mkdtempSync(join(tmpdir(), 'inkling-')), 'huge.txt');
  writeFileSync(path, '');
  truncateSync(path, 50 * 1024 * 1024 + 1);
  await page.getByTestId('file-input').setInputFiles(path);
  await expect(notice(page)).toContainText('"\u2068huge.txt\u2069" is 50.0 MB; the limit is 50.0 MB');
  await expect(page.getByTestId('corpus-name')).toContainText('Lincoln');
});

test('caps a huge alphabet and tells the user', async ({ page }) => {
  let text = PROSE;
  for (let i = 0; i < 2000; i++) text += String.fromCodePoint(0x4e00 + i);
  await dropFiles(page, [{ name: 'hanzi.txt', text }]);
  await expect(page.getByTestId('corpus-name')).toHaveText('hanzi.txt');
  await expect(notice(page)).toContainText('2,026 distinct characters');
  await expect(notice(page)).toContainText('1,771 rare ones share one "unknown" symbol');
});

test('refuses invalid settings in the form with a reason', async ({ page }) => {
  await page.locator('#layers').fill('4');
  await page.locator('#learningRate').fill('');
  await expect(page.locator('#layers-error')).toHaveText('Must be between 1 and 3.');
  await expect(page.locator('#learningRate-error')).toHaveText('Enter a number.');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(page.locator('#train-blocked')).toHaveText('Fix the highlighted settings first.');
  await page.locator('#layers').fill('2');
  await page.locator('#learningRate').fill('0.01');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});

test('says so when the worker crashes and restarts it', async ({ page }) => {
  const backend = await page.getByTestId('backend').getAttribute('data-backend');
  const [worker] = page.workers();
  expect(worker).toBeDefined();
  await worker.evaluate(() =>
    setTimeout(() => {
      throw new Error('simulated crash');
    }, 0),
  );
  await expect(notice(page)).toContainText('The training worker crashed');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await page.getByRole('button', { name: 'Restart the worker' }).click();
  await expect(notice(page)).toBeHidden();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend!);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});
