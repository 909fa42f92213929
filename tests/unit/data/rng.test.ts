import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';

describe('Rng', () => {
  it('repeats its sequence for a seed, and differs across seeds', () => {
    const take = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
  });

  it('resumes exactly from a saved state (what checkpoints rely on)', () => {
    const a = new Rng(7);
    for (let i = 0; i < 10; i++) a.next();
    const b = new Rng(0);
    b.state = a.state;
    expect(Array.from({ length: 5 }, () => b.int(1000))).toEqual(Array.from({ length: 5 }, () => a.int(1000)));
  });

  it('draws uniformly: integers in range with even counts', () => {
    const r = new Rng(3);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(150);
  });
});
