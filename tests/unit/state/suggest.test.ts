import { beforeAll, describe, expect, it } from 'vitest';
import { describeSuggestion, suggestSettings } from '../../../src/config/suggest';
import { createModel, disposeModel, modelVariables } from '../../../src/engine/model';
import { useCpu } from '../support/setup-tf';
import { Suggested } from '../../../src/state/suggested.svelte';
import { fromQuery } from '../../../src/state/share';

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

describe('the form applies the suggestion where nobody chose', () => {
  it('fills untouched fields, keeps what a link carried or a person typed, and follows the start', () => {
    const settings = fromQuery('units=64', []).settings; // a link that carries the units
    const suggested = new Suggested();
    suggested.apply(settings, 45_000, 45_000);
    expect(settings.model).toMatchObject({ layers: 1, units: 64, dropout: 0.25 });
    expect(settings.train.epochs).toBe(111);
    expect(suggested.line).toBe('Suggested for 45 KB of text: 1×128, dropout 0.25, 111 epochs. Kept as set: units.');
    settings.train.epochs = 7; // typed by the person
    suggested.apply(settings, 500_000, 500_000); // another text
    expect(settings.model).toMatchObject({ units: 64, dropout: 0.1 });
    expect(settings.train.epochs).toBe(7);
    suggested.follow(settings, true); // start from the base: no dropout
    expect(settings.model.dropout).toBe(0);
    suggested.follow(settings, false);
    expect(settings.model.dropout).toBe(0.1);
  });
});
