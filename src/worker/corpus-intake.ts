/** A text as the worker takes it in: decoded and checked, then described for the page. */
import { BASE_ALPHABET, coverage } from '../data/alphabet';
import { checkLength, decodeCorpus } from '../data/corpus';
import { buildVocab } from '../data/vocab';
import { sha256Hex } from '../storage/sha256';
import type { CorpusStats } from './protocol';
import type { LoadedCorpus } from './run-starts';

const PREVIEW_CHARS = 600;

export const countChars = (text: string) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** Decodes and checks a file's bytes; throws a CorpusError saying why it cannot be trained on. */
export async function readCorpus(name: string, bytes: ArrayBuffer, seqLen: number, valFraction: number) {
  const text = decodeCorpus(new Uint8Array(bytes), name);
  const chars = countChars(text);
  checkLength(chars, seqLen, valFraction, name);
  return { name, text, chars, hash: await sha256Hex(text) };
}

/** What the page shows of a text: size, alphabet, preview, and how the English base covers it. */
export function describeCorpus(corpus: LoadedCorpus, bytes: number): CorpusStats {
  const { distinct, mappedToUnknown } = buildVocab(corpus.text);
  const preview = corpus.text.slice(0, PREVIEW_CHARS);
  const fit = coverage(corpus.text, BASE_ALPHABET);
  const base = { newChars: fit.newChars.length, outsideShare: fit.outside / fit.total, foldable: fit.foldable };
  const { name, chars, hash } = corpus;
  return { name, bytes, chars, distinct, mappedToUnknown, preview, hash, base };
}
