import { describe, expect, it } from 'vitest';
import {
  StatefulBatcher,
  batchAt,
  evalBatches,
  randomBatch,
  splitTrainVal,
  stepsPerEpoch,
} from '../../../src/data/batching';
import { Rng } from '../../../src/data/rng';

const ids = Int32Array.from({ length: 100 }, (_, i) => i);

describe('batching', () => {
  it('takes validation as one block from the end', () => {
    const { train, val } = splitTrainVal(ids, 0.1);
    expect(train.length).toBe(90);
    expect(Array.from(val)).toEqual(Array.from({ length: 10 }, (_, i) => 90 + i));
  });

  it('makes every position a target: targets are the inputs shifted by one', () => {
    const b = batchAt(ids, [0, 50], 4);
    expect(Array.from(b.inputs)).toEqual([0, 1, 2, 3, 50, 51, 52, 53]);
    expect(Array.from(b.targets)).toEqual([1, 2, 3, 4, 51, 52, 53, 54]);
  });

  it('draws random batches reproducibly from a seed, always in range', () => {
    const a = randomBatch(ids, 8, 16, new Rng(7));
    const b = randomBatch(ids, 8, 16, new Rng(7));
    const c = randomBatch(ids, 8, 16, new Rng(8));
    expect(a.inputs).toEqual(b.inputs);
    expect(a.inputs).not.toEqual(c.inputs);
    for (let i = 0; i < a.targets.length; i++) expect(a.targets[i]).toBe(a.inputs[i] + 1);
    expect(Math.max(...a.targets)).toBeLessThan(100);
  });

  it('spreads evaluation rows over the whole split, identically each time', () => {
    const batches = evalBatches(ids, 9, 2, 3);
    expect(batches).toHaveLength(3);
    expect(batches[0].inputs[0]).toBe(0);
    expect(batches[2].targets[batches[2].targets.length - 1]).toBe(99);
    expect(evalBatches(ids, 9, 2, 3)).toEqual(batches);
  });

  it('counts steps per epoch so each training character is a target once in expectation', () => {
    expect(stepsPerEpoch(1000, 10, 10)).toBe(10);
    expect(stepsPerEpoch(1001, 10, 10)).toBe(11);
  });

  it('refuses texts too short for one row', () => {
    expect(() => randomBatch(ids.subarray(0, 5), 8, 2, new Rng(1))).toThrow(RangeError);
  });
});

describe('stateful batches', () => {
  it('continue each row where the previous batch left it, and restart after a pass', () => {
    const lanes = new StatefulBatcher(ids, 4, 3); // 3 lanes of 33 ids, 8 steps per pass
    expect(lanes.stepsPerPass).toBe(8);
    const a = lanes.at(0);
    const b = lanes.at(1);
    expect(a.fresh).toBe(true);
    expect(b.fresh).toBe(false);
    expect(Array.from(a.batch.inputs)).toEqual([0, 1, 2, 3, 33, 34, 35, 36, 66, 67, 68, 69]);
    expect(Array.from(b.batch.inputs.subarray(0, 4))).toEqual([4, 5, 6, 7]);
    expect(b.batch.inputs[0]).toBe(a.batch.targets[3]); // the next row starts at the last target
    expect(lanes.at(8)).toEqual(a);
  });
});
