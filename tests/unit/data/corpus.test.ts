import { describe, expect, it } from 'vitest';
import {
  CorpusError,
  MAX_CORPUS_BYTES,
  applyTextOptions,
  checkLength,
  checkSize,
  decodeCorpus,
  minCorpusLength,
} from '../../../src/data/corpus';

const utf8 = (s: string) => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CorpusError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('decodeCorpus', () => {
  it('decodes UTF-8, strips the BOM and normalises line endings', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('héllo\r\nworld\rend')]);
    expect(decodeCorpus(bytes, 'a.txt')).toBe('héllo\nworld\nend');
  });

  it('refuses empty and whitespace-only files', () => {
    expect(codeOf(() => decodeCorpus(new Uint8Array(0), 'e.txt'))).toBe('empty');
    expect(codeOf(() => decodeCorpus(utf8('  \n\t '), 'w.txt'))).toBe('empty');
  });

  it('recognises images and other binary files', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    expect(codeOf(() => decodeCorpus(png, 'cat.png'))).toBe('binary');
    expect(() => decodeCorpus(png, 'cat.png')).toThrow(/PNG image/);
    expect(codeOf(() => decodeCorpus(new Uint8Array([65, 66, 0, 67]), 'x.bin'))).toBe('binary');
  });

  it('refuses bytes that are not valid UTF-8, e.g. Latin-1', () => {
    const latin1 = new Uint8Array([...utf8('caf'), 0xe9, ...utf8(' au lait')]);
    expect(codeOf(() => decodeCorpus(latin1, 'l1.txt'))).toBe('not-utf8');
    expect(() => decodeCorpus(latin1, 'l1.txt')).toThrow(/not valid UTF-8/);
  });
});

describe('size and length limits', () => {
  it('refuses files over the limit by size alone', () => {
    expect(codeOf(() => checkSize(MAX_CORPUS_BYTES + 1, 'big.txt'))).toBe('too-large');
    expect(() => checkSize(MAX_CORPUS_BYTES + 1, 'big.txt')).toThrow(/limit is 50\.0 MB/);
    expect(codeOf(() => checkSize(MAX_CORPUS_BYTES, 'ok.txt'))).toBe('ok');
  });

  it('needs a full row in both the training and validation parts', () => {
    expect(minCorpusLength(16, 0.1)).toBe(170);
    expect(codeOf(() => checkLength(169, 16, 0.1, 't'))).toBe('too-short');
    expect(codeOf(() => checkLength(170, 16, 0.1, 't'))).toBe('ok');
  });
});

describe('applyTextOptions', () => {
  it('lowercases and keeps only printable ASCII, newlines and tabs', () => {
    expect(applyTextOptions('Héllo\tWörld — ok\n', { lowercase: true, asciiOnly: true })).toBe('hllo\twrld  ok\n');
    expect(applyTextOptions('AbC', { lowercase: false, asciiOnly: false })).toBe('AbC');
  });
});

describe('text encodings', () => {
  const utf16 = (text: string, bigEndian: boolean) => {
    const out = new Uint8Array(2 + text.length * 2);
    out.set(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out.set(bigEndian ? [c >> 8, c & 0xff] : [c & 0xff, c >> 8], 2 + 2 * i);
    }
    return out;
  };

  it('decodes UTF-16 LE and BE with a byte-order mark as text (no BOM, line ends folded)', () => {
    const text = 'Bonjour, ça va ?\r\nΚαλημέρα — 你好\n'.repeat(3);
    for (const be of [false, true]) {
      expect(decodeCorpus(utf16(text, be), 'notes.txt')).toBe(text.replace(/\r\n/g, '\n'));
    }
  });

  it('refuses UTF-32 by name, and UTF-16 that does not decode', () => {
    const utf32 = new Uint8Array([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0, 0x42, 0, 0, 0]);
    expect(() => decodeCorpus(utf32, 'wide.txt')).toThrow(/is UTF-32 text, which Inkling does not read/);
    const lonely = new Uint8Array([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]); // an unpaired surrogate
    expect(() => decodeCorpus(lonely, 'bad.txt')).toThrow(/is not valid UTF-16 text/);
  });

  it('isolates names in messages, so a right-to-left override cannot reorder the words around them', () => {
    const name = 'evil\u202Etxt.exe';
    expect(() => decodeCorpus(new Uint8Array(0), name)).toThrow(`"\u2068${name}\u2069" is empty`);
  });
});
