import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { useCpu } from '../support/setup-tf';
import { defaultSettings } from '../../../src/config/settings';
import { forward } from '../../../src/engine/model';
import { RunState } from '../../../src/run/run-state';
import { exportZip } from '../../../src/storage/export-zip';
import { importZip } from '../../../src/storage/import-zip';
import { buildVocab, encode } from '../../../src/data/vocab';

beforeAll(useCpu);

const TEXT = 'the quick brown fox jumps over the lazy dog. ';

async function trainedZip(layers = 2) {
  const settings = defaultSettings();
  settings.model = { embedDim: 6, units: 10, layers, dropout: 0 };
  const { vocab } = buildVocab(TEXT);
  const state = RunState.fresh({ name: 'fox.txt', hash: 'abc', chars: TEXT.length }, vocab, settings);
  state.recordEstimate(0, 4.5, 4.6);
  const zip = await exportZip(await state.toCheckpoint('cpu'));
  return { state, zip, vocab };
}

/** Loads model.json + weights.bin exactly as a page that never saw Inkling would. */
async function loadStock(zip: Uint8Array): Promise<tf.LayersModel> {
  const files = unzipSync(zip);
  const json = JSON.parse(strFromU8(files['model.json']));
  const weights = files['weights.bin'];
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
}

describe('export', () => {
  it('writes a standard LayersModel that stock tf.loadLayersModel loads and that predicts what Inkling predicts', async () => {
    const { state, zip, vocab } = await trainedZip();
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['inkling.json', 'model.json', 'state.bin', 'weights.bin']);
    const modelJson = JSON.parse(strFromU8(files['model.json']));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const stock = await loadStock(zip);
    const ids = encode(vocab, 'the lazy');
    const theirs = tf.tidy(
      () =>
        (stock.predict(tf.tensor2d(Array.from(ids), [1, ids.length])) as tf.Tensor)
          .reshape([ids.length, -1])
          .arraySync() as number[][],
    );
    const ours = tf.tidy(() => forward(state.model, tf.tensor2d(ids, [1, ids.length], 'int32')).logits.arraySync());
    theirs.forEach((row, t) => row.forEach((v, j) => expect(v).toBeCloseTo(ours[t][j], 4)));
    const inkling = JSON.parse(strFromU8(files['inkling.json']));
    expect(inkling.meta.vocab).toEqual(vocab.chars);
    stock.dispose();
    state.dispose();
  });
});

describe('import', () => {
  it('round-trips an export into a checkpoint under a new run id, with optimizer state and best weights', async () => {
    const { state, zip } = await trainedZip(1);
    const original = await state.toCheckpoint('cpu');
    const imported = importZip(zip, 'fox.inkling.zip');
    expect(imported.meta.runId).not.toBe(original.meta.runId);
    expect(imported.meta.name).toMatch(/\(imported\)$/);
    expect(imported.weights.map((w) => w.values)).toEqual(original.weights.map((w) => w.values));
    expect(imported.best.map((w) => w.values)).toEqual(original.best.map((w) => w.values));
    expect(imported.meta.vocab).toEqual(original.meta.vocab);
    state.dispose();
  });

  async function variant(edit: (files: Record<string, Uint8Array>) => void): Promise<Uint8Array> {
    const { zip, state } = await trainedZip(1);
    state.dispose();
    const files = unzipSync(zip);
    edit(files);
    return zipSync(files);
  }
  const json = (files: Record<string, Uint8Array>, name: string, edit: (j: any) => void) => {
    const j = JSON.parse(strFromU8(files[name]));
    edit(j);
    files[name] = strToU8(JSON.stringify(j));
  };

  const cases: [string, (f: Record<string, Uint8Array>) => void, RegExp][] = [
    ['no inkling.json', (f) => delete f['inkling.json'], /no inkling\.json/],
    ['no model.json', (f) => delete f['model.json'], /no model\.json/],
    ['weights file missing', (f) => delete f['weights.bin'], /weights file weights\.bin is missing/],
    ['weights truncated', (f) => (f['weights.bin'] = f['weights.bin'].slice(0, 100)), /holds 100 bytes/],
    ['model.json not JSON', (f) => (f['model.json'] = strToU8('{oops')), /model\.json is not valid JSON/],
    [
      'vocabulary smaller than the embedding',
      (f) => json(f, 'inkling.json', (j) => j.meta.vocab.pop()),
      /vocabulary in inkling\.json lists 27 characters; the model has 28/,
    ],
    [
      'a weight shape that disagrees with the config',
      (f) => json(f, 'model.json', (j) => (j.weightsManifest[0].weights[1].shape = [10, 40])),
      /lstm_1\/kernel.* has shape \[10, 40\]; this model needs \[/,
    ],
    [
      'float16 weights',
      (f) => json(f, 'model.json', (j) => (j.weightsManifest[0].weights[0].dtype = 'float16')),
      /only float32/,
    ],
    ['state.bin cut short', (f) => (f['state.bin'] = f['state.bin'].slice(0, 8)), /state\.bin holds 8 bytes/],
    ['a foreign format tag', (f) => json(f, 'inkling.json', (j) => (j.format = 'other')), /not an Inkling export/],
  ];
  for (const [what, edit, message] of cases) {
    it(`refuses a file with ${what}`, async () => {
      const bytes = await variant(edit);
      expect(() => importZip(bytes, 'x.zip')).toThrow(message);
    });
  }

  it('refuses files that are not zips, and damaged zips', () => {
    expect(() => importZip(new TextEncoder().encode('hello'), 'x.txt')).toThrow(/not a \.zip/);
    expect(() => importZip(new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]), 'x.zip')).toThrow(/damaged/);
  });
});
