import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { bytes, harness } from '../support/harness';
import { BASE_URL, memorySources, tinyBaseFiles } from '../support/base-fixture';
import { BaseLoader } from '../../../src/worker/base-loader';
import { defaultClassifySettings } from '../../../src/config/classify';
import { Rng } from '../../../src/data/rng';

beforeAll(useCpu);

/** Labels a quarter noise: validation accuracy wanders up and down as the classifier learns the training texts. */
function noisySet(): string {
  const rng = new Rng(7);
  const rows = Array.from({ length: 80 }, (_, i) => {
    const vowel = rng.next() < 0.75 ? i % 2 === 0 : i % 2 === 1;
    const text =
      (i % 2 ? 'bcd fgh ' : 'aei oua ').repeat(1 + (i % 3)) + String.fromCharCode(97 + (i % 26)).repeat(i % 7);
    return `"${text}",${vowel ? 'a' : 'b'}`;
  });
  return `text,label\n${rows.join('\n')}\n`;
}

describe('the classifier stops at its best', () => {
  it('the classifier in hand has the best validation accuracy of the run', async () => {
    const { sources } = memorySources(await tinyBaseFiles());
    const h = harness(undefined, undefined, new BaseLoader(sources));
    await h.send({ type: 'load-base', url: BASE_URL });
    await h.send({ type: 'load-labeled', files: [{ name: 'n.csv', bytes: bytes(noisySet()) }], columns: null });
    const settings = { ...defaultClassifySettings(), maxLen: 24, batchSize: 4, epochs: 100, evalEverySec: 1 };
    await h.send({ type: 'classify', settings: { ...settings, learningRate: 0.5, patience: 3, unfreezing: 'all' } });
    await h.until(() => h.of('classify-done').length === 1);
    const done = h.of('classify-done')[0];
    const evals = h.of('classify-eval').map((e) => e.metrics.accuracy);
    expect(evals.length).toBeGreaterThanOrEqual(4);
    expect(done.metrics!.accuracy).toBe(Math.max(...evals));
    expect(done.kept).toBeDefined();
    expect(done.kept!.accuracy).toBe(done.metrics!.accuracy);
    expect(h.of('error')).toEqual([]);
  });
});
