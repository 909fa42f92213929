import { describe, expect, it } from 'vitest';
import { defaultSettings, validateSettings } from '../../../src/config/settings';

describe('settings validation', () => {
  it('accepts the defaults', () => {
    expect(validateSettings(defaultSettings())).toEqual([]);
  });

  it('refuses out-of-range, fractional and non-numeric values with a reason per field', () => {
    const s = defaultSettings();
    s.model.layers = 4;
    s.model.units = 12.5;
    s.train.learningRate = Number.NaN;
    s.train.valFraction = 0.9;
    const errors = validateSettings(s);
    expect(errors).toEqual([
      { field: 'layers', message: 'Must be between 1 and 3.' },
      { field: 'units', message: 'Enter a whole number.' },
      { field: 'learningRate', message: 'Enter a number.' },
      { field: 'valFraction', message: 'Must be between 0.01 and 0.5.' },
    ]);
  });
});
