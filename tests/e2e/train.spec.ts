import { expect, test, type Page } from '@playwright/test';
import { forceBackend, number, openApp, startTinyTraining, trainTinyUntilItLearns } from './helpers';

test('trains the default sample on WebGPU: loss falls, text streams, pause/resume/stop, sample again', async ({
  page,
}, testInfo) => {
  await openApp(page);
  await forceBackend(page, 'webgpu');
  await expect(page.getByTestId('adapter')).toContainText('software fallback adapter');
  await expect(page.getByTestId('backend-notice')).toContainText('WebGPU runs in software');

  // The first validation estimate is taken before any step: near log2(alphabet) bits/char.
  const firstVal = await startTinyTraining(page);
  expect(firstVal).toBeGreaterThan(5);

  // Samples stream in while training (the prime is shown first, then generated characters).
  const prime = await page.locator('#prime').inputValue();
  await expect
    .poll(async () => ((await page.getByTestId('sample-1').textContent()) ?? '').length)
    .toBeGreaterThan(prime.length + 20);

  await expect.poll(() => number(page, 'step'), { timeout: 150_000 }).toBeGreaterThanOrEqual(40);
  const tensors = await number(page, 'tensors');
  expect(await number(page, 'val-bpc')).toBeLessThan(firstVal - 1);
  expect(await number(page, 'chars-per-sec')).toBeGreaterThan(0);
  const shot = testInfo.outputPath('mid-training.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('mid-training', { path: shot, contentType: 'image/png' });

  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(60);
  expect(await number(page, 'tensors')).toBe(tensors); // no leak across steps and samples

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('status')).toHaveText('paused');
  const pausedAt = await number(page, 'step');
  await page.waitForTimeout(2000);
  expect(await number(page, 'step')).toBe(pausedAt);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => number(page, 'step')).toBeGreaterThan(pausedAt);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');

  // Sample again without training, at a new temperature and from a new prime.
  await page.locator('#prime').fill('The Union ');
  await page.locator('#temp-0').fill('0');
  await page.getByRole('button', { name: 'Sample now' }).click();
  await expect(page.getByText('T = 0', { exact: true })).toBeVisible();
  await expect.poll(async () => (await page.getByTestId('sample-0').textContent())?.length ?? 0).toBeGreaterThan(100);
  await expect(page.getByTestId('sample-0')).toContainText('The Union ');
  await expect(page.getByTestId('status')).toHaveText('stopped');
});

test("trains on WASM when forced: the .wasm comes from the page's own origin, and the loss falls", async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(r.url());
  });
  await openApp(page);
  await forceBackend(page, 'wasm');
  expect(wasm.length).toBeGreaterThan(0);
  for (const url of wasm) expect(new URL(url).origin).toBe(new URL(page.url()).origin);
  await expect(page.getByTestId('backend')).toHaveText('WASM');
  await trainTinyUntilItLearns(page);
});

test('trains on WebGL when forced: the loss falls, samples stream, the tensor count holds', async ({ page }) => {
  await openApp(page);
  await forceBackend(page, 'webgl');
  await expect(page.getByTestId('backend')).toHaveText('WebGL');
  // Chosen, not measured: the notice does not call it the fastest way (this machine's GPU is emulated).
  await expect(page.getByTestId('backend-notice')).toContainText('(WebGL, as you chose)');
  const firstVal = await startTinyTraining(page);
  // Each step stacks its timesteps by framebuffer blits (src/engine/kernels/webgl/concat.ts), forward
  // and backward.
  await expect.poll(() => number(page, 'step'), { timeout: 120_000 }).toBeGreaterThanOrEqual(40);
  const tensors = await number(page, 'tensors');
  await expect.poll(() => number(page, 'val-bpc')).toBeLessThan(firstVal - 1);
  const prime = await page.locator('#prime').inputValue();
  await expect
    .poll(async () => ((await page.getByTestId('sample-1').textContent()) ?? '').length)
    .toBeGreaterThan(prime.length + 20);
  await expect.poll(() => number(page, 'step')).toBeGreaterThanOrEqual(60);
  expect(await number(page, 'tensors')).toBe(tensors); // no leak across steps and samples
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('status')).toHaveText('stopped');
});

/** The per-backend trial times Auto shows under "How the backend was chosen". */
async function trialTimes(page: Page): Promise<Record<string, number>> {
  const text = (await page.getByTestId('backend-trials').textContent()) ?? '';
  return Object.fromEntries([...text.matchAll(/(\w+): (\d+) ms per trial step/g)].map((m) => [m[1], Number(m[2])]));
}

/** The WebGPU adapter this browser offers: 'software' (a fallback adapter), 'hardware', or 'none'. */
async function adapterKind(page: Page): Promise<'software' | 'hardware' | 'none'> {
  return page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return 'none';
    const fallback = (adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return (fallback ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter)
      ? 'software'
      : 'hardware';
  });
}

test('Auto times a training step on each backend worth timing and keeps the fastest', async ({ page }) => {
  await openApp(page);
  const backend = page.getByTestId('backend');
  const adapter = await adapterKind(page);
  await page.getByText('How the backend was chosen').click();
  const trials = page.getByTestId('backend-trials');
  await expect(trials).toContainText('cpu: not timed (WASM runs the same work several times faster)');
  if (adapter === 'software') {
    // A software adapter is never timed when WebGL or WASM works: its shaders alone take tens of seconds.
    await expect(page.getByTestId('backend-notice')).toContainText('Your graphics card is not available to this page');
    await expect(trials).toContainText('webgpu: software adapter, not timed');
  }
  const times = await trialTimes(page);
  expect(Object.keys(times).sort()).toEqual(adapter === 'hardware' ? ['wasm', 'webgl', 'webgpu'] : ['wasm', 'webgl']);
  const fastest = Object.entries(times).sort((a, b) => a[1] - b[1])[0][0];
  await expect(backend).toHaveAttribute('data-backend', fastest);

  // A later visit reuses the measured pick at once; choosing Auto again measures afresh.
  await page.reload();
  await expect(backend).toHaveAttribute('data-backend', fastest);
  await page.getByText('How the backend was chosen').click();
  await expect(trials).toContainText(`${fastest}: measured fastest on an earlier visit`);
  await page.locator('#backend-choice').selectOption('cpu');
  await expect(backend).toHaveAttribute('data-backend', 'cpu');
  await page.locator('#backend-choice').selectOption('auto');
  await expect(trials).toContainText(/wasm: \d+ ms per trial step/);
  const again = await trialTimes(page);
  await expect(backend).toHaveAttribute('data-backend', Object.entries(again).sort((a, b) => a[1] - b[1])[0][0]);
});
