// The classifier as a person meets it, in the real app in Debian's Chromium (on the backend Auto
// picks): seconds from pressing Train classifier (default settings, the spam sample, the English
// base cached) to the first validation accuracy on screen, and milliseconds from each keystroke
// in Try it to the probabilities for that text on screen. Run by `npm run bench -- --suite
// classify` after the Node part (classify.ts); merges its figures into the same JSON (--out).
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
const out = arg('out', `tests/bench/results/${new Date().toISOString().slice(0, 10)}-classify.json`);
const TYPED = 'Congratulations, you have been selected for a FREE cruise! Reply today.';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

execSync('npx vite build', { stdio: 'inherit' });
const isolated = process.argv.includes('--isolated');
const app = await serve({ root: 'dist', port: 4412, isolated });
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto('http://localhost:4412/');
await page.locator('[data-backend]:not([data-backend=""])').waitFor({ timeout: 120_000 });
const backend = await page.locator('[data-backend]').getAttribute('data-backend');
const threads = Number(
  (
    await page
      .getByTestId('wasm-threads')
      .textContent({ timeout: 1000 })
      .catch(() => '1')
  )?.match(/\d+/)?.[0] ?? 1,
);
console.log(`backend ${backend}${isolated ? ', cross-origin isolated' : ''}, ${threads} thread(s)`);
await page.locator('#start-from').selectOption('base'); // the base downloaded and cached once, before timing
await page.getByTestId('base-info').waitFor({ timeout: 120_000 });
await page.locator('#start-from').selectOption('scratch');
await page.getByRole('button', { name: 'Load the spam sample' }).click();
await page.getByTestId('labeled-summary').waitFor();

const t0 = Date.now();
await page.getByRole('button', { name: 'Train classifier' }).click();
await page.getByTestId('classify-accuracy').waitFor({ timeout: 300_000 });
const firstAccuracySec = (Date.now() - t0) / 1000;
const firstAccuracy = await page.getByTestId('classify-accuracy').textContent();
console.log(`first validation accuracy (${firstAccuracy}) on screen ${firstAccuracySec.toFixed(1)} s after Train`);
await page.waitForTimeout(20_000);
await page.getByRole('button', { name: 'Stop classifier' }).click();
await page.getByText('· final').waitFor({ timeout: 300_000 });

// Try it: one keystroke at a time; each answer is on screen when the reasons show that many characters.
const box = page.getByLabel('Try it: type or paste a text');
await box.click();
const answers = [];
for (let i = 0; i < TYPED.length; i++) {
  const start = await page.evaluate(() => performance.now());
  await page.keyboard.type(TYPED[i]);
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="try-probs"]')?.getAttribute('data-chars') === String(n),
    i + 1,
  );
  answers.push((await page.evaluate(() => performance.now())) - start);
}
const tryIt = { keystrokes: answers.length, medianMs: median(answers), maxMs: Math.max(...answers) };
console.log(
  `Try it: keystroke to probabilities on screen, median ${tryIt.medianMs.toFixed(0)} ms, max ${tryIt.maxMs.toFixed(0)} ms`,
);
const browserName = `Chromium ${browser.version()}`;
await browser.close();
await app.close();
const page_ = {
  meta: benchMeta(browserName),
  browser: browserName,
  backend,
  isolated,
  threads,
  firstAccuracySec,
  firstAccuracy,
  tryIt,
  answersMs: answers.map(Math.round),
};
const suite = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {}; // run alone: the page figures only
writeFileSync(out, JSON.stringify({ ...suite, page: page_ }, null, 1) + '\n');
