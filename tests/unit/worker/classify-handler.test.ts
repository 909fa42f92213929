import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { bytes, harness } from '../support/harness';
import { BASE_URL, memorySources, tinyBaseFiles } from '../support/base-fixture';
import { BaseLoader } from '../../../src/worker/base-loader';
import { defaultClassifySettings, type ClassifySettings } from '../../../src/config/classify';
import { ClassifyJobs } from '../../../src/worker/classify-jobs';
import type { WorkerEvent } from '../../../src/worker/protocol';

beforeAll(useCpu);

const file = (name: string, text: string) => ({ name, bytes: bytes(text) });
const rows = (n: number, label: (i: number) => string, text: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `"${text(i)}",${label(i)}`).join('\n');
/** An easy, balanced set: class "a" texts are made of vowels, class "b" of consonants. */
const vowels = (i: number) => 'aei oua '.repeat(1 + (i % 3)) + 'u'.repeat(i);
const consonants = (i: number) => 'bcd fgh '.repeat(1 + (i % 3)) + 'k'.repeat(i);
const EASY = `text,label\n${rows(
  40,
  (i) => (i % 2 ? 'b' : 'a'),
  (i) => (i % 2 ? consonants(i) : vowels(i)),
)}\n`;

function quick(over: Partial<ClassifySettings> = {}): ClassifySettings {
  return { ...defaultClassifySettings(), maxLen: 24, epochs: 8, batchSize: 8, evalEverySec: 600, ...over };
}

async function withBase() {
  const { sources } = memorySources(await tinyBaseFiles());
  const h = harness(undefined, undefined, new BaseLoader(sources));
  await h.send({ type: 'load-base', url: BASE_URL });
  return h;
}

describe('the classifier through the worker', () => {
  it('loads a set, trains from the base, reports metrics, and explains a text without leaking tensors', async () => {
    const h = await withBase();
    await h.send({ type: 'load-labeled', files: [file('easy.csv', EASY)], columns: null });
    const summary = h.of('labeled')[0].result;
    expect(summary).toMatchObject({ kind: 'set', summary: { labels: ['a', 'b'], counts: [20, 20], examples: 40 } });
    await h.send({ type: 'classify', settings: quick({ window: 8 }) }); // steps read 8 of the 24 characters
    expect(h.of('classify-started')[0].plan).toMatchObject({ trainCounts: [16, 16], valCounts: [4, 4], window: 8 });
    await h.until(() => h.of('classify-done').length === 1);
    const done = h.of('classify-done')[0];
    expect(done.reason).toBe('finished');
    expect(done.metrics!.accuracy).toBeGreaterThan(0.5);
    expect(h.of('classify-eval').length).toBeGreaterThanOrEqual(2); // after step 1, and at the end
    expect(h.of('classify-step').map((e) => e.learning)).toContain('the head');
    const tensors = tf.memory().numTensors;
    await h.send({ type: 'classify-text', text: 'aei oua aei' });
    await h.send({ type: 'classify-text', text: 'bcd fgh' });
    const [first, second] = h.of('classified');
    expect(first.probs[0] + first.probs[1]).toBeCloseTo(1, 5);
    expect(first.saliency).toHaveLength('aei oua aei'.length);
    expect(second.probs[1]).not.toBeCloseTo(first.probs[1], 5);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('asks for the columns when they are not obvious, then uses the answer', async () => {
    const h = harness();
    const csv =
      'k,a,b\n' +
      rows(
        6,
        (i) => (i % 2 ? 'y' : 'x'),
        (i) => `a fairly long text ${i}`,
      ).replace(/^"/gm, '1,"');
    await h.send({ type: 'load-labeled', files: [file('three.csv', csv)], columns: null });
    expect(h.of('labeled')[0].result).toMatchObject({
      kind: 'choose',
      columns: ['k', 'a', 'b'],
      guess: { text: 'a', label: 'b' },
    });
    await h.send({
      type: 'load-labeled',
      files: [file('three.csv', csv)],
      columns: { text: 'a', label: 'b' },
    });
    expect(h.of('labeled')[1].result).toMatchObject({ kind: 'set', summary: { counts: [3, 3] } });
  });

  it('answers each kind of bad input with its own code, and keeps the set in hand', async () => {
    const h = harness();
    await h.send({ type: 'load-labeled', files: [file('easy.csv', EASY)], columns: null });
    const bad: [string, { name: string; bytes: ArrayBuffer }[]][] = [
      ['one-class', [file('one.csv', 'text,label\nhello,x\nworld,x\n')]],
      ['small-class', [file('small.csv', 'text,label\nhello,x\nworld,x\nlonely,y\n')]],
      [
        'too-many-classes',
        [
          file(
            'many.csv',
            `text,label\n${rows(
              42,
              (i) => `c${i % 21}`,
              (i) => `t${i}`,
            )}\n`,
          ),
        ],
      ],
      ['no-text-column', [file('single.csv', 'just one column\nand another row\n')]],
      ['no-examples', [file('blank.csv', 'text,label\n,\n ,x\n')]],
      ['empty', [file('empty.csv', '')]],
      ['binary', [{ name: 'img.csv', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]).buffer }]],
      ['not-utf8', [{ name: 'l1.csv', bytes: new Uint8Array([0x74, 0x2c, 0x6c, 0x0a, 0xe9, 0x2c, 0x61]).buffer }]],
      ['one-class', [file('spam.txt', 'buy now\nfree money\n')]],
    ];
    for (const [, files] of bad) await h.send({ type: 'load-labeled', files, columns: null });
    expect(h.of('error').map((e) => e.code)).toEqual(bad.map(([code]) => code));
    for (const e of h.of('error')) expect(e.message.length).toBeGreaterThan(20);
    await h.send({ type: 'classify', settings: quick({ start: 'scratch', epochs: 1 }) });
    expect(h.of('classify-started')[0].plan.labels).toEqual(['a', 'b']); // the good set stayed
    await h.until(() => h.of('classify-done').length === 1);
  });

  it('continues the classifier in hand where it left off, and only on texts with its labels', async () => {
    const h = await withBase();
    await h.send({ type: 'load-labeled', files: [file('easy.csv', EASY)], columns: null });
    await h.send({ type: 'classify', settings: quick(), resume: true });
    expect(h.of('error').map((e) => e.code)).toEqual(['no-model']); // nothing in hand yet
    await h.send({ type: 'classify', settings: quick() });
    await h.until(() => h.of('classify-done').length === 1);
    const firstLoss = h.of('classify-step')[0].loss;
    const steps = h.of('classify-step').length;
    const tensors = tf.memory().numTensors;
    await h.send({ type: 'classify', settings: quick({ epochs: 2, maxLen: 300 }), resume: true });
    const over24 = Array.from({ length: 40 }, (_, i) => (i % 2 ? consonants(i) : vowels(i)).length > 24);
    const truncated = over24.filter(Boolean).length; // cut at the classifier's own 24, not the 300 asked
    expect(h.of('classify-started')[1].plan).toMatchObject({ resumed: true, start: 'base', truncated });
    await h.until(() => h.of('classify-done').length === 2);
    const more = h.of('classify-step').slice(steps);
    expect(more[0].learning).toBe('all layers'); // no second round of gradual unfreezing
    expect(more[0].loss).toBeLessThan(firstLoss / 2); // it starts from the trained classifier, not afresh
    expect(h.of('classify-done')[1].metrics!.accuracy).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(tensors);
    const three = `text,label\n${rows(
      30,
      (i) => 'xyz'[i % 3],
      (i) => `text number ${i}`,
    )}\n`;
    await h.send({ type: 'load-labeled', files: [file('three.csv', three)], columns: null });
    await h.send({ type: 'classify', settings: quick(), resume: true });
    expect(h.of('error').at(-1)).toMatchObject({
      code: 'settings',
      message: 'The classifier in hand knows a, b; these texts are labeled x, y, z.',
    });
  });

  it('refuses to train from the base before it is loaded, and settings out of range', async () => {
    const h = harness();
    await h.send({ type: 'load-labeled', files: [file('easy.csv', EASY)], columns: null });
    await h.send({ type: 'classify', settings: quick() });
    await h.send({ type: 'classify', settings: quick({ start: 'scratch', maxLen: 1 }) });
    await h.send({ type: 'classify', settings: quick({ start: 'scratch', window: 3 }) });
    expect(h.of('error').map((e) => e.code)).toEqual(['base', 'settings', 'settings']);
    expect(h.of('error')[2].message).toContain('The training window must be between 8 and 2000.');
  });

  it('takes the next run the moment one says it is done, as the comparison starts its second', async () => {
    const outcomes: string[] = [];
    let done = 0;
    const next = { type: 'classify', id: 3, settings: quick({ epochs: 1 }) } as const;
    const post = (e: WorkerEvent) => {
      if (e.type !== 'classify-done') return;
      if (++done === 1)
        jobs
          .train(next, () => {})
          .then(
            () => outcomes.push('started'),
            (error) => outcomes.push(error.code),
          );
    };
    const keep = { save: async () => {}, load: async () => null, drop: async () => {} };
    const bases = new BaseLoader(memorySources(await tinyBaseFiles()).sources);
    await bases.load(BASE_URL, () => {});
    const jobs: ClassifyJobs = new ClassifyJobs(post, bases, keep);
    await jobs.load({ type: 'load-labeled', id: 1, files: [file('easy.csv', EASY)], columns: null });
    await jobs.train({ ...next, id: 2 }, () => {});
    expect(jobs.busy).toBe(true);
    for (let i = 0; i < 3000 && done < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(outcomes).toEqual(['started']);
    expect(jobs.busy).toBe(false);
  });
});
