import { describe, expect, it } from 'vitest';
import { UNKNOWN, buildVocab, decode, encode } from '../../../src/data/vocab';

describe('vocabulary', () => {
  it('is the sorted unique characters of the text and round-trips', () => {
    const { vocab, distinct, mappedToUnknown } = buildVocab('hello world');
    expect(vocab.chars).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(distinct).toBe(8);
    expect(mappedToUnknown).toBe(0);
    expect(vocab.unknownId).toBe(-1);
    expect(decode(vocab, encode(vocab, 'hello world'))).toBe('hello world');
  });

  it('treats astral characters (emoji) as one character each', () => {
    const { vocab } = buildVocab('a😀b');
    expect(vocab.chars).toContain('😀');
    expect(encode(vocab, 'a😀b')).toHaveLength(3);
  });

  it('caps a huge alphabet, keeping the most frequent and mapping the rest to UNKNOWN', () => {
    let text = 'aaaa bbbb cccc ';
    for (let i = 0; i < 500; i++) text += String.fromCodePoint(0x4e00 + i);
    const { vocab, distinct, mappedToUnknown } = buildVocab(text, 16);
    expect(vocab.chars).toHaveLength(16);
    expect(distinct).toBe(504);
    expect(mappedToUnknown).toBe(504 - 15);
    expect(vocab.chars).toEqual(expect.arrayContaining(['a', 'b', 'c', ' ', UNKNOWN]));
    const ids = encode(vocab, `a${String.fromCodePoint(0x4e00 + 499)}`);
    expect(ids[1]).toBe(vocab.unknownId);
  });
});
