import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { bytes, harness, tinySettings } from '../support/harness';
import { BASE_URL, memorySources, tinyBaseFiles } from '../support/base-fixture';
import { BaseLoader } from '../../../src/worker/base-loader';
import { Patience } from '../../../src/run/patience';
import { importZip } from '../../../src/storage/import-zip';
import type { Settings } from '../../../src/config/settings';

/** Feeds scripted (val, train) checks, one every 10 steps; returns each state. */
function script(patience: number, checks: [val: number, train: number][]) {
  const p = new Patience(patience);
  return checks.map(([val, train], i) => p.record(i * 10, val, train));
}

describe('the patience rule', () => {
  it('counts checks since the best and is spent at the patience', () => {
    const states = script(3, [
      [4.0, 4.1],
      [3.0, 3.0],
      [3.2, 2.8],
      [3.1, 2.6],
      [3.3, 2.5],
      [3.4, 2.4],
    ]);
    expect(states.map((s) => s.sinceBest)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(states.map((s) => s.spent)).toEqual([false, false, false, false, true, true]);
    expect(states.at(-1)!.best).toEqual({ step: 10, valBpc: 3.0, trainBpc: 3.0 });
    expect(states.at(-1)!.memorising).toBe(true); // training fell from 3.0 to 2.4 meanwhile
  });

  it('a new best resets the count; a tie is no improvement', () => {
    const states = script(2, [
      [3.0, 3.0],
      [3.1, 2.9],
      [2.9, 2.8], // new best: the count starts again
      [2.9, 2.7], // a tie
      [2.95, 2.6],
    ]);
    expect(states.map((s) => s.sinceBest)).toEqual([0, 1, 0, 1, 2]);
    expect(states.map((s) => s.spent)).toEqual([false, false, false, false, true]);
  });

  it('is not memorising when the training figure rose too (divergence, not memorising)', () => {
    const states = script(2, [
      [3.0, 3.0],
      [3.5, 3.4],
      [4.0, 3.9],
    ]);
    expect(states.at(-1)).toMatchObject({ sinceBest: 2, spent: true, memorising: false });
  });

  it('a resumed run must beat its earlier best', () => {
    const p = new Patience(2, { step: 100, valBpc: 2.0, trainBpc: 1.9 });
    expect(p.record(110, 2.1, 1.8)).toMatchObject({ sinceBest: 1, best: { step: 100 } });
    expect(p.record(120, 1.99, 1.7)).toMatchObject({ sinceBest: 0, best: { step: 120 } });
  });
});

/** Training on "ab…" and validating on "cd…": validation can only get worse once it starts learning. */
const MEMORISE = 'ab'.repeat(900) + 'cd'.repeat(100);

function memoriseSettings(stopAtBest: boolean, epochs = 40): Settings {
  const s = tinySettings(epochs);
  Object.assign(s.train, { stopAtBest, patience: 3, evalEvery: 4, learningRate: 0.05 });
  return s;
}

async function trainToTheEnd(stopAtBest: boolean, epochs?: number) {
  const h = harness();
  await h.send({ type: 'init', backend: 'auto', remembered: null });
  await h.send({ type: 'load-corpus', name: 'm.txt', bytes: bytes(MEMORISE), valFraction: 0.1 });
  const sample = { prime: 'ab', temperatures: [1], length: 2 };
  await h.send({ type: 'train', settings: memoriseSettings(stopAtBest, epochs), sample, resume: false });
  await h.until(() => h.of('status').at(-1)?.status === 'finished');
  const plan = h.of('run-started')[0].plan;
  await h.send({ type: 'export-run', runId: plan.runId });
  const exported = importZip(new Uint8Array(h.of('export')[0].bytes), 'x.zip');
  return { h, plan, exported };
}

describe('stop at the best, in the worker', () => {
  beforeAll(useCpu);

  it('ends by itself once validation has not improved for the patience; the model in hand is the best, bit for bit', async () => {
    const { h, plan, exported } = await trainToTheEnd(true);
    const vals = h.of('val');
    const last = vals.at(-1)!;
    expect(last.sinceBest).toBe(3); // it stopped at the check that spent the patience
    expect(exported.meta.step).toBeLessThan(plan.totalSteps); // before its epochs were done
    expect(exported.meta.step).toBe(last.step);
    const kept = h.of('kept-best');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ early: true, patience: 3, best: { step: exported.meta.bestStep } });
    expect(kept[0].lastValBpc).toBeGreaterThan(kept[0].best.valBpc);
    // The weights in hand (exported from the worker's model) are the best-validation copy, bit for bit.
    expect(exported.best.length).toBe(exported.weights.length);
    exported.weights.forEach((w, i) => expect(w.values).toEqual(exported.best[i].values));
    const same = exported.weights.every((w, i) => w.values.every((v, k) => Object.is(v, exported.best[i].values[k])));
    expect(same).toBe(true);
    // Sampling and a fresh estimate now read the best model: the same figure as the best check.
    await h.send({ type: 'evaluate' });
    expect(h.of('val').at(-1)!.valBpc).toBe(exported.meta.bestValBpc);
    expect(h.of('error')).toEqual([]);
  });

  it('turned off, it trains on to the end of its epochs and keeps the last weights in hand', async () => {
    const { h, plan, exported } = await trainToTheEnd(false, 6);
    expect(exported.meta.step).toBe(plan.totalSteps);
    expect(h.of('val').some((v) => v.sinceBest >= 3 && v.memorising)).toBe(true); // the page could say so
    expect(h.of('kept-best')).toEqual([]);
    const same = exported.weights.every((w, i) => w.values.every((v, k) => Object.is(v, exported.best[i].values[k])));
    expect(same).toBe(false);
  });

  it('Continue training after a stop goes on from the best weights and must beat the best again', async () => {
    const { h, exported } = await trainToTheEnd(true);
    const sample = { prime: 'ab', temperatures: [1], length: 2 };
    const before = h.of('val').length;
    await h.send({ type: 'train', settings: memoriseSettings(true), sample, resume: true });
    await h.until(() => h.of('status').at(-1)?.status === 'finished' && h.of('val').length > before);
    const after = h.of('val').slice(before);
    expect(after[0].best.step).toBe(exported.meta.bestStep); // the earlier best still counts
    expect(after.at(-1)!.sinceBest).toBe(3);
    expect(h.of('error')).toEqual([]);
  });
});

describe('stop at the best, in a race', () => {
  beforeAll(useCpu);

  it('each lane stops at its own best; the saved runs are the best models; the verdict gives the best figures', async () => {
    const { sources } = memorySources(await tinyBaseFiles());
    const h = harness(undefined, undefined, new BaseLoader(sources));
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'm.txt', bytes: bytes(MEMORISE), valFraction: 0.1 });
    await h.send({ type: 'load-base', url: BASE_URL });
    const settings = memoriseSettings(true);
    settings.train.patience = 2;
    const sample = { prime: 'ab', temperatures: [1], length: 2 };
    await h.send({ type: 'race', settings, sample, seconds: 30, mode: 'all' });
    await h.until(() => h.of('race-status').at(-1)?.status === 'done');
    const vals = h.of('race-val');
    const result = h.of('race-result')[0];
    for (const lane of ['scratch', 'base'] as const) {
      const curve = vals.filter((v) => v.lane === lane);
      expect(curve.at(-1)!.frozen).toBe(true); // it stopped by itself, long before 30 s
      expect(curve.at(-1)!.seconds).toBeLessThan(30);
      await h.send({ type: 'export-run', runId: result.runIds[lane] });
      const saved = importZip(new Uint8Array(h.of('export').at(-1)!.bytes), 'x.zip');
      const same = saved.weights.every((w, i) => w.values.every((v, k) => Object.is(v, saved.best[i].values[k])));
      expect(same).toBe(true);
      const best = Math.min(...curve.filter((v) => v.seconds > 0).map((v) => v.valBpc));
      expect(result.verdict!.best[lane]!.valBpc).toBe(best);
    }
    expect(result.verdict!.text).toMatch(/Best: pretrained .* bits\/char at .*; each saved run is its best model\./);
    expect(result.verdict!.text).toMatch(/The model from scratch stopped at \d+ s/);
    expect(h.of('error')).toEqual([]);
  });
});
