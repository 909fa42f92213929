// `npm run bench`: builds the app and the bench page, serves both on localhost, drives Debian's
// Chromium (WebGPU enabled) and, per backend, measures the app's own worker against the
// tfjs-examples reference in the same browser. Prints a table; writes bench-results/*.json.
// Options: --seconds 120 --marks 30,60,120 --backends webgpu,webgl,wasm,cpu --ref-seconds 120 --no-ref
//          --batching random|stateful --read-every N
//          --autodiff (also time the autodiff reference LSTM, same run) --text FILE --out FILE
//          --isolated (serve with COOP/COEP: SharedArrayBuffer, so the WASM backend's threads)
//          --torch-threads 1,2 (PyTorch's runs: the first is the ratio's yardstick; default 1)
//          --model UNITS,LAYERS,SEQ,BATCH (default 128,1,64,32: the app's model; e.g. 256,2,128,64)
//          --suite transfer: scratch vs the English base instead (see transfer-suite.mjs)
//          --suite classify [--data FILE.csv] [--seconds N | --steps N] [--out FILE] [--no-page]: the ULMFiT classifier
//          (classify.ts under Node, then classify-page.mjs in the app)
//          --suite look [--text FILE] [--chars 2000] [--at 0.4] [--base DIR] [--train-seconds 60] [--out FILE]
//          [--no-page]:
//          Look inside's views, their cost while training, and the base's cells (look.ts under Node,
//          then look-page.mjs: request to drawn and hover in the app)
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { launchChromium } from './browser.mjs';
import { benchMeta } from './meta.mjs';
import { serve } from '../../scripts/serve.mjs';
import { metaLine, summarise, table } from './report.mjs';

const suite = process.argv.includes('--suite') ? process.argv[process.argv.indexOf('--suite') + 1] : 'train';
if (suite === 'transfer') {
  await import('./transfer-suite.mjs'); // scratch vs the English base in each fine-tune mode
  process.exit(0);
}
if (suite === 'look') {
  // Look inside: the worker's time for each view, the cost of refreshing them while training, and
  // the English base's cells on a text it never read (see look.ts); under Node, WASM
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--suite' && all[i - 1] !== '--suite');
  const quoted = args.map((a) => JSON.stringify(a)).join(' ');
  execSync(`node scripts/run-ts.mjs tests/bench/look.ts ${quoted}`, { stdio: 'inherit' });
  if (!process.argv.includes('--no-page')) execSync(`node tests/bench/look-page.mjs ${quoted}`, { stdio: 'inherit' });
  process.exit(0);
}
if (suite === 'classify') {
  // base vs scratch encoders, all examples and 100 per class (see classify.ts); under Node, WASM
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--suite' && all[i - 1] !== '--suite');
  const quoted = args.map((a) => JSON.stringify(a)).join(' ');
  execSync(`node scripts/run-ts.mjs tests/bench/classify.ts ${quoted}`, { stdio: 'inherit' });
  if (!process.argv.includes('--no-page'))
    execSync(`node tests/bench/classify-page.mjs ${quoted}`, { stdio: 'inherit' });
  process.exit(0);
}

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const seconds = Number(arg('seconds', 120));
const refSeconds = Number(arg('ref-seconds', seconds));
const allMarks = arg('marks', '30,60,120').split(',').map(Number);
const marks = allMarks.filter((m) => m <= seconds); // Inkling's
const refMarks = allMarks.filter((m) => m <= refSeconds);
const backends = arg('backends', 'webgpu,webgl,wasm,cpu').split(',');
const withReference = !process.argv.includes('--no-ref');
const batching = arg('batching', 'random'); // Inkling's batching lever: random rows or stateful streams
const readLossEvery = Number(arg('read-every', 1)); // Inkling's readback lever: steps between loss readbacks
const [units, layers, seqLen, batchSize] = arg('model', '128,1,64,32').split(',').map(Number); // Inkling's and PyTorch's

execSync('npx vite build && npx vite build --config tests/bench/vite.config.ts', { stdio: 'inherit' });
const isolated = process.argv.includes('--isolated'); // COOP/COEP: tfjs' WASM backend then runs XNNPACK on threads
const app = await serve({ root: 'dist', port: 4410, isolated });
const bench = await serve({ root: 'dist-bench', port: 4411, isolated });
const browser = await launchChromium();
const version = browser.version();

/**
 * The real app page while it trains with its defaults on `backend`: main-thread long tasks
 * (>50 ms, with their start relative to pressing Train) and the time from Train to step 1 as a
 * person sees it. Served from 127.0.0.1, another site than the bench page, so it gets a renderer
 * process (and main thread) of its own.
 */
async function appPage(backend, ms) {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) =>
      window.__longTasks.push(...list.getEntries().map((e) => [e.startTime, e.duration])),
    ).observe({ type: 'longtask', buffered: true });
  });
  await page.goto('http://127.0.0.1:4410/');
  await page.locator('[data-backend]:not([data-backend=""])').waitFor({ timeout: 120_000 }); // Auto has chosen
  const auto = await page.locator('[data-backend]').getAttribute('data-backend');
  if (auto !== backend) await page.locator('#backend-choice').selectOption(backend);
  await page.locator(`[data-backend="${backend}"]`).waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="corpus-name"]').waitFor();
  const t0 = await page.evaluate(() => ((window.__longTasks = []), performance.now()));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(
    () => Number.parseInt(document.querySelector('[data-testid="step"]')?.textContent ?? '0') >= 1,
    null,
    { timeout: 120_000 },
  );
  const firstStepMs = (await page.evaluate(() => performance.now())) - t0;
  await page.waitForTimeout(ms);
  const tasks = await page.evaluate(
    (t) => window.__longTasks.map(([start, d]) => [Math.round(start - t), Math.round(d)]),
    t0,
  );
  await page.close();
  return {
    observedMs: ms,
    count: tasks.length,
    longestMs: Math.max(0, ...tasks.map((t) => t[1])),
    tasks,
    firstStepMs,
    autoPicked: auto,
  };
}

/** Native PyTorch on the same model, method, corpus and split, on `threads`; null when torch is missing. */
function nativeTorch(threads = 1) {
  try {
    execSync('/usr/bin/python3 -c "import torch"', { stdio: 'ignore' });
  } catch {
    console.log('\nNative PyTorch: not installed (apt-get install python3-torch), so no PyTorch column.');
    return null;
  }
  console.log(`\n== native PyTorch, ${threads} thread${threads > 1 ? 's' : ''} ==`);
  const model = `${units} ${layers} ${seqLen} ${batchSize}`;
  const command = `/usr/bin/python3 tests/bench/torch_reference.py ${JSON.stringify(textName())} ${seconds} ${marks.join(',')} ${model}`;
  const n = String(threads);
  const env = { ...process.env, TORCH_THREADS: n, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
  const out = JSON.parse(execSync(command, { env, maxBuffer: 64 * 2 ** 20 }).toString());
  delete out.stepMs;
  return { ...out, threads };
}

function torchLine(r, torch) {
  if (!torch) return 'Native PyTorch: not run.';
  const threads = `${torch.threads} thread${torch.threads > 1 ? 's' : ''}`;
  const rows = Object.entries(r.backends).map(([b, x]) => {
    const tps = x.inkling?.targetsPerSec;
    return `  ${b}: ${tps ? Math.round(tps) : '–'} targets/s = ${tps ? (tps / torch.targetsPerSec).toFixed(2) : '–'}× PyTorch on ${threads}`;
  });
  const val = Object.entries(torch.valBpcAt)
    .map(([m, v]) => `${m} s: ${v}`)
    .join(', ');
  return [
    `Native PyTorch ${torch.torch}, ${threads}: ${Math.round(torch.medianMs)} ms/step, ${Math.round(torch.targetsPerSec)} targets/s; val bits/char ${val}`,
    ...rows,
  ].join('\n');
}

function textName() {
  const i = process.argv.indexOf('--text');
  return i > 0 ? process.argv[i + 1] : 'public/corpora/nineteenth-century.txt';
}

const results = {
  meta: benchMeta(`Chromium ${version}`),
  date: new Date().toISOString(),
  browser: `Chromium ${version}`,
  cores: (await import('node:os')).cpus().length,
  seconds,
  refSeconds,
  marks: allMarks,
  batching,
  readLossEvery,
  model: { units, layers, seqLen, batchSize },
  text: textName(),
  backends: {},
};
const page = await browser.newPage();
page.on('console', (m) => m.type() === 'warning' && console.log('  page:', m.text()));
await page.goto('http://localhost:4411/');
results.crossOriginIsolated = await page.evaluate(() => globalThis.crossOriginIsolated);
console.log(`cross-origin isolated: ${results.crossOriginIsolated}`);
await page.waitForFunction(() => window.bench);
const textFile = arg('text', null);
if (textFile) await page.evaluate((t) => window.bench.useText(t), readFileSync(textFile, 'utf8'));
for (const backend of backends) {
  console.log(`\n== ${backend} ==`);
  const run = async (label, fn, ...args) => {
    const t0 = Date.now();
    process.stdout.write(`  ${label}… `);
    try {
      const r = await page.evaluate(fn, args);
      console.log(`${Math.round((Date.now() - t0) / 1000)} s`);
      return r;
    } catch (error) {
      console.log(`failed: ${String(error).split('\n')[0]}`);
      return { error: String(error) };
    }
  };
  const roof = await run('matMul roof', ([b]) => window.bench.roof(b), backend);
  /** Inkling's training run on this page, the app's LSTM path unless `lstm` says otherwise. */
  const train = (label, lstm) =>
    run(
      label,
      ([b, s, m, settings, model]) => window.bench.inkling({ backend: b, seconds: s, marks: m, settings, model }),
      backend,
      seconds,
      marks,
      { batching, readLossEvery, seqLen, batchSize, ...(lstm ? { lstm } : {}) },
      { units, layers },
    );
  const inkling = await train('Inkling');
  const autodiff = process.argv.includes('--autodiff') ? await train('Inkling, autodiff LSTM', 'autodiff') : null;
  const reference = withReference
    ? await run('reference', ([b, s, m]) => window.bench.reference(b, s, m), backend, refSeconds, refMarks)
    : null;
  const calls = await run(
    'kernel and GPU call count',
    ([b, shape, a]) => window.bench.counts(b, shape, a),
    backend,
    { units, layers, seqLen, batchSize },
    process.argv.includes('--autodiff'),
  );
  const tasks = await appPage(backend, 20_000).catch((e) => ({ error: String(e) }));
  const wasmPatch = backend === 'wasm' ? await run('WASM matMul lever', () => window.bench.wasmPatch()) : null;
  results.backends[backend] = {
    ...summarise({
      roof,
      inkling,
      reference,
      autodiff,
      longTasks: tasks,
      calls,
      model: { units, layers, seqLen, batchSize },
    }),
    wasmPatch,
  };
}
await browser.close();
app.close();
bench.close();

mkdirSync('bench-results', { recursive: true });
const file = arg('out', `bench-results/bench-${results.date.slice(0, 16).replace(/[:T]/g, '-')}.json`);
const torchRuns = arg('torch-threads', '1')
  .split(',')
  .map(Number)
  .map((n) => nativeTorch(n));
results.torch = torchRuns[0]; // the ratio's yardstick (one thread unless --torch-threads says otherwise)
if (torchRuns.length > 1) results.torchRuns = torchRuns;
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(
  `\n${metaLine(results.meta)}\n${table(results)}\n${torchRuns.map((t) => torchLine(results, t)).join('\n')}\nWrote ${file}`,
);
