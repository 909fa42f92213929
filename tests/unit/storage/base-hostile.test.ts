/** The English base read as a hostile server would serve it (issue 35): refused in words, before any tensor. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpu } from '../support/setup-tf';
import { BASE_URL, memorySources, tinyBaseFiles } from '../support/base-fixture';
import { BaseLoader } from '../../../src/worker/base-loader';
import { BaseModelError } from '../../../src/storage/base-model';

beforeAll(useCpu);

const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b));
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

async function refused(edit: (files: Record<string, Uint8Array>) => void, reason: RegExp) {
  const files = await tinyBaseFiles();
  edit(files);
  const tensors = tf.memory().numTensors;
  const { sources, fetched } = memorySources(files);
  const loading = new BaseLoader(sources).load(BASE_URL, () => undefined);
  await expect(loading).rejects.toThrow(BaseModelError);
  await expect(loading).rejects.toThrow(reason);
  expect(tf.memory().numTensors).toBe(tensors);
  return fetched;
}

describe('hostile English bases', () => {
  it('a base.json whose weights size is not the one its shapes imply is refused before weights.bin is fetched', async () => {
    const fetched = await refused((f) => {
      const meta = json(f['base.json']);
      meta.weights.bytes = 2 ** 30;
      f['base.json'] = enc(meta);
    }, /says weights\.bin holds 1,073,741,824 bytes; a model of its shape takes [\d,]+/);
    expect(fetched.some((url) => url.endsWith('weights.bin'))).toBe(false);
  });

  it('a weights.bin longer than described is cut off at the described size', async () => {
    await refused((f) => {
      const longer = new Uint8Array(f['weights.bin'].length + 4096);
      longer.set(f['weights.bin']);
      f['weights.bin'] = longer;
    }, /weights\.bin holds more than the [\d,]+ bytes base\.json describes/);
  });

  it('a model larger than the app allows is refused', async () => {
    await refused((f) => {
      const meta = json(f['base.json']);
      meta.model.units = 5000;
      f['base.json'] = enc(meta);
    }, /base\.json asks for 5,000 as units per layer; it must be a whole number from 4 to 1024/);
  });

  it('weights not stored as float16, as the base format writes them, are refused', async () => {
    await refused((f) => {
      const model = json(f['model.json']);
      delete model.weightsManifest[0].weights[0].quantization;
      f['model.json'] = enc(model);
    }, /"\u2068embedding\/embeddings\u2069" is not stored as float16/);
  });
});
