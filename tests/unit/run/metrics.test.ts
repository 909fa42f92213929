import { describe, expect, it } from 'vitest';
import { classifierMetrics } from '../../../src/run/metrics';

describe('classifier metrics', () => {
  it('matches hand-computed accuracy, macro-F1, confusion and the most confidently wrong', () => {
    // truth:     0    0    0    1    1    2
    // predicted: 0    1    0    1    0    2
    const probs = Float32Array.from(
      [
        [0.8, 0.1, 0.1],
        [0.2, 0.7, 0.1],
        [0.6, 0.3, 0.1],
        [0.1, 0.8, 0.1],
        [0.9, 0.05, 0.05],
        [0.1, 0.1, 0.8],
      ].flat(),
    );
    const m = classifierMetrics(probs, [0, 0, 0, 1, 1, 2], [10, 11, 12, 13, 14, 15], 3, (i) => `text ${i}`);
    expect(m.accuracy).toBeCloseTo(4 / 6, 10);
    expect(m.confusion).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [0, 0, 1],
    ]);
    // F1: class 0 = 2*2/(3+3) = 2/3; class 1 = 2*1/(2+2) = 1/2; class 2 = 1
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 / 2 + 1) / 3, 10);
    expect(m.wrong.map((w) => [w.index, w.truth, w.predicted, w.text])).toEqual([
      [14, 1, 0, 'text 14'],
      [11, 0, 1, 'text 11'],
    ]);
    expect(m.wrong[0].confidence).toBeCloseTo(0.9, 6);
  });

  it('counts a class never predicted nor present as F1 0', () => {
    const m = classifierMetrics(Float32Array.from([1, 0, 0, 0, 1, 0]), [0, 1], [0, 1], 3);
    expect(m.accuracy).toBe(1);
    expect(m.macroF1).toBeCloseTo(2 / 3, 10);
  });
});
