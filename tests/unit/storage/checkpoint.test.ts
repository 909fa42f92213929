import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointRecord } from '../../../src/storage/checkpoint';
import { crc32 } from '../../../src/storage/crc32';
import { fakeCheckpoint } from '../support/fixtures';

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('checkpoint records', () => {
  it('round-trip weights, best weights, optimizer state and metadata exactly', () => {
    const original = fakeCheckpoint();
    const decoded = decodeCheckpoint(encodeCheckpoint(original));
    expect(decoded.weights).toEqual(original.weights);
    expect(decoded.best).toEqual(original.best);
    expect(decoded.optimizer).toEqual(original.optimizer);
    expect(decoded.meta.vocab).toEqual(['a', 'b', 'c']);
    expect(decoded.meta.history).toEqual(original.meta.history);
    expect(decoded.meta.rngState).toBe(1234);
  });

  it('refuses a record whose bytes changed (checksum)', () => {
    const record = encodeCheckpoint(fakeCheckpoint());
    new Float32Array(record.data)[3] += 1;
    expect(() => decodeCheckpoint(record)).toThrow(/checksum mismatch/);
  });

  /** Re-encodes with a tampered header but a valid checksum, so only the schema can catch it. */
  function tampered(edit: (meta: Record<string, any>) => void): CheckpointRecord {
    const record = encodeCheckpoint(fakeCheckpoint());
    const meta = JSON.parse(record.json);
    edit(meta);
    const json = JSON.stringify(meta);
    return { json, data: record.data, crc: crc32(new Uint8Array(record.data), crc32(new TextEncoder().encode(json))) };
  }

  const variants: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['wrong format tag', (m) => (m.format = 'something-else'), /not an Inkling checkpoint/],
    ['newer version', (m) => (m.version = 99), /newer Inkling/],
    ['vocabulary size differs from the model', (m) => m.vocab.push('d'), /vocabulary must list 3/],
    ['duplicate vocabulary', (m) => (m.vocab = ['a', 'a', 'c']), /duplicates/],
    ['multi-character vocabulary entry', (m) => (m.vocab = ['ab', 'b', 'c']), /single characters/],
    [
      'weight shape differs from the config',
      (m) => (m.tensors.weights[0].shape = [4, 2]),
      /embedding\/embeddings should have shape \[3,2\]/,
    ],
    ['missing weight', (m) => m.tensors.weights.pop(), /expected 6 weight tensors, found 5/],
    ['tensor past the end of the data', (m) => (m.tensors.optimizer[1].offset = 1e6), /runs past the end/],
    ['settings out of range', (m) => (m.settings.train.batchSize = -1), /settings out of range/],
    ['malformed history', (m) => (m.history.train = [[1]]), /training history malformed/],
    ['negative step', (m) => (m.step = -3), /step/],
  ];
  for (const [what, edit, message] of variants) {
    it(`rejects a header with ${what}`, () => {
      expect(() => decodeCheckpoint(tampered(edit))).toThrow(message);
    });
  }

  it('rejects things that are not records at all', () => {
    expect(() => decodeCheckpoint(null)).toThrow(/not a checkpoint record/);
    expect(() =>
      decodeCheckpoint({ json: '{', data: new ArrayBuffer(0), crc: crc32(new TextEncoder().encode('{')) }),
    ).toThrow(/not valid JSON/);
  });
});
