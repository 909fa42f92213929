import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { BASE_URL, memorySources, tinyBaseFiles } from '../support/base-fixture';
import { bytes, harness, TEXT, tinySettings } from '../support/harness';
import { raceVerdict } from '../../../src/run/race-verdict';
import { raceChart } from '../../../src/state/series';
import { BaseLoader } from '../../../src/worker/base-loader';
import { importZip } from '../../../src/storage/import-zip';
import { BASE_FILES, decodeBaseWeights, validateBaseMeta } from '../../../src/storage/base-model';

describe('the race verdict', () => {
  it('measures scratch against the pretrained figure a tenth of the way in', () => {
    const base: [number, number][] = [
      [0, 3],
      [6, 2.1],
      [12, 2.0],
      [120, 1.8],
    ];
    const scratch: [number, number][] = [
      [0, 6.6],
      [60, 2.5],
      [100, 2.05],
      [110, 2.09],
      [120, 1.99],
    ];
    expect(raceVerdict({ base, scratch }, 120)).toMatchObject({
      target: 2.0,
      baseSeconds: 12,
      scratchSeconds: 120,
      text: 'The pretrained model reached 2.00 bits/char in 12 s; from scratch it took 120 s.',
    });
    const slow = scratch.map(([s, v]) => [s, v + 1] as [number, number]);
    expect(raceVerdict({ base, scratch: slow }, 300)!.text).toBe(
      'The pretrained model reached 1.80 bits/char in 120 s; from scratch, never, in 300 s.',
    );
    expect(raceVerdict({ base: [[0, 3]], scratch }, 120)).toBeNull();
  });

  it('says so when scratch gets there first', () => {
    const v = raceVerdict({ base: [[20, 2.5]], scratch: [[10, 2.4]] }, 100);
    expect(v!.text).toBe(
      'The pretrained model reached 2.50 bits/char in 20 s, but from scratch got there first, in 10 s.',
    );
  });

  it('the chart puts both curves on one time axis', () => {
    expect(
      raceChart({
        scratch: [
          [0, 5],
          [2, 4],
        ],
        base: [
          [0, 3],
          [1, 2.5],
        ],
      }),
    ).toEqual([
      [0, 1, 2],
      [5, null, 4],
      [3, 2.5, null],
    ]);
  });
});

describe('fine-tuning in the worker', () => {
  beforeAll(useCpu);

  it('a feature-extractor run leaves the base LSTM bit-identical, trains the rest, and says where it came from', async () => {
    const files = await tinyBaseFiles();
    const h = harness(undefined, undefined, new BaseLoader(memorySources(files).sources));
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await h.send({ type: 'load-base', url: BASE_URL });
    const sample = { prime: 'It', temperatures: [1], length: 2 };
    const start = { from: 'base', mode: 'features' };
    await h.send({ type: 'train', settings: tinySettings(2), sample, resume: false, start });
    await h.until(() => h.of('status').at(-1)?.status === 'finished');
    const runId = h.of('run-started')[0].plan.runId;
    await h.send({ type: 'export-run', runId });
    const exported = importZip(new Uint8Array(h.of('export')[0].bytes), 'x.zip');
    const base = await decodeBaseWeights(
      validateBaseMeta(JSON.parse(new TextDecoder().decode(files[BASE_FILES.meta]))),
      JSON.parse(new TextDecoder().decode(files[BASE_FILES.model])),
      files[BASE_FILES.weights],
    );
    const same = (i: number) => exported.weights[i].values.every((v, k) => Object.is(v, base[i].values[k]));
    expect([1, 2, 3].map(same)).toEqual([true, true, true]); // lstm_1 kernel, recurrent kernel, bias
    expect(same(4)).toBe(false); // the output layer learned
    expect(exported.meta.origin).toMatchObject({ mode: 'features', addedChars: 0 });
  });
});

describe('a race in the worker', () => {
  beforeAll(useCpu);

  it('trains both for the same seconds, streams both samples, saves both runs, and gives a verdict', async () => {
    const { sources } = memorySources(await tinyBaseFiles());
    const h = harness(undefined, undefined, new BaseLoader(sources));
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await h.send({ type: 'load-base', url: BASE_URL });
    expect(h.of('base')[0].base.name).toBe('Toy base');
    const sample = { prime: 'It', temperatures: [0.5, 1], length: 5 };
    await h.send({ type: 'race', settings: tinySettings(), sample, seconds: 1, mode: 'all' });
    const started = h.of('race-started')[0];
    expect(started.plans.base.trainChars).toBe(started.plans.scratch.trainChars); // the same split
    await h.until(() => h.of('race-status').at(-1)?.status === 'done');
    const vals = h.of('race-val');
    for (const lane of ['scratch', 'base'] as const) {
      const curve = vals.filter((v) => v.lane === lane);
      expect(curve[0].seconds).toBe(0);
      expect(curve.at(-1)!.seconds).toBeGreaterThanOrEqual(1);
      const samples = h.of('race-sample').filter((s) => s.lane === lane);
      expect(samples.find((s) => s.event.type === 'sample-start')?.event).toMatchObject({ temperatures: [0.5] });
    }
    const last = (lane: string) => vals.filter((v) => v.lane === lane).at(-1)!.seconds;
    expect(Math.abs(last('scratch') - last('base'))).toBeLessThan(0.5); // the same training time, within a step
    const result = h.of('race-result')[0];
    expect(result.verdict?.text).toMatch(/^The pretrained model reached/);
    await h.send({ type: 'list-runs' });
    const ids = h
      .of('runs')
      .at(-1)!
      .runs.map((r) => r.runId);
    expect(ids).toEqual(expect.arrayContaining([result.runIds.scratch, result.runIds.base]));
    await h.send({ type: 'sample', prime: 'It', temperatures: [1], length: 3 }); // the pretrained one is in hand
    expect(h.of('error')).toEqual([]);
  });

  it('without the base, a race or a run from the base is refused with a reason', async () => {
    const files = await tinyBaseFiles();
    const h = harness(
      undefined,
      undefined,
      new BaseLoader(memorySources({ ...files, 'weights.bin': files['weights.bin'].slice(0, 9) }).sources),
    );
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await h.send({ type: 'load-base', url: BASE_URL });
    expect(h.of('error')[0]).toMatchObject({ code: 'base' });
    expect(h.of('error')[0].message).toMatch(/truncated.*Training from scratch still works/);
    await h.send({
      type: 'train',
      settings: tinySettings(),
      sample: { prime: '', temperatures: [1], length: 1 },
      resume: false,
      start: { from: 'base', mode: 'all' },
    });
    expect(h.of('error')[1]).toMatchObject({ code: 'base' });
    await h.send({
      type: 'train',
      settings: tinySettings(1),
      sample: { prime: '', temperatures: [1], length: 1 },
      resume: false,
    });
    await h.until(() => h.of('status').at(-1)?.status === 'finished'); // scratch still trains
  });
});
