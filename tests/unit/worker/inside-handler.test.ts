/**
 * Look inside through the worker's handler, as the page asks for it: a view of the model in hand
 * on a validation stretch or typed text, a unit's trace, a character's memory, refusals in words,
 * no tensors left behind; and how the writing grew, kept through a checkpoint and an export.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { harness } from '../support/harness';
import { isTimelineStep } from '../../../src/engine/timeline';

beforeAll(useCpu);

async function trained(steps = 12) {
  const tab = harness();
  await tab.send({ type: 'init', backend: 'auto' });
  await tab.startTraining();
  await tab.until(() => (tab.of('progress').at(-1)?.progress.step ?? 0) >= steps);
  await tab.stopped();
  return tab;
}

describe('Look inside, through the worker', () => {
  it('refuses in words before there is a model, and for a base not loaded', async () => {
    const tab = harness();
    await tab.send({ type: 'init', backend: 'auto' });
    await expect(tab.client.request({ type: 'inside', model: 'hand', probe: null })).rejects.toMatchObject({
      code: 'no-model',
      message: expect.stringMatching(/press Train/),
    });
    await expect(tab.client.request({ type: 'inside', model: 'base', probe: 'abc' })).rejects.toMatchObject({
      message: expect.stringMatching(/Load the English base/),
    });
    await expect(tab.client.request({ type: 'inside-memory', at: 3 })).rejects.toMatchObject({
      message: expect.stringMatching(/Look inside a text first/),
    });
  });

  it('shows a validation stretch with bits, top-5 and cells; a unit and a memory of it; no tensor left', async () => {
    const tab = await trained();
    const tensors = tf.memory().numTensors;
    const { view } = await tab.client.request({ type: 'inside', model: 'hand', probe: null });
    expect(view.fromValidation).toBe(true);
    expect(view.probe.length).toBeGreaterThan(100);
    expect(view.bits.length).toBe(view.probe.length);
    expect(Number.isNaN(view.bits[0])).toBe(false); // read after context: even the first is predicted
    expect(view.bpc).toBeGreaterThan(0);
    expect(view.topIds.length).toBe(view.probe.length * 5);
    expect(view.cells.some((c) => c.feature === 'space')).toBe(true);
    expect(view.gates).toHaveLength(1);
    const { trace } = await tab.client.request({ type: 'inside-unit', layer: 0, kind: 'c', unit: 3 });
    expect(trace.values.length).toBe(view.probe.length);
    const { memory } = await tab.client.request({ type: 'inside-memory', at: 150 });
    expect(memory.weights.length).toBe(100);
    await expect(tab.client.request({ type: 'inside-unit', layer: 4, kind: 'c', unit: 0 })).rejects.toMatchObject({
      message: expect.stringMatching(/no such unit/),
    });
    for (let i = 0; i < 5; i++) await tab.client.request({ type: 'inside', model: 'hand', probe: 'It was the best' });
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('answers a view with the unit and the memory the panel shows, equal to asking for each after it', async () => {
    const tab = await trained();
    const chosen = { layer: 0, kind: 'h', unit: 5 } as const;
    const first = await tab.client.request({ type: 'inside', model: 'hand', probe: null, unit: chosen, at: 40 });
    const { trace } = await tab.client.request({ type: 'inside-unit', ...chosen });
    const { memory } = await tab.client.request({ type: 'inside-memory', at: 40 });
    expect(first.trace).toEqual(trace);
    expect(first.memory).toEqual(memory);
    // No unit asked for, or one the model lacks: the probe's best cell. The last character has no next.
    const best = first.view.cells[0];
    for (const unit of [
      undefined,
      { layer: 3, kind: 'c', unit: 0 } as const,
      { layer: 0, kind: 'x', unit: 1 },
      { layer: 0, kind: 'c', unit: 1.5 },
    ]) {
      const last = first.view.probe.length - 1;
      const reply = await tab.client.request({
        type: 'inside',
        model: 'hand',
        probe: null,
        unit: unit as never,
        at: last,
      });
      expect([reply.trace.layer, reply.trace.kind, reply.trace.unit]).toEqual([best.layer, best.kind, best.unit]);
      expect(reply.memory).toBeNull();
    }
  });

  it('reads typed text as given, cut at 3,000 characters', async () => {
    const tab = await trained(3);
    const { view } = await tab.client.request({ type: 'inside', model: 'hand', probe: 'It was'.repeat(600) });
    expect(view.fromValidation).toBe(false);
    expect(view.probe).toBe('It was'.repeat(500));
    expect(Number.isNaN(view.bits[0])).toBe(true); // nothing before the first character typed
    await expect(tab.client.request({ type: 'inside', model: 'hand', probe: 'I' })).rejects.toMatchObject({
      message: expect.stringMatching(/at least two characters/),
    });
  });

  it('keeps how the writing grew at steps 1, 2, 5, 10 …, through a save, an export and an import', async () => {
    const tab = await trained(12);
    const entries = tab.of('timeline').map((e) => e.entry);
    expect(entries.map((e) => e.step).slice(0, 4)).toEqual([1, 2, 5, 10]);
    expect(entries.every((e) => isTimelineStep(e.step) && e.text.length === 160)).toBe(true);
    const runId = tab.of('run-started')[0].plan.runId;
    const opened = await tab.client.request({ type: 'open-run', runId });
    expect(opened.opened.timeline).toEqual(entries);
    const exported = await tab.client.request({ type: 'export-run', runId });
    const imported = await tab.client.request({ type: 'import-run', name: 'mine.zip', bytes: exported.bytes });
    expect(imported.opened.timeline).toEqual(entries);
  });
});
