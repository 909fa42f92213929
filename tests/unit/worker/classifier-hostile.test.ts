/**
 * Classifier files as a hostile user would make them (issue 35), each through the worker's
 * handler: refused with a sentence before any tensor is made, the classifier in hand still
 * answering Try it, tf.memory().numTensors exactly as it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { useCpu } from '../support/setup-tf';
import { harness } from '../support/harness';
import { constants, deflateRawSync } from 'node:zlib';
import { craftZip, deflated, type RawEntry } from '../support/zip-craft';
import { createClassifier, disposeClassifier } from '../../../src/engine/classifier';
import { createModel } from '../../../src/engine/model';
import { CLASSIFIER_FORMAT, classifierZip, type ClassifierMeta } from '../../../src/storage/classifier-zip';

beforeAll(useCpu);

const META: ClassifierMeta = {
  format: CLASSIFIER_FORMAT,
  version: 1,
  name: 'spam filter',
  labels: ['ham', 'spam', 'eggs'],
  vocab: ['a', 'b', 'c', 'd', '\uFFFD'],
  maxLen: 32,
  foldTypography: true,
  encoder: { vocabSize: 5, embedDim: 3, units: 4, layers: 1, dropout: 0 },
  head: { classes: 3, hidden: 6, dropout: 0.2 },
  start: 'scratch',
  base: null,
  accuracy: 0.9,
  macroF1: 0.8,
  createdAt: '2026-12-05T00:00:00Z',
};

/**
 * `megabytes` MB of zeros as one raw deflate stream, made in milliseconds: one sync-flushed block
 * for 1 MB (byte-aligned, not final) repeated, then an empty final block.
 */
function zerosStream(megabytes: number): Uint8Array {
  const block = deflateRawSync(new Uint8Array(2 ** 20), { finishFlush: constants.Z_SYNC_FLUSH });
  const out = new Uint8Array(block.length * megabytes + 2);
  for (let i = 0; i < megabytes; i++) out.set(block, i * block.length);
  out.set([0x03, 0x00], block.length * megabytes); // a final fixed-Huffman block holding nothing
  return out;
}

async function goodFiles(): Promise<Record<string, Uint8Array>> {
  const c = createClassifier(createModel(META.encoder, 3), META.head, 4);
  const zip = await classifierZip(c, META);
  disposeClassifier(c);
  return unzipSync(zip);
}

type Doc = Record<string, any>;

/** The good files with classifier.json or model.json changed by `edit`. */
function changed(files: Record<string, Uint8Array>, name: string, edit: (doc: Doc) => void): Uint8Array {
  const doc = JSON.parse(strFromU8(files[name]));
  edit(doc);
  return craftZip(Object.entries({ ...files, [name]: strToU8(JSON.stringify(doc)) }).map(([n, d]) => deflated(n, d)));
}

/** A tab holding the good classifier (imported), Try it answering. */
async function inHand() {
  const files = await goodFiles();
  const tab = harness();
  const zip = craftZip(Object.entries(files).map(([n, d]) => deflated(n, d)));
  await tab.send({ type: 'import-classifier', bytes: zip.slice().buffer });
  expect(tab.of('classifier-opened')).toHaveLength(1);
  return { tab, files };
}

/** Imports `zip`: refused with a sentence matching `reason`; nothing built is left; Try it still answers. */
async function refused(tab: Awaited<ReturnType<typeof inHand>>['tab'], zip: Uint8Array, reason: RegExp) {
  await tab.send({ type: 'classify-text', text: 'abc' }); // the first answer warms up; its setup stays
  const tensors = tf.memory().numTensors;
  const errors = tab.of('error').length;
  await tab.send({ type: 'import-classifier', bytes: zip.slice().buffer });
  const error = tab.of('error')[errors];
  expect(error).toMatchObject({ code: 'checkpoint' });
  expect(error.message).toMatch(/^That classifier file cannot be used: .*\.$/);
  expect(error.message).toMatch(reason);
  expect(error.message).toMatch(/"\u2068spam filter \(imported\)\u2069" is still the classifier in hand\.$/);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tab.of('classifier-opened')).toHaveLength(1);
  await tab.send({ type: 'classify-text', text: 'abcd' });
  const answer = tab.of('classified').at(-1)!;
  expect(answer.labels).toEqual(['ham', 'spam', 'eggs']);
  expect(answer.text).toBe('abcd');
  expect(tf.memory().numTensors).toBe(tensors);
}

describe('hostile classifier files', () => {
  it('a weight shape that is a string is refused in words', async () => {
    const { tab, files } = await inHand();
    const zip = changed(files, 'model.json', (m) => (m.weightsManifest[0].weights[0].shape = '5,3'));
    await refused(tab, zip, /the shape of "\u2068embedding\/embeddings\u2069" is not a list of positive whole numbers/);
  });

  it('a negative weight shape is refused in words', async () => {
    const { tab, files } = await inHand();
    const zip = changed(files, 'model.json', (m) => (m.weightsManifest[0].weights[1].shape = [-3, 16]));
    await refused(tab, zip, /lstm_1\/kernel.* is not a list of positive whole numbers/);
  });

  it('an int32 weight is refused: only float32 is read', async () => {
    const { tab, files } = await inHand();
    const zip = changed(files, 'model.json', (m) => (m.weightsManifest[0].weights[2].dtype = 'int32'));
    await refused(tab, zip, /is of type "\u2068int32\u2069"; only float32 is read/);
  });

  it('a weight with a quantization entry is refused, not read at the wrong offsets', async () => {
    const { tab, files } = await inHand();
    const zip = changed(
      files,
      'model.json',
      (m) => (m.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 0.01, min: -1 }),
    );
    await refused(tab, zip, /embeddings.* is quantized, and this format stores plain float32/);
  });

  it('a maximum length of 1e9 is refused: the app reads at most 2,000 characters', async () => {
    const { tab, files } = await inHand();
    const zip = changed(files, 'classifier.json', (m) => (m.maxLen = 1e9));
    await refused(tab, zip, /maximum length is 1,000,000,000; it must be a whole number from 8 to 2,000/);
  });

  it('duplicate labels are refused', async () => {
    const { tab, files } = await inHand();
    const zip = changed(files, 'classifier.json', (m) => (m.labels = ['ham', 'spam', 'ham']));
    await refused(tab, zip, /names the class "\u2068ham\u2069" twice/);
  });

  it('a vocabulary entry of two characters is refused, and so is a repeated one', async () => {
    const { tab, files } = await inHand();
    await refused(
      tab,
      changed(files, 'classifier.json', (m) => (m.vocab[1] = 'bb')),
      /vocabulary entry 2 is "\u2068bb\u2069", not a single character/,
    );
    await refused(
      tab,
      changed(files, 'classifier.json', (m) => (m.vocab[1] = 'a')),
      /lists the character "\u2068a\u2069" twice/,
    );
  });

  it('a file refused at its last weight leaves no tensor behind (the classifier was never built)', async () => {
    const { tab, files } = await inHand();
    const zip = changed(files, 'model.json', (m) => (m.weightsManifest[0].weights.at(-1).shape = [13]));
    await refused(tab, zip, /moving_variance.* has shape \[13\]; this model needs \[12\]/);
  });

  it('a 1 MB zip whose weights.bin inflates to 1 GiB is refused after inflating only what the shapes imply', async () => {
    const { tab, files } = await inHand();
    const entries: RawEntry[] = Object.entries(files).map(([n, d]) => deflated(n, d));
    const honest = entries.find((e) => e.name === 'weights.bin')!;
    const bomb = craftZip(entries.map((e) => (e === honest ? { ...honest, stored: zerosStream(1024) } : e)));
    expect(bomb.length).toBeLessThan(1.1 * 2 ** 20);
    const peak = process.resourceUsage().maxRSS; // kilobytes: the process's high-water mark
    await refused(tab, bomb, /weights\.bin holds more than the [\d,]+ bytes it should/);
    expect((process.resourceUsage().maxRSS - peak) / 1024).toBeLessThan(32); // MB: not the 200 MB cap, nor 1 GiB
  }, 60_000);

  it('Try it reads only the classifier’s maximum length of a 20,000-character paste', async () => {
    const { tab } = await inHand();
    await tab.send({ type: 'classify-text', text: 'abcd'.repeat(5000) });
    const answer = tab.of('classified').at(-1)!;
    expect(answer.text).toBe('abcd'.repeat(8)); // maxLen 32
    expect(answer.saliency).toHaveLength(32);
  });
});
