import { describe, expect, it } from 'vitest';
import {
  diverging,
  glyph,
  isView,
  mayRefresh,
  memoryColor,
  moveKey,
  nextGuesses,
  percent,
  saturationWords,
  spoken,
  surpriseColor,
  surpriseLabel,
  scaleEnds,
  unitScale,
  valueWords,
} from '../../../src/state/inside-helpers';

const alpha = (rgba: string) => Number(/, ([\d.]+)\)$/.exec(rgba)?.[1]);
const rgb = (rgba: string) => /rgba\((\d+), (\d+), (\d+)/.exec(rgba)!.slice(1).map(Number);

describe('Look inside: colour scales', () => {
  it('diverges blue below zero and red above, untinted at zero, saturating at ±1', () => {
    const [nr, , nb] = rgb(diverging(-0.5));
    const [pr, , pb] = rgb(diverging(0.5));
    expect(nb).toBeGreaterThan(nr); // blue side
    expect(pr).toBeGreaterThan(pb); // red side
    expect(alpha(diverging(0))).toBe(0);
    expect(alpha(diverging(0.5))).toBeCloseTo(alpha(diverging(-0.5)));
    expect(alpha(diverging(3))).toBe(alpha(diverging(1)));
    expect(alpha(diverging(Number.NaN))).toBe(0);
  });

  it('never tints past the ceiling that keeps text readable in both themes', () => {
    for (const v of [-5, -1, 1, 5]) expect(alpha(diverging(v))).toBeLessThanOrEqual(0.6);
    expect(alpha(surpriseColor(100))).toBeLessThanOrEqual(0.6);
    expect(alpha(surpriseColor(Number.POSITIVE_INFINITY))).toBeLessThanOrEqual(0.6);
    expect(alpha(memoryColor(1))).toBeLessThanOrEqual(0.6);
  });

  it('shades surprise by bits and memory by weight, monotonically', () => {
    expect(alpha(surpriseColor(0))).toBe(0);
    expect(alpha(surpriseColor(2))).toBeLessThan(alpha(surpriseColor(4)));
    expect(alpha(memoryColor(0.2))).toBeLessThan(alpha(memoryColor(0.9)));
  });

  it('scales gates around one half and cells by their largest magnitude', () => {
    expect(unitScale(0.5, 'f', 0, 1)).toBe(0);
    expect(unitScale(1, 'i', 0, 1)).toBe(1);
    expect(unitScale(0, 'o', 0, 1)).toBe(-1);
    expect(unitScale(-2, 'c', -2, 1)).toBe(-1);
    expect(unitScale(1, 'c', -2, 1)).toBe(0.5);
    expect(unitScale(0, 'h', 0, 0)).toBe(0);
    expect(scaleEnds('c', -2, 1)).toEqual(['negative', 'positive']);
  });

  it('colours a cell that never crosses zero from its lowest to its highest, and says so', () => {
    // The English base's line-position cell runs from -318 to -33 over a probe: all one sign.
    expect(unitScale(-318, 'c', -318, -33)).toBe(-1);
    expect(unitScale(-33, 'c', -318, -33)).toBe(1);
    expect(unitScale(-175.5, 'c', -318, -33)).toBeCloseTo(0, 6);
    expect(scaleEnds('c', -318, -33)).toEqual(['lowest here', 'highest here']);
    expect(valueWords(unitScale(-40, 'c', -318, -33), scaleEnds('c', -318, -33))).toBe('very high');
    expect(valueWords(0.3, scaleEnds('c', -318, -33))).toBe('high');
    expect(valueWords(0.3)).toBe('positive');
  });
});

describe('Look inside: text equivalents', () => {
  const view = {
    probe: 'ab a',
    vocab: [' ', 'a', 'b'],
    bits: new Float32Array([4.5, 0.5, 2, 7]),
    topIds: new Int32Array([2, 0, 1, -1, -1, 0, 1, 2, -1, -1, 1, 0, 2, -1, -1, 0, 1, 2, -1, -1]),
    topProbs: new Float32Array([0.6, 0.3, 0.05, 0, 0, 0.7, 0.2, 0.1, 0, 0, 0.5, 0.25, 0.2, 0, 0, 0.4, 0.3, 0.2, 0, 0]),
  };

  it('shows whitespace as glyphs and speaks it in words', () => {
    expect([' ', '\n', '\t', 'x'].map(glyph)).toEqual(['␣', '↵', '⇥', 'x']);
    expect(spoken(' ')).toBe('space');
    expect(spoken('\n')).toBe('new line');
    expect(spoken('q')).toBe('“q”');
  });

  it('lists the next characters best first, marks the one that came, and their probabilities sum to at most 1', () => {
    const g = nextGuesses(view, 0);
    expect(g.map((x) => x.char)).toEqual(['b', ' ', 'a']);
    expect(g.map((x) => x.came)).toEqual([true, false, false]);
    expect(g.reduce((s, x) => s + x.p, 0)).toBeLessThanOrEqual(1);
    expect(nextGuesses(view, 3).some((x) => x.came)).toBe(false); // nothing came after the last
  });

  it('says each character’s bits, what was expected and what came', () => {
    expect(surpriseLabel(view, 1)).toBe(
      '“b”: 0.5 bits, expected. Expected next: space 70%, “a” 20%, “b” 10%; then came space.',
    );
    expect(surpriseLabel(view, 3)).toMatch(/very surprising.*the probe ends here\.$/);
  });

  it('writes probabilities and values in words', () => {
    expect([0.412, 0.03, 0.0004, 0].map(percent)).toEqual(['41%', '3.0%', '<0.1%', '0%']);
    expect(valueWords(0.05)).toBe('near zero');
    expect(valueWords(-0.9)).toBe('strongly negative');
    expect(valueWords(0.3)).toBe('positive');
  });

  it('counts saturated gate units in words', () => {
    const text = saturationWords('f', new Float32Array([0.9, 0, 0]), new Float32Array([0, 0.8, 0.7]));
    expect(text).toBe('forget gate: 2 of 3 units above 0.9 most of the time, 1 below 0.1 most of the time');
  });
});

describe('Look inside: keys and refreshes', () => {
  it('moves across the characters with arrows, Home, End and pages, stopping at the ends', () => {
    expect(moveKey('ArrowRight', 3, 10)).toBe(4);
    expect(moveKey('ArrowRight', 9, 10)).toBe(9);
    expect(moveKey('ArrowLeft', 0, 10)).toBe(0);
    expect(moveKey('ArrowUp', 5, 10)).toBe(4);
    expect(moveKey('Home', 5, 10)).toBe(0);
    expect(moveKey('End', 5, 10)).toBe(9);
    expect(moveKey('PageDown', 5, 100, 40)).toBe(45);
    expect(moveKey('PageUp', 5, 100, 40)).toBe(0);
    expect(moveKey('a', 5, 10)).toBeNull();
    expect(moveKey('ArrowRight', 0, 0)).toBeNull();
  });

  it('refreshes while training at most a tenth of the time: nine times the last view’s time must pass', () => {
    expect(mayRefresh(1000, null, 50)).toBe(true);
    expect(mayRefresh(1000 + 449, 1000, 50)).toBe(false);
    expect(mayRefresh(1000 + 450, 1000, 50)).toBe(true);
    expect(mayRefresh(5000, 1000, 1000)).toBe(false);
  });

  it('knows the views by name', () => {
    expect(isView('inside')).toBe(true);
    expect(isView('settings')).toBe(false);
  });
});
