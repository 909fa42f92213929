// Turns raw bench measurements into figures (medians, ratios) and a printable table.
const WARMUP = 3; // steps left out of the steady-state figures (shader compilation, first allocations)

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function steps(stepMs) {
  const steady = stepMs.length > WARMUP + 2 ? stepMs.slice(WARMUP) : stepMs.slice(1);
  return {
    first: stepMs[0] ?? null,
    median: median(steady),
    min: steady.length ? Math.min(...steady) : null,
    max: steady.length ? Math.max(...steady) : null,
    count: stepMs.length,
  };
}

/** Matrix-multiply FLOPs of one training step (3x the forward pass), as in flops.ts. */
function flops({ vocab, embed, units, layers, batch, seqLen, targets }) {
  const rows = batch * seqLen;
  let forward = embed > 0 ? 2 * rows * vocab * embed : 0;
  for (let l = 0; l < layers; l++) forward += 2 * rows * ((l === 0 ? embed || vocab : units) + units) * 4 * units;
  return 3 * (forward + 2 * batch * targets * units * vocab);
}

function side(raw, shape, coverPerTarget, roof) {
  if (!raw || raw.error) return raw ?? null;
  const s = steps(raw.stepMs);
  const perStep = shape.batch * shape.targets;
  const targetsPerSec = s.median ? (perStep * 1000) / s.median : null;
  const gflops = s.median ? flops(shape) / (s.median / 1000) / 1e9 : null;
  return {
    steps: s,
    targetsPerSec,
    corpusCharsPerSec: targetsPerSec && targetsPerSec * coverPerTarget,
    valBpcAt: Object.fromEntries(raw.valAt.map((v) => [v.mark, +v.bpc.toFixed(3)])),
    gflops,
    roofPercent: gflops && roof?.gflops ? (100 * gflops) / roof.gflops : null,
  };
}

/** The step's call counts (count.worker.ts) beside the timings; the autodiff path's under autodiff. */
function withCalls(out, calls) {
  if (!calls || calls.error) return { ...out, calls };
  const { autodiff: reference, ...fused } = calls;
  if (out.inkling && !out.inkling.error) Object.assign(out.inkling, fused);
  if (reference && out.autodiff && !out.autodiff.error) Object.assign(out.autodiff, reference);
  return out;
}

/**
 * `model`: the shape both Inkling runs trained (units, layers, seqLen, batchSize; embedding 32,
 * every position a target), which the GFLOP/s figures count.
 */
export function summarise({ roof, inkling, reference, autodiff, longTasks, calls, model }) {
  const out = { roof, longTasks };
  if (inkling && !inkling.error) {
    const { info } = inkling;
    const { units, layers, seqLen, batchSize } = model;
    const shape = { vocab: info.vocabSize, embed: 32, units, layers, batch: batchSize, seqLen, targets: seqLen };
    out.inkling = {
      ...side(inkling, shape, 1, roof),
      timeToFirstStepMs: inkling.timeToFirstStepMs,
      adapter: inkling.adapter,
      tensors: [inkling.tensorsFirst, inkling.tensorsLast],
      gpuBytes: [inkling.gpuBytesFirst, inkling.gpuBytesLast],
      saveStallMs: inkling.saveStallMs,
      generation: inkling.generation,
      generationCold: inkling.generationCold,
    };
  } else out.inkling = inkling;
  if (reference && !reference.error) {
    const shape = { vocab: reference.vocab, embed: 0, units: 128, layers: 1, batch: 128, seqLen: 40, targets: 1 };
    out.reference = { ...side(reference, shape, 3, roof), tensorsAfter: reference.tensorsAfter };
  } else out.reference = reference;
  if (autodiff && !autodiff.error) {
    out.autodiff = {
      steps: steps(autodiff.stepMs),
      valBpcAt: Object.fromEntries(autodiff.valAt.map((v) => [v.mark, +v.bpc.toFixed(3)])),
    };
  } else if (autodiff) out.autodiff = autodiff;
  const a = out.inkling?.targetsPerSec;
  const b = out.reference?.targetsPerSec;
  out.targetsRatio = a && b ? a / b : null;
  return withCalls(out, calls);
}

/** "kernels (GPU calls)" of one training step, e.g. "218 (423 draws)". */
function callsCell(x) {
  if (!x?.kernelsPerStep) return '–';
  const gpu = x.dispatchesPerStep ?? x.drawsPerStep;
  const what = x.dispatchesPerStep !== undefined ? 'dispatches' : 'draws';
  return gpu === undefined ? String(x.kernelsPerStep) : `${x.kernelsPerStep} (${gpu} ${what})`;
}

const fmt = (v, d = 1) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : typeof v === 'number' ? v.toFixed(d) : String(v);

/** One line naming the run (meta.mjs), printed above the table so a pasted table keeps its origin. */
export function metaLine(meta) {
  if (!meta) return '';
  const dirty = meta.dirty ? ' (uncommitted changes)' : '';
  const cpu = `${meta.cpu.model}, ${meta.cpu.cores} cores`;
  return `commit ${meta.commit}${dirty} · ${meta.command ?? ''} ${meta.argv.join(' ')} · ${cpu} · ${meta.browser ?? 'Node'} · tfjs ${meta.tfjs} · ${meta.date}`;
}

export function table(results) {
  const rows = [['backend', 'metric', 'Inkling', 'reference', 'Inkling ÷ reference']];
  for (const [backend, r] of Object.entries(results.backends)) {
    const i = r.inkling ?? {};
    const f = r.reference ?? {};
    const ratio = (x, y) => (x && y ? `${(x / y).toFixed(1)}×` : '–');
    rows.push([
      backend,
      'ms/step median (min–max)',
      `${fmt(i.steps?.median, 0)} (${fmt(i.steps?.min, 0)}–${fmt(i.steps?.max, 0)})`,
      `${fmt(f.steps?.median, 0)} (${fmt(f.steps?.min, 0)}–${fmt(f.steps?.max, 0)})`,
      ratio(i.steps?.median, f.steps?.median),
    ]);
    if (r.autodiff?.steps) {
      const ad = r.autodiff.steps;
      rows.push([
        '',
        'autodiff LSTM ms/step (fused is ×)',
        `${fmt(ad.median, 0)} (${fmt(ad.min, 0)}–${fmt(ad.max, 0)})`,
        '',
        ratio(ad.median, i.steps?.median),
      ]);
    }
    rows.push([
      '',
      'first step ms',
      fmt(i.steps?.first, 0),
      fmt(f.steps?.first, 0),
      ratio(i.steps?.first, f.steps?.first),
    ]);
    rows.push(['', 'Train pressed → first step done ms', fmt(i.timeToFirstStepMs, 0), '', '']);
    rows.push(['', 'kernels (GPU calls) per step', callsCell(i), '', '']);
    if (r.autodiff?.kernelsPerStep)
      rows.push(['', 'autodiff LSTM: kernels (GPU calls)', callsCell(r.autodiff), '', '']);
    rows.push([
      '',
      'targets/s',
      fmt(i.targetsPerSec, 0),
      fmt(f.targetsPerSec, 1),
      ratio(i.targetsPerSec, f.targetsPerSec),
    ]);
    rows.push([
      '',
      'corpus chars/s',
      fmt(i.corpusCharsPerSec, 0),
      fmt(f.corpusCharsPerSec, 1),
      ratio(i.corpusCharsPerSec, f.corpusCharsPerSec),
    ]);
    for (const m of results.marks)
      rows.push([
        '',
        `val bits/char @${m}s`,
        fmt(i.valBpcAt?.[m], 3),
        fmt(f.valBpcAt?.[m], 3),
        ratio(i.valBpcAt?.[m], f.valBpcAt?.[m]),
      ]);
    rows.push([
      '',
      'GFLOP/s (% of matMul roof)',
      `${fmt(i.gflops, 2)} (${fmt(i.roofPercent, 0)}%)`,
      `${fmt(f.gflops, 2)} (${fmt(f.roofPercent, 0)}%)`,
      `${ratio(i.gflops, f.gflops)} · roof ${fmt(r.roof?.gflops, 2)}${r.roof?.threads > 1 ? ` on ${r.roof.threads} threads` : ''}`,
    ]);
    rows.push([
      '',
      'generation chars/s (first call)',
      `${fmt(i.generation?.charsPerSec, 0)} (${fmt(i.generationCold?.charsPerSec, 0)})`,
      '',
      '',
    ]);
    rows.push(['', 'long tasks (>50 ms) in 20 s, app page', fmt(r.longTasks?.count, 0), '', '']);
    rows.push(['', 'app page: Train → step 1 ms', fmt(r.longTasks?.firstStepMs, 0), '', '']);
    rows.push([
      '',
      'tensors first→last',
      `${i.tensors?.[0] ?? '–'}→${i.tensors?.[1] ?? '–'}`,
      `${f.tensorsAfter ?? '–'} after`,
      '',
    ]);
    rows.push(['', 'GPU bytes first→last', `${i.gpuBytes?.[0] ?? '–'}→${i.gpuBytes?.[1] ?? '–'}`, '', '']);
    if (r.wasmPatch?.stockMs)
      rows.push([
        '',
        'probe step ms, stock → patched matMul',
        `${fmt(median(r.wasmPatch.stockMs), 0)} → ${fmt(median(r.wasmPatch.patchedMs), 0)}`,
        '',
        ratio(median(r.wasmPatch.stockMs), median(r.wasmPatch.patchedMs)),
      ]);
    rows.push(['', 'autosave stall ms', (i.saveStallMs ?? []).map((x) => x.toFixed(0)).join(', ') || '–', '', '']);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join('  ')).join('\n');
}
