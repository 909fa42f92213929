/**
 * The large English base (issue 33) through the app's own loader and worker, on a tiny fixture in
 * its format: the same three files (float16 weights, base.json with its held-out curve), two
 * layers instead of one. It loads beside the small base, fine-tunes, grows its vocabulary, races,
 * feeds the classifier, and a refused one leaves the small base and scratch working.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { MemoryCache, tinyBaseFiles } from '../support/base-fixture';
import { bytes, harness, TEXT, tinySettings } from '../support/harness';
import { BASES, baseEntry, type BaseId } from '../../../src/config/bases';
import { defaultClassifySettings } from '../../../src/config/classify';
import { BASE_ALPHABET } from '../../../src/data/alphabet';
import { BASE_FILES, type BaseMeta } from '../../../src/storage/base-model';
import { importZip } from '../../../src/storage/import-zip';
import { readClassifierZip } from '../../../src/storage/classifier-zip';
import { disposeClassifier } from '../../../src/engine/classifier';
import { BaseLoader, type BaseSources } from '../../../src/worker/base-loader';

const PAGE = 'http://localhost/app/';
const urlOf = (id: BaseId) => new URL(baseEntry(id).folder, PAGE).href;
const LARGE_SHAPE = { vocabSize: BASE_ALPHABET.length, embedDim: 8, units: 8, layers: 2, dropout: 0 };

const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
const encode = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

/** The large base's files, small: two layers, its curve of [hours, step, bits/char] as pretraining writes it. */
async function largeFiles(): Promise<Record<string, Uint8Array>> {
  const files = await tinyBaseFiles(LARGE_SHAPE);
  const meta: BaseMeta = decode(files[BASE_FILES.meta]);
  meta.name = 'Toy large base';
  meta.fineTuneLearningRate = 0.01;
  meta.curve = [
    [0.1, 300, 3.1],
    [0.5, 1500, 2.6],
  ];
  return { ...files, [BASE_FILES.meta]: encode(meta) };
}

/** fetch over one folder of files per base (anything else is a 404), counting requests. */
function served(folders: Partial<Record<BaseId, Record<string, Uint8Array>>>, cache: MemoryCache | null = null) {
  const fetched: string[] = [];
  const sources: BaseSources = {
    fetch: async (url) => {
      fetched.push(url);
      for (const [id, files] of Object.entries(folders)) {
        const file = url.startsWith(urlOf(id as BaseId)) ? files?.[url.slice(urlOf(id as BaseId).length)] : undefined;
        if (file) return new Response(file.slice() as Uint8Array<ArrayBuffer>);
      }
      return new Response('missing', { status: 404 });
    },
    cache: async () => cache as unknown as Cache | null,
  };
  return { sources, fetched };
}

/** A text the base's alphabet lacks three characters of. */
const ACCENTED = 'Café, naïve señor: the best of times, the worst of times. '.repeat(30);
const sample = { prime: 'It', temperatures: [1], length: 2 };

describe('the large base in the loader', () => {
  beforeAll(useCpu);

  it('the catalog offers the small base as before and the large one beside it, each in its own folder', () => {
    expect(BASES.map((b) => `${b.label}: ${b.hint}`)).toEqual([
      'English base, small: fast on any computer',
      'English base, large: best with a graphics card',
    ]);
    expect(baseEntry('small').folder).toBe('models/base-en/');
    expect(baseEntry('large').folder).toBe('models/base-en-large/');
  });

  it('is fetched only when asked for, checked, cached under its own folder, and kept beside the small one', async () => {
    const small = await tinyBaseFiles();
    const large = await largeFiles();
    const cache = new MemoryCache();
    const { sources, fetched } = served({ small, large }, cache);
    const loader = new BaseLoader(sources);
    const progress: number[] = [];
    const summary = await loader.load(urlOf('large'), (loaded) => progress.push(loaded), 'large');
    expect(summary).toMatchObject({ id: 'large', name: 'Toy large base', cached: false });
    expect(summary.model).toMatchObject({ layers: 2, units: 8, embedDim: 8 });
    expect(progress[0]).toBe(0); // the size is said before the first byte
    expect(progress.at(-1)).toBe(large[BASE_FILES.weights].byteLength);
    expect(fetched.every((u) => u.startsWith(urlOf('large')))).toBe(true); // nothing of the small base
    expect(loader.get('small')).toBeNull();
    expect(loader.get('large')?.meta.curve).toHaveLength(2);
    expect([...cache.entries.keys()].sort()).toEqual(
      Object.values(BASE_FILES)
        .map((f) => urlOf('large') + f)
        .sort(),
    );

    await loader.load(urlOf('small'), () => {}, 'small');
    expect(loader.get('small')?.meta.model.layers).toBe(1);
    expect(loader.get('large')?.meta.model.layers).toBe(2); // both in hand
    expect(loader.base?.id).toBe('small'); // the one last asked for
    const again = await loader.load(urlOf('large'), () => {}, 'large');
    expect(again).toMatchObject({ id: 'large', cached: true });
    expect(loader.base?.id).toBe('large');

    const next = served({}, cache); // the next visit: every file from Cache Storage, none from the network
    const visit = await new BaseLoader(next.sources).load(urlOf('large'), () => {}, 'large');
    expect(visit).toMatchObject({ id: 'large', cached: true });
    expect(next.fetched).toEqual([]);
  });

  it('the hostile-base checks hold for it: each refusal names the large base and leaves the small one in hand', async () => {
    const large = await largeFiles();
    const meta: BaseMeta = decode(large[BASE_FILES.meta]);
    const bin = large[BASE_FILES.weights];
    const model = decode(large[BASE_FILES.model]);
    const float32 = structuredClone(model);
    for (const s of float32.weightsManifest[0].weights) delete s.quantization;
    const altered = bin.slice();
    altered[10] ^= 1;
    const cases: [Record<string, Uint8Array>, RegExp][] = [
      [{ ...large, [BASE_FILES.weights]: bin.slice(0, 100) }, /truncated/],
      [{ ...large, [BASE_FILES.weights]: altered }, /SHA-256/],
      [{ ...large, [BASE_FILES.meta]: encode({ ...meta, weights: { ...meta.weights, bytes: 12 } }) }, /shape/],
      [{ ...large, [BASE_FILES.model]: encode(float32) }, /float16/],
      [{ ...large, [BASE_FILES.weights]: new Uint8Array() }, /bytes|truncated/],
    ];
    const small = await tinyBaseFiles();
    for (const [files, why] of cases) {
      const h = harness(undefined, undefined, new BaseLoader(served({ small, large: files }).sources));
      await h.send({ type: 'load-base', url: urlOf('small'), base: 'small' });
      const tensors = tf.memory().numTensors;
      await h.send({ type: 'load-base', url: urlOf('large'), base: 'large' });
      expect(tf.memory().numTensors).toBe(tensors);
      const error = h.of('error')[0];
      expect(error.code).toBe('base');
      expect(error.message).toMatch(/^The large English base cannot be used: /);
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(/Training from scratch still works\.$/);
      expect(h.handler['bases'].get('small')).not.toBeNull();
    }
  });

  it('a missing large base (not published yet) is refused in words; the small base still fine-tunes', async () => {
    const h = harness(undefined, undefined, new BaseLoader(served({ small: await tinyBaseFiles() }).sources));
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await h.send({ type: 'load-base', url: urlOf('large'), base: 'large' });
    expect(h.of('error')[0].message).toBe(
      'The large English base cannot be used: base.json could not be downloaded (HTTP 404). ' +
        'Training from scratch still works.',
    );
    const large = { from: 'base', mode: 'all', base: 'large' };
    await h.send({ type: 'train', settings: tinySettings(), sample, resume: false, start: large });
    expect(h.of('error')[1].message).toBe(
      'The large English base is not loaded yet: choose it under Start from first.',
    );
    await h.send({ type: 'load-base', url: urlOf('small'), base: 'small' });
    const small = { from: 'base', mode: 'all', base: 'small' };
    await h.send({ type: 'train', settings: tinySettings(1), sample, resume: false, start: small });
    await h.until(() => h.of('status').at(-1)?.status === 'finished');
    expect(h.of('run-started')[0].plan.origin).toBe('English base, small · All layers');
    expect(h.of('error')).toHaveLength(2);
  });
});

describe('the large base in the worker', () => {
  beforeAll(useCpu);

  it('fine-tunes: loss falls, new characters get rows, the run records the large base, and no tensor is left behind', async () => {
    const large = await largeFiles();
    const h = harness(undefined, undefined, new BaseLoader(served({ large }).sources));
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'cafe.txt', bytes: bytes(ACCENTED) });
    await h.send({ type: 'load-base', url: urlOf('large'), base: 'large' });
    expect(h.of('base-progress').every((e) => e.base === 'large')).toBe(true);
    const start = { from: 'base', mode: 'all', base: 'large' };
    const settings = tinySettings(6);
    settings.train.learningRate = 0.01;
    const finished = async (n: number) => {
      await h.send({ type: 'train', settings, sample, resume: false, start });
      await h.until(() => h.of('status').filter((s) => s.status === 'finished').length === n);
    };
    await finished(1);
    const plan = h.of('run-started')[0].plan;
    expect(plan.origin).toBe('English base, large · All layers');
    expect(plan.addedChars).toBe(3); // é, ï, ñ
    expect(plan.vocabSize).toBe(BASE_ALPHABET.length + 3);
    const vals = h.of('val').map((v) => v.valBpc);
    expect(vals.at(-1)!).toBeLessThan(vals[0] - 0.5);

    await h.send({ type: 'export-run', runId: plan.runId });
    const exported = importZip(new Uint8Array(h.of('export')[0].bytes), 'x.zip');
    expect(exported.meta.model).toMatchObject({ layers: 2, units: 8, embedDim: 8, vocabSize: 101 });
    expect(exported.meta.origin).toEqual({
      base: 'Toy large base',
      baseId: 'large',
      sha256: decode(large[BASE_FILES.meta]).weights.sha256,
      mode: 'all',
      addedChars: 3,
    });
    expect(exported.meta.name).toMatch(/^cafe\.txt · from the large English base/);

    const tensors = tf.memory().numTensors; // one run in hand
    await finished(2); // the next run from the base replaces it
    expect(tf.memory().numTensors).toBe(tensors);
    expect(h.of('error')).toEqual([]);
  });

  it('races scratch against it, and the classifier takes its encoder when the form names it', async () => {
    const small = await tinyBaseFiles();
    const large = await largeFiles();
    const h = harness(undefined, undefined, new BaseLoader(served({ small, large }).sources));
    await h.send({ type: 'init', backend: 'auto', remembered: null });
    await h.send({ type: 'load-corpus', name: 'd.txt', bytes: bytes(TEXT) });
    await h.send({ type: 'load-base', url: urlOf('small'), base: 'small' });
    await h.send({ type: 'load-base', url: urlOf('large'), base: 'large' });
    await h.send({ type: 'race', settings: tinySettings(), sample, seconds: 1, mode: 'all', base: 'large' });
    const plans = h.of('race-started')[0].plans;
    expect(plans.base.origin).toBe('English base, large · All layers');
    await h.until(() => h.of('race-status').at(-1)?.status === 'done');
    await h.send({ type: 'list-runs' });
    const names = h
      .of('runs')
      .at(-1)!
      .runs.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['d.txt · race, from scratch', 'd.txt · race, from the large English base']),
    );

    const csv = `text,label\n${Array.from({ length: 20 }, (_, i) => (i % 2 ? `"bcd fgh ${i}",b` : `"aei oua ${i}",a`)).join('\n')}\n`;
    await h.send({ type: 'load-labeled', files: [{ name: 'ab.csv', bytes: bytes(csv) }], columns: null });
    const quick = { ...defaultClassifySettings(), maxLen: 16, epochs: 1, batchSize: 8, evalEverySec: 600 };
    await h.send({ type: 'classify', settings: { ...quick, base: 'large' } });
    expect(h.of('classify-started')).toHaveLength(1);
    await h.until(() => h.of('classify-done').length === 1);
    await h.send({ type: 'export-classifier' });
    const { meta, classifier } = await readClassifierZip(new Uint8Array(h.of('export').at(-1)!.bytes));
    disposeClassifier(classifier);
    expect(meta.encoder).toMatchObject({ layers: 2, units: 8, embedDim: 8 }); // the large base's encoder
    expect(h.of('error')).toEqual([]);
  });

  it('the classifier refuses a base that is not loaded, by name, and one this page does not have', async () => {
    const h = harness(undefined, undefined, new BaseLoader(served({ small: await tinyBaseFiles() }).sources));
    await h.send({ type: 'load-base', url: urlOf('small'), base: 'small' });
    const csv = 'text,label\n"aaa a",a\n"bbb b",b\n"aa aa",a\n"bb bb",b\n"a a a",a\n"b b b",b\n';
    await h.send({ type: 'load-labeled', files: [{ name: 'ab.csv', bytes: bytes(csv) }], columns: null });
    await h.send({ type: 'classify', settings: { ...defaultClassifySettings(), base: 'large' } });
    await h.send({ type: 'classify', settings: { ...defaultClassifySettings(), base: 'huge' } });
    expect(h.of('error').map((e) => e.message)).toEqual([
      'Load the large English base first.',
      "The encoder's base must be one of this page's: small, large.",
    ]);
  });
});
