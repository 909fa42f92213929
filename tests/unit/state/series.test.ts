import { describe, expect, it } from 'vitest';
import { appendTraining, appendValidation, chartOf, emptySeries } from '../../../src/state/series';

describe('chart series', () => {
  it('appends raw and smoothed training loss and merges validation into its step', () => {
    let d = appendValidation(emptySeries(), 0, 6);
    d = appendTraining(d, [
      [1, 5],
      [2, 3],
    ]);
    d = appendValidation(d, 2, 4);
    expect(d[0]).toEqual([0, 1, 2]);
    expect(d[1]).toEqual([null, 5, 3]);
    expect(d[2][1]).toBeCloseTo(5); // debiased: the first smoothed point is the first raw point
    expect(d[2][2]).toBeCloseTo((0.9 * 0.1 * 5 + 0.1 * 3) / (1 - 0.81));
    // Appending in two calls gives the same curve as in one.
    const once = appendTraining(emptySeries(), [
      [1, 5],
      [2, 3],
      [3, 4],
    ]);
    const twice = appendTraining(appendTraining(emptySeries(), [[1, 5]]), [
      [2, 3],
      [3, 4],
    ]);
    expect(twice[2].map((v) => v!.toFixed(9))).toEqual(once[2].map((v) => v!.toFixed(9)));
    expect(d[3]).toEqual([6, null, 4]);
  });

  it('keeps steps in order when a validation point arrives for an earlier step (a reopened run)', () => {
    let d = appendTraining(emptySeries(), [
      [1, 5],
      [2, 4],
      [3, 3],
    ]);
    d = appendValidation(d, 0, 6);
    d = appendValidation(d, 2, 4.5);
    expect(d[0]).toEqual([0, 1, 2, 3]);
    expect(d[3]).toEqual([6, null, 4.5, null]);
    expect(d[1]).toEqual([null, 5, 4, 3]);
  });

  it("rebuilds a saved run's chart from its history, steps in order", () => {
    const d = chartOf({
      train: [
        [1, 5],
        [2, 4],
      ],
      val: [
        [0, 6, 6],
        [2, 4.2, 4.1],
      ],
    });
    expect(d[0]).toEqual([0, 1, 2]);
    expect(d[3]).toEqual([6, null, 4.2]);
  });

  it('returns new arrays and never mutates the old ones', () => {
    const a = appendTraining(emptySeries(), [[1, 2]]);
    const b = appendTraining(a, [[2, 1]]);
    expect(a[0]).toEqual([1]);
    expect(b[0]).toEqual([1, 2]);
  });
});
