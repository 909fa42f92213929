// Look inside as a person meets it, in the real app in Debian's Chromium on WASM: milliseconds
// from pressing Refresh to every view drawn (probe read, surprise, cells worth a look, gates, the
// chosen unit's trace and the focused character's memory, then one frame), for the English base
// with nothing trained; and the main thread's long tasks while the pointer moves over 100
// characters the probe's box shows (each hover asks the worker for a memory). Run by `npm run bench -- --suite look`
// after the Node part (look.ts); merges its figures into the same JSON (--out).
// --isolated: served with COOP/COEP, as `npm start` serves it (WASM then runs on threads).
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { launchChromium } from './browser.mjs';
import { benchMeta } from './meta.mjs';
import { serve } from '../../scripts/serve.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const out = arg('out', `tests/bench/results/${new Date().toISOString().slice(0, 10)}-look.json`);
const refreshes = Number(arg('refreshes', 7));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

execSync('npx vite build', { stdio: 'inherit' });
const isolated = process.argv.includes('--isolated');
const app = await serve({ root: 'dist', port: 4413, isolated });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
await page.goto('http://localhost:4413/?view=inside');
await page.locator('#backend-choice').selectOption('wasm');
await page.locator('[data-backend="wasm"]').waitFor({ timeout: 120_000 });
const summary = page.getByTestId('inside-summary');
await page.waitForFunction(
  () => /bits\/char/.test(document.querySelector('[data-testid="inside-summary"]')?.textContent ?? ''),
  null,
  {
    timeout: 180_000,
  },
);
const probeChars = await page
  .getByRole('listbox', { name: 'The probe, shaded by surprise' })
  .getByRole('option')
  .count();
console.log(`${(await summary.textContent())?.trim()} (${probeChars} characters on screen)`);

// Request to drawn: the button reads "Reading…" from the click until the last view has arrived.
const drawn = [];
for (let i = 0; i < refreshes; i++) {
  drawn.push(
    await page.evaluate(async () => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Refresh');
      if (!button) throw new Error('no Refresh button');
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
      const start = performance.now();
      button.click();
      await frame();
      while (button.textContent?.trim() !== 'Refresh') await frame();
      await frame(); // the frame that shows it
      return performance.now() - start;
    }),
  );
}
const viewMs = median(drawn);
console.log(
  `all views, request to drawn: median ${viewMs.toFixed(0)} ms over ${refreshes} (${drawn.map((x) => x.toFixed(0)).join(', ')})`,
);

// Hovering: long tasks (over 50 ms, as the browser counts them) while the pointer crosses 100 characters.
await page.evaluate(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({
    type: 'longtask',
  });
});
// The pointer itself moves (one move a frame), over the characters the probe's box shows: a locator's
// hover would run Playwright's own queries over the page's 4,000 characters on the main thread,
// and count them as the page's long tasks.
const points = await page.evaluate(() => {
  const row = document.querySelector('[role="listbox"][aria-label="The probe, shaded by surprise"]');
  if (!row) throw new Error('no probe on the page');
  const box = row.getBoundingClientRect();
  return [...row.querySelectorAll('[role="option"]')]
    .map((span) => span.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.top >= box.top && r.bottom <= box.bottom)
    .map((r) => [r.left + r.width / 2, r.top + r.height / 2]);
});
for (let i = 0; i < 100; i++) {
  const [x, y] = points[(i * 13) % points.length];
  await page.mouse.move(x, y);
  await page.waitForTimeout(16);
}
await page.getByTestId('memory-said').waitFor();
await page.waitForTimeout(1000);
const longTasks = await page.evaluate(() => window.__longTasks);
const hover = {
  hovers: 100,
  longTasks: longTasks.length,
  maxLongTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
};
console.log(
  `100 hovers: ${hover.longTasks} main-thread tasks over 50 ms${hover.longTasks ? `, longest ${hover.maxLongTaskMs.toFixed(0)} ms` : ''}`,
);

const browserName = `Chromium ${browser.version()}`;
await browser.close();
await app.close();
const pagePart = {
  meta: benchMeta(browserName),
  browser: browserName,
  backend: 'wasm',
  isolated,
  probeChars,
  viewDrawnMs: viewMs,
  viewDrawnEachMs: drawn,
  hoverMaxLongTaskMs: hover.maxLongTaskMs,
  hoverLongTasks: hover.longTasks,
};
const merged = existsSync(out) ? { ...JSON.parse(readFileSync(out, 'utf8')), page: pagePart } : { page: pagePart };
writeFileSync(out, JSON.stringify(merged, null, 1) + '\n');
console.log(`wrote ${out}`);
