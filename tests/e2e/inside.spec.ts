import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { chooseTinyModel, forceBackend, number, openApp, showView } from './helpers';

/** The next-character probabilities shown for the focused character. */
const shownProbs = async (page: Page) =>
  await page.getByTestId('next-p').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-p'))));

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include('#view-inside').analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Waits until the panel has read its probe (the bits/char line is drawn). */
async function viewRead(page: Page): Promise<void> {
  await expect(page.getByTestId('inside-summary')).toContainText('bits/char', { timeout: 120_000 });
  await expect(page.getByTestId('inside-bpc')).toHaveText(/^\d+\.\d\d$/);
}

test('the English base, opened with nothing trained: surprise, five next characters by hover and keyboard, a coloured cell, cells worth a look, axe in both themes', async ({
  page,
}, testInfo) => {
  // axe reads every character of three 2,000-character probes, twice: on two busy cores that alone can take minutes.
  test.slow();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page, '?view=inside');
  await forceBackend(page, 'wasm');
  await expect(page.getByRole('tab', { name: 'Look inside' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#inside-model')).toHaveValue('base'); // nothing trained: the base is what there is
  await viewRead(page);
  await expect(page.getByTestId('inside-summary')).toContainText('validation text');

  // Hover: five next characters, best first, summing to at most 1, and the one that came is marked when among them.
  const probe = page.getByRole('listbox', { name: 'The probe, shaded by surprise' });
  const chars = probe.getByRole('option');
  expect(await chars.count()).toBeGreaterThan(500);
  await chars.nth(10).hover();
  await expect(chars.nth(10)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('inside-next')).toContainText('character 11 of');
  const hovered = await shownProbs(page);
  expect(hovered).toHaveLength(5);
  expect(hovered.reduce((s, p) => s + p, 0)).toBeLessThanOrEqual(1 + 1e-6);
  expect([...hovered].sort((a, b) => b - a)).toEqual(hovered);
  await expect(chars.nth(10)).toHaveAttribute('aria-label', /bits.*Expected next: .*%/);

  // Keyboard: one tab stop; arrows, Home and End move the focus and the five with it.
  await chars.nth(10).focus();
  await page.keyboard.press('ArrowRight');
  await expect(chars.nth(11)).toBeFocused();
  await expect(page.getByTestId('inside-next')).toContainText('character 12 of');
  const keyed = await shownProbs(page);
  expect(keyed).toHaveLength(5);
  expect(keyed.reduce((s, p) => s + p, 0)).toBeLessThanOrEqual(1 + 1e-6);
  await page.keyboard.press('Home');
  await expect(chars.first()).toBeFocused();
  await expect(chars.first()).toHaveAttribute('tabindex', '0');
  await expect(chars.nth(11)).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('End');
  await expect(chars.last()).toBeFocused();
  await expect(page.getByTestId('inside-next')).toContainText('The probe ends here');

  // Memory: what the prediction after the focused character looked back at, in words too.
  await page.keyboard.press('Home');
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('memory-said')).toContainText('(character 31)');
  await expect(page.getByTestId('memory-said')).toContainText('leaned most on');

  // Cells worth a look: the base's units that follow features of the text, with r; one click shows one.
  const worth = page.getByTestId('cells-worth');
  await expect(worth.getByRole('button').first()).toBeVisible();
  await expect(worth).toContainText(/r [+−]0\.\d\d/);
  await expect(worth).toContainText(/word|space|capital/i);
  const pick = worth.getByRole('button').nth(1);
  const [, layer, kind, unit] = /layer (\d+)\s+·\s+([ch])\s+(\d+)/.exec((await pick.textContent()) ?? '')!;
  await pick.click();
  await expect(pick).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#inside-layer')).toHaveValue(String(Number(layer) - 1));
  await expect(page.locator('#inside-kind')).toHaveValue(kind);
  await expect(page.locator('#inside-unit')).toHaveValue(unit);

  // The cell view colours the probe: tints on both sides of zero, each with its value in words.
  const cellProbe = page.getByTestId('cell-probe');
  await expect(cellProbe).toHaveAttribute('data-ready', 'yes');
  const tints = await cellProbe
    .getByRole('option')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).style.backgroundColor));
  const alpha = (c: string) => Number(/rgba\(.*, ([\d.]+)\)/.exec(c)?.[1] ?? (c ? 1 : 0));
  expect(tints.filter((c) => alpha(c) > 0.1).length).toBeGreaterThan(tints.length / 20);
  expect(new Set(tints).size).toBeGreaterThan(10); // shades that follow the value, not one flat colour
  await expect(cellProbe.getByRole('option').first()).toHaveAttribute('aria-label', /: -?\d+\.\d\d, /);
  await page.locator('#inside-kind').selectOption('f');
  await expect(page.getByTestId('cell-reading')).toContainText('forget gate f');
  await expect(cellProbe).toHaveAttribute('data-ready', 'yes');

  // Gates: one plot per layer, with its summary in words.
  await expect(page.getByTestId('gates-plot')).toHaveCount(1);
  await expect(page.locator('#gates-cap-0')).toContainText('forget gate:');

  expect(await seriousViolations(page)).toEqual([]);
  await page.locator('#theme-choice').selectOption('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await seriousViolations(page)).toEqual([]);

  // The picture for the README: the best cell of the probe, a character in the middle of a word focused.
  await worth.getByRole('button').first().click();
  await expect(cellProbe).toHaveAttribute('data-ready', 'yes');
  await chars.nth(42).hover();
  await expect(page.getByTestId('memory-said')).toContainText('(character 43)');
  const shot = testInfo.outputPath('look-inside.png');
  // The top of the view (surprise, cells, memory) is what the README shows; the gates and timeline are below.
  const box = (await page.locator('#view-inside').boundingBox())!;
  await page.screenshot({ path: shot, fullPage: true, clip: { ...box, height: Math.min(box.height, 1500) } });
  await testInfo.attach('look-inside', { path: shot, contentType: 'image/png' });

  // The address carries the view: a reload opens Look inside again.
  expect(new URL(page.url()).searchParams.get('view')).toBe('inside');
  await showView(page, 'Train');
  expect(new URL(page.url()).searchParams.get('view')).toBeNull();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeVisible();
  expect(errors).toEqual([]);
});

test('while a tiny model trains: the model in hand refreshes, the writing grows, and 100 hovers leave numTensors flat', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page);
  await forceBackend(page, 'wasm');
  await chooseTinyModel(page);
  await page.locator('#epochs').fill('50'); // keeps training through the hovers
  await page.locator('#stop-at-best').uncheck();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(5);

  await showView(page, 'Look inside');
  await expect(page.locator('#inside-model')).toHaveValue('hand');
  await viewRead(page);
  await expect(page.getByTestId('inside-summary')).toContainText(/^The model in hand/i);
  await expect(page.getByTestId('timeline')).toContainText('step 1'); // how the writing grew, from the first step
  const chars = page.getByRole('listbox', { name: 'The probe, shaded by surprise' }).getByRole('option');
  await expect(page.getByTestId('memory-said')).toBeVisible(); // the worker keeps what the panel asks of next

  // Tensors after a few refreshes and one memory, then after 100 hovers (each asks what its prediction looked back at).
  const step = await number(page, 'step');
  await expect.poll(() => number(page, 'step')).toBeGreaterThan(step + 8);
  const before = await number(page, 'tensors');
  const count = Math.min(100, await chars.count());
  for (let i = 0; i < 100; i++) await chars.nth((i * 7) % count).hover();
  await expect(page.getByTestId('memory-said')).toContainText(`(character ${((99 * 7) % count) + 1})`);
  const after = await number(page, 'step');
  await expect.poll(() => number(page, 'step')).toBeGreaterThan(after + 8);
  expect(await number(page, 'tensors')).toBe(before);

  await page.getByRole('button', { name: 'Refresh' }).click();
  await viewRead(page);
  await showView(page, 'Train');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');

  // A sample read back by the model that wrote it: its own characters, shaded by surprise.
  await page.getByRole('button', { name: 'Sample now' }).click();
  // The training's samples (160 characters) stay until the new one (300) replaces them.
  await expect
    .poll(async () => ((await page.getByTestId('sample-1').textContent()) ?? '').length, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(300);
  const look = page.getByRole('button', { name: 'Look inside this sample (T = 0.5)' });
  await expect(look).toBeEnabled();
  const sample = (await page.getByTestId('sample-1').textContent()) ?? ''; // as shown: a sample may end in a space
  await look.click();
  expect(new URL(page.url()).searchParams.get('view')).toBe('inside');
  await expect(page.getByTestId('inside-summary')).toContainText(/^The model in hand.*your text/);
  await expect(page.locator('#inside-probe')).toHaveValue(sample);
  await expect(chars).toHaveCount([...sample].length);
  expect(errors).toEqual([]);
});
