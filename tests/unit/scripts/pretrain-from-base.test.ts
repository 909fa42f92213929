/** `npm run pretrain -- --from DIR`: a stage that continues a written base where its checkpoint is gone. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { TINY_BASE, tinyBaseFiles } from '../support/base-fixture';
import { restoreFromBase } from '../../../scripts/pretrain/from-base';
import { BASE_ALPHABET } from '../../../src/data/alphabet';
import { makeVocab } from '../../../src/data/vocab';
import { defaultSettings } from '../../../src/config/settings';
import { disposeModel, namedWeights } from '../../../src/engine/model';
import { BASE_FILES, decodeBaseWeights, validateBaseMeta } from '../../../src/storage/base-model';

const corpus = { name: 'pretraining text', hash: 'h', chars: 10 };
let dir = '';
let files: Record<string, Uint8Array> = {};

/** Settings for the toy base's shape, or another. */
function settingsFor(units = TINY_BASE.units) {
  const s = defaultSettings();
  s.model = { embedDim: TINY_BASE.embedDim, units, layers: TINY_BASE.layers, dropout: 0 };
  return s;
}

beforeAll(async () => {
  await useCpu();
  files = await tinyBaseFiles();
  const meta = JSON.parse(new TextDecoder().decode(files[BASE_FILES.meta]));
  Object.assign(meta.training, { steps: 1234, seconds: 600, chars: 1234 * 64 });
  meta.command = 'npm run pretrain -- --hours 1 && npm run pretrain -- --hours 2';
  meta.curve = [
    [0.5, 600, 3.1],
    [1, 1234, 2.9],
  ];
  files[BASE_FILES.meta] = new TextEncoder().encode(JSON.stringify(meta));
  dir = mkdtempSync(join(tmpdir(), 'inkling-base-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
});

describe('pretraining from a written base', () => {
  it("holds the base's weights, step, seconds, earlier stages and held-out curve", async () => {
    const vocab = makeVocab([...BASE_ALPHABET]);
    const { state, seconds, chars, stages, curve } = await restoreFromBase(dir, corpus, vocab, settingsFor());
    const dec = (name: string) => JSON.parse(new TextDecoder().decode(files[name]));
    const meta = validateBaseMeta(dec(BASE_FILES.meta));
    const expected = await decodeBaseWeights(meta, dec(BASE_FILES.model), files[BASE_FILES.weights]);
    const got = namedWeights(state.model).map(([, v]) => v.dataSync());
    expect(got.map((g) => Array.from(g))).toEqual(expected.map((w) => Array.from(w.values)));
    expect([state.step, seconds, chars]).toEqual([1234, 600, 1234 * 64]);
    expect(stages).toEqual(['npm run pretrain -- --hours 1', 'npm run pretrain -- --hours 2']);
    expect(curve).toEqual([
      [0.5, 600, 3.1],
      [1, 1234, 2.9],
    ]);
    state.optimizer.dispose();
    disposeModel(state.model);
  });

  it('refuses another architecture or vocabulary, naming what differs', async () => {
    const vocab = makeVocab([...BASE_ALPHABET]);
    await expect(restoreFromBase(dir, corpus, vocab, settingsFor(16))).rejects.toThrow(/holds a 1x8 base/);
    const other = makeVocab([...BASE_ALPHABET].reverse());
    await expect(restoreFromBase(dir, corpus, other, settingsFor())).rejects.toThrow(/another vocabulary/);
  });
});
