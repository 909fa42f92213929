import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync, zipSync, strToU8 } from 'fflate';
import { useCpu } from '../support/setup-tf';
import { padBatch } from '../../../src/data/text-batches';
import { classify, createClassifier, disposeClassifier, type Classifier } from '../../../src/engine/classifier';
import { createModel } from '../../../src/engine/model';
import {
  CLASSIFIER_FORMAT,
  classifierZip,
  readClassifierZip,
  type ClassifierMeta,
} from '../../../src/storage/classifier-zip';

beforeAll(useCpu);

const vocab = ['a', 'b', 'c', 'd', '\uFFFD'];
function trainedLooking(): Classifier {
  const c = createClassifier(
    createModel({ vocabSize: 5, embedDim: 3, units: 4, layers: 2, dropout: 0 }, 5),
    {
      classes: 3,
      hidden: 6,
      dropout: 0.2,
    },
    9,
  );
  // moving statistics as a trained head would have them
  c.movingMean.assign(tf.tensor1d(Array.from({ length: 12 }, (_, i) => 0.05 * i - 0.2)));
  c.movingVariance.assign(tf.tensor1d(Array.from({ length: 12 }, (_, i) => 0.02 + 0.01 * i)));
  return c;
}
const meta = (): ClassifierMeta => ({
  format: CLASSIFIER_FORMAT,
  version: 1,
  name: 'test',
  labels: ['x', 'y', 'z'],
  vocab,
  maxLen: 32,
  foldTypography: true,
  encoder: { vocabSize: 5, embedDim: 3, units: 4, layers: 2, dropout: 0 },
  head: { classes: 3, hidden: 6, dropout: 0.2 },
  start: 'scratch',
  base: null,
  accuracy: 0.5,
  macroF1: 0.4,
  createdAt: '2026-11-22T00:00:00Z',
});

describe('classifier export', () => {
  it('loads with stock tf.loadLayersModel and gives the app’s probabilities from character ids', async () => {
    const c = trainedLooking();
    const ids = [0, 1, 2, 3, 1, 0, 4];
    const ours = tf.tidy(() => classify(c, padBatch([Int32Array.from(ids)], [0], 1)));
    const zip = await classifierZip(c, meta());
    const files = unzipSync(zip);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: JSON.parse(strFromU8(files['model.json'])).modelTopology,
        weightSpecs: JSON.parse(strFromU8(files['model.json'])).weightsManifest[0].weights,
        weightData: files['weights.bin'].slice().buffer,
      }),
    );
    const theirs = model.predict(tf.tensor2d([ids])) as tf.Tensor;
    const [a, b] = [Array.from(ours.dataSync()), Array.from(theirs.dataSync())];
    a.forEach((p, i) => expect(b[i]).toBeCloseTo(p, 5));
    expect(JSON.parse(strFromU8(files['classifier.json'])).labels).toEqual(['x', 'y', 'z']);
    tf.dispose([ours, theirs]);
    model.dispose();
    disposeClassifier(c);
  });

  it('reads back into the app’s classifier exactly, and refuses damaged files', async () => {
    const c = trainedLooking();
    const zip = await classifierZip(c, meta());
    const back = await readClassifierZip(zip);
    const batch = padBatch([Int32Array.of(3, 2, 1)], [0], 1);
    const [p, q] = tf.tidy(() => [classify(c, batch), classify(back.classifier, batch)]);
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([p, q]);
    disposeClassifier(back.classifier);
    const files = unzipSync(zip);
    const refuse = async (changed: Record<string, Uint8Array>) => {
      try {
        await readClassifierZip(zipSync({ ...files, ...changed }));
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(await refuse({ 'weights.bin': files['weights.bin'].slice(8) })).toMatch(/bytes/);
    expect(await refuse({ 'classifier.json': strToU8('{"format":"other"}') })).toMatch(/not an Inkling classifier/);
    expect(await refuse({ 'classifier.json': strToU8(JSON.stringify({ ...meta(), labels: ['x', 'y'] })) })).toMatch(
      /head/,
    );
    expect(await refuse({ 'model.json': strToU8('{') })).toMatch(/not valid JSON/);
    disposeClassifier(c);
  });

  it('says which English base the encoder began as, and reads files from before there were two as the small one', async () => {
    const c = trainedLooking();
    const files = unzipSync(await classifierZip(c, { ...meta(), start: 'base', base: 'large' }));
    const read = async (m: object) => {
      try {
        const back = await readClassifierZip(zipSync({ ...files, 'classifier.json': strToU8(JSON.stringify(m)) }));
        disposeClassifier(back.classifier);
        return back.meta.base;
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(JSON.parse(strFromU8(files['classifier.json'])).base).toBe('large');
    expect(await read({ ...meta(), start: 'base', base: 'large' })).toBe('large');
    const { base: _, ...older } = meta(); // written before the large base: no `base` at all
    expect(await read({ ...older, start: 'base' })).toBe('small');
    expect(await read(older)).toBeNull(); // from scratch
    expect(await read({ ...meta(), start: 'base', base: 'huge' })).toMatch(
      /names an English base this page does not have: ".huge."/,
    );
    expect(await read({ ...meta(), start: 'scratch', base: 'large' })).toMatch(
      /started as ".scratch." from base ".large."/,
    );
    disposeClassifier(c);
  });
});
