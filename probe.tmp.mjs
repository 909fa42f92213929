import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu','--enable-unsafe-swiftshader','--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
page.on('console', (m) => { if (m.type() !== 'log') console.log('console:', m.type(), m.text().slice(0, 200)); });
await page.goto('http://localhost:4310/inkling/');
await page.getByTestId('corpus-stats').waitFor();
const fill = async (id, v) => page.locator('#' + id).fill(String(v));
await fill('units', 32); await fill('seqLen', 16); await fill('batchSize', 8); await fill('evalEvery', 3); await fill('sampleEverySec', 10); await fill('embedDim', 16);
const t0 = Date.now();
await page.getByRole('button', { name: 'Train' }).click();
for (let i = 0; i < 16; i++) {
  await page.waitForTimeout(5000);
  const s = await page.getByTestId('step').textContent();
  const tb = await page.getByTestId('train-bpc').textContent();
  const vb = await page.getByTestId('val-bpc').textContent();
  const sm = await page.getByTestId('sample-1').textContent().catch(() => '');
  console.log(((Date.now()-t0)/1000).toFixed(0)+'s', 'step', s, 'train', tb, 'val', vb, 'tensors', await page.getByTestId('tensors').textContent(), JSON.stringify(sm.slice(-40)));
}
await page.screenshot({ path: '/tmp/shots/training.png', fullPage: true });
await browser.close();
