/** Turning the bytes a person gives us into training text, or into a clear reason why not. */
import { quoted } from '../config/words';
import type { TextOptions } from '../config/settings';
import { foldTypography } from './alphabet';

export const MAX_CORPUS_BYTES = 50 * 1024 * 1024; // 50 MB: larger files are refused before reading

export type CorpusErrorCode = 'empty' | 'too-large' | 'binary' | 'not-utf8' | 'encoding' | 'too-short';

export class CorpusError extends Error {
  constructor(
    readonly code: CorpusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CorpusError';
  }
}

/** Magic numbers of common binary formats people drop by mistake. */
const SIGNATURES: [string, number[]][] = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a ZIP archive (or an Office document)', [0x50, 0x4b, 0x03, 0x04]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['a WebAssembly module', [0x00, 0x61, 0x73, 0x6d]],
];

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Refuses a file by its size alone, before any of it is read. */
export function checkSize(size: number, name: string): void {
  if (size === 0) throw new CorpusError('empty', `${quoted(name)} is empty: there is nothing to learn from.`);
  if (size > MAX_CORPUS_BYTES) {
    throw new CorpusError(
      'too-large',
      `${quoted(name)} is ${formatBytes(size)}; the limit is ${formatBytes(MAX_CORPUS_BYTES)}. Try a smaller extract.`,
    );
  }
}

function detectBinary(bytes: Uint8Array): string | null {
  for (const [kind, sig] of SIGNATURES) {
    if (sig.every((b, i) => bytes[i] === b)) return kind;
  }
  const head = bytes.subarray(0, 65536);
  let control = 0;
  for (const b of head) {
    if (b === 0) return 'a binary file (it contains NUL bytes)';
    if (b < 8 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return control > head.length * 0.1 ? 'a binary file (it is mostly control bytes)' : null;
}

type Bom = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

/** The encoding a byte-order mark announces, if the text starts with one. */
function byteOrderMark(b: Uint8Array): Bom | null {
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff) return 'utf-32be';
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00) return 'utf-32le'; // before UTF-16 LE: same start
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  return null;
}

/** Strict decoding: a byte sequence that is not valid in `encoding` throws. */
function decodeAs(bytes: Uint8Array, encoding: 'utf-8' | 'utf-16le' | 'utf-16be', name: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const label = encoding === 'utf-8' ? 'UTF-8' : 'UTF-16';
    throw new CorpusError(
      'not-utf8',
      `${quoted(name)} is not valid ${label} text. Re-save it as UTF-8 (most editors offer this) and try again.`,
    );
  }
}

/**
 * Decodes a text file strictly: UTF-8, or UTF-16 (LE or BE) when it starts with its byte-order
 * mark. Empty, binary, UTF-32 and undecodable input each throw a CorpusError with a message for
 * the page. Strips the BOM and normalises line endings to \n.
 */
export function decodeCorpus(bytes: Uint8Array, name: string): string {
  checkSize(bytes.length, name);
  const bom = byteOrderMark(bytes);
  if (bom === 'utf-32le' || bom === 'utf-32be') {
    throw new CorpusError(
      'encoding',
      `${quoted(name)} is UTF-32 text, which Inkling does not read. Re-save it as UTF-8.`,
    );
  }
  const utf16 = bom === 'utf-16le' || bom === 'utf-16be';
  const binary = utf16 ? null : detectBinary(bytes); // UTF-16 is full of NUL bytes by nature
  if (binary) throw new CorpusError('binary', `${quoted(name)} looks like ${binary}, not text.`);
  const text = decodeAs(bytes, utf16 ? bom : 'utf-8', name).replace(/\r\n?/g, '\n');
  if (text.trim().length === 0) {
    throw new CorpusError('empty', `${quoted(name)} holds only white space: there is nothing to learn from.`);
  }
  if (utf16 && detectBinary(new TextEncoder().encode(text))) {
    throw new CorpusError('binary', `${quoted(name)} decodes to control characters, not text.`);
  }
  return text;
}

/** Applies the text options: typography folded, case folded (the tutorials' way), ASCII only. */
export function applyTextOptions(text: string, options: TextOptions): string {
  let out = options.foldTypography ? foldTypography(text) : text;
  out = options.lowercase ? out.toLowerCase() : out;
  if (options.asciiOnly) out = out.replace(/[^\x20-\x7e\n\t]/g, '');
  return out;
}

/** The fewest characters a text needs so both the training and validation parts hold a row. */
export function minCorpusLength(seqLen: number, valFraction: number): number {
  return Math.ceil((seqLen + 1) / Math.min(valFraction, 1 - valFraction));
}

export function checkLength(length: number, seqLen: number, valFraction: number, name: string): void {
  const need = minCorpusLength(seqLen, valFraction);
  if (length < need) {
    throw new CorpusError(
      'too-short',
      `${quoted(name)} has ${length} characters; with sequence length ${seqLen} and ` +
        `${Math.round(valFraction * 100)}% held out for validation it needs at least ${need}. ` +
        'Give it more text or shorten the sequence length.',
    );
  }
}
