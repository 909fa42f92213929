/**
 * Labeled sets at the size of the file cap and beyond: nothing spreads or recurses over rows, so
 * a set of a million rows splits like a set of ten (the stack holds ~100,000 call arguments).
 */
import { describe, expect, it } from 'vitest';
import { classCounts, stratifiedSplit } from '../../../src/data/labeled-set';
import { readLabeled } from '../../../src/worker/labeled-intake';

function splitChecks(rows: number, classes: number) {
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) y[i] = (i * 7919) % classes; // interleaved, unequal only by rounding
  const split = stratifiedSplit(y, classes, 0.2, 42);
  expect(split.train.length + split.val.length).toBe(rows);
  const seen = new Uint8Array(rows);
  for (const i of [...split.train, ...split.val]) seen[i]++;
  expect(seen.every((n) => n === 1)).toBe(true); // disjoint, and every row is on one side
  const total = classCounts([...Array(rows).keys()], y, classes);
  const val = classCounts(split.val, y, classes);
  val.forEach((n, c) => expect(n).toBe(Math.round(total[c] * 0.2)));
  expect(split.val.every((v, i) => i === 0 || split.val[i - 1] < v)).toBe(true); // sorted
  expect(stratifiedSplit(y, classes, 0.2, 42).val.slice(0, 50)).toEqual(split.val.slice(0, 50)); // seeded
}

describe('labeled sets of any size', () => {
  it('splits 200,000 rows of two classes', () => splitChecks(200_000, 2));

  it('splits 1,000,000 rows of five classes', () => splitChecks(1_000_000, 5));

  it('reads a 200,000-row CSV (about 10 MB) into a set and says how many rows and classes it read', () => {
    const lines = ['text,label'];
    for (let i = 0; i < 200_000; i++)
      lines.push(`message number ${i} says something ${i % 3 ? 'kind' : 'rude'},${i % 3 ? 'ham' : 'spam'}`);
    const bytes = new TextEncoder().encode(lines.join('\n'));
    expect(bytes.length).toBeGreaterThan(9_000_000);
    const { result } = readLabeled([{ name: 'big.csv', bytes: bytes.buffer as ArrayBuffer }], null);
    expect(result.kind).toBe('set');
    if (result.kind !== 'set') return;
    expect(result.summary.examples).toBe(200_000);
    expect(result.summary.labels).toEqual(['ham', 'spam']);
    expect(result.summary.counts).toEqual([133_333, 66_667]);
  });
});
