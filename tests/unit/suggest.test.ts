import { beforeAll, describe, expect, it } from 'vitest';
import { describeSuggestion, suggestSettings } from '../../src/config/suggest';
import { createModel, disposeModel, modelVariables } from '../../src/engine/model';
import { useCpu } from './setup-tf';

const params = (units: number, layers: number) => {
  const model = createModel({ vocabSize: 90, embedDim: 32, units, layers, dropout: 0 }, 1);
  const n = modelVariables(model).reduce((sum, v) => sum + v.size, 0);
  disposeModel(model);
  return n;
};

describe('settings that fit the text', () => {
  beforeAll(useCpu);

  it('proposes model size, dropout and epochs by the text size', () => {
    expect(suggestSettings(20_000)).toEqual({ layers: 1, units: 128, dropout: 0.25, epochs: 200 });
    expect(suggestSettings(45_000)).toEqual({ layers: 1, units: 128, dropout: 0.25, epochs: 111 });
    expect(suggestSettings(164_000)).toEqual({ layers: 1, units: 128, dropout: 0.1, epochs: 30 });
    expect(suggestSettings(391_000)).toEqual({ layers: 1, units: 256, dropout: 0.1, epochs: 13 });
    expect(suggestSettings(1_000_000)).toEqual({ layers: 2, units: 256, dropout: 0, epochs: 5 });
    expect(suggestSettings(20_000_000)).toEqual({ layers: 2, units: 256, dropout: 0, epochs: 1 });
    expect(suggestSettings(0).epochs).toBe(200);
    // Fine-tuning the base: no dropout.
    expect(suggestSettings(45_000, true)).toEqual({ layers: 1, units: 128, dropout: 0, epochs: 111 });
  });

  it("follows char-rnn's rule: parameters within 10× of the characters, dropout where they outnumber them", () => {
    for (const chars of [30_000, 80_000, 150_000, 500_000, 1_500_000, 5_000_000]) {
      const s = suggestSettings(chars);
      const ratio = params(s.units, s.layers) / chars;
      expect(ratio).toBeGreaterThan(0.1);
      expect(ratio).toBeLessThan(10);
      if (ratio > 1) expect(s.dropout).toBeGreaterThanOrEqual(0.2);
    }
  });

  it('grows the model, and thins dropout and epochs, as the text grows', () => {
    const sizes = [10_000, 50_000, 120_000, 400_000, 2_000_000, 10_000_000].map((n) => suggestSettings(n));
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i].units * sizes[i].layers).toBeGreaterThanOrEqual(sizes[i - 1].units * sizes[i - 1].layers);
      expect(sizes[i].dropout).toBeLessThanOrEqual(sizes[i - 1].dropout);
      expect(sizes[i].epochs).toBeLessThanOrEqual(sizes[i - 1].epochs);
    }
  });
});

describe('the form line', () => {
  it('says what was suggested, for which size, and what was kept as set', () => {
    const s = suggestSettings(45_000);
    expect(describeSuggestion(s, 45_321, [])).toBe('Suggested for 45 KB of text: 1×128, dropout 0.25, 111 epochs.');
    expect(describeSuggestion(suggestSettings(1_200_000), 1_234_567, ['units'])).toBe(
      'Suggested for 1.2 MB of text: 2×256, dropout 0, 4 epochs. Kept as set: units.',
    );
  });
});
