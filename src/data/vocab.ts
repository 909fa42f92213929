/**
 * Character vocabulary. Ids are positions in `chars`, which starts sorted; later growth (new
 * characters from a fine-tuning text) appends, so existing ids, embedding rows and softmax rows
 * keep their meaning.
 */

export const UNKNOWN = '\uFFFD'; // stands for every character beyond the vocabulary cap
export const MAX_VOCAB = 256; // rows of the embedding/softmax; rarer characters map to UNKNOWN

export interface Vocab {
  chars: string[]; // id -> character (one Unicode code point each)
  unknownId: number; // id of UNKNOWN, or -1 when every character has its own id
}

export interface VocabReport {
  vocab: Vocab;
  distinct: number; // distinct characters in the text
  mappedToUnknown: number; // distinct characters folded into UNKNOWN by the cap
}

function countChars(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return counts;
}

/** Builds the vocabulary of a text: sorted unique characters, capped at `max` by frequency. */
export function buildVocab(text: string, max = MAX_VOCAB): VocabReport {
  const counts = countChars(text);
  let kept = [...counts.keys()];
  let mappedToUnknown = 0;
  if (kept.length > max) {
    kept.sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
    mappedToUnknown = kept.length - (max - 1);
    kept = kept.slice(0, max - 1).filter((c) => c !== UNKNOWN);
    kept.push(UNKNOWN);
  }
  kept.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { vocab: makeVocab(kept), distinct: counts.size, mappedToUnknown };
}

export function makeVocab(chars: string[]): Vocab {
  return { chars, unknownId: chars.indexOf(UNKNOWN) };
}

export function vocabIndex(vocab: Vocab): Map<string, number> {
  return new Map(vocab.chars.map((c, i) => [c, i]));
}

/** Text -> ids. Characters outside the vocabulary become UNKNOWN (or are dropped if it has none). */
export function encode(vocab: Vocab, text: string, index = vocabIndex(vocab)): Int32Array {
  const ids = new Int32Array(text.length);
  let n = 0;
  for (const ch of text) {
    const id = index.get(ch) ?? vocab.unknownId;
    if (id >= 0) ids[n++] = id;
  }
  return ids.slice(0, n);
}

export function decode(vocab: Vocab, ids: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < ids.length; i++) out += vocab.chars[ids[i]] ?? UNKNOWN;
  return out;
}

/**
 * `vocab` plus the characters of `text` it lacks, appended in code-point order (existing ids keep
 * their meaning), up to `max` symbols; the rest map to UNKNOWN, which is added if needed.
 */
export function growVocab(vocab: Vocab, text: string, max = MAX_VOCAB): Vocab {
  const known = new Set(vocab.chars);
  const counts = countChars(text);
  let added = [...counts.keys()].filter((c) => !known.has(c));
  if (vocab.chars.length + added.length > max) {
    const room = max - vocab.chars.length - (vocab.unknownId < 0 ? 1 : 0);
    added.sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
    added = added.filter((c) => c !== UNKNOWN).slice(0, Math.max(0, room));
    if (vocab.unknownId < 0) added.push(UNKNOWN);
  }
  added.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return added.length === 0 ? vocab : makeVocab([...vocab.chars, ...added]);
}
