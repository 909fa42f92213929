/**
 * Every repository path a comment or a README names (`src/…`, `tests/…`, `scripts/…`, `public/…`)
 * exists, so a newcomer following one never lands on a file that was renamed or removed.
 * tests/bench/RESULTS.md is left out: it is a log, and each entry names the files as they were at
 * its commit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', 'dist-bench', 'test-results', 'playwright-report', 'bench-results']);
const LOGS = new Set(['tests/bench/RESULTS.md']);
const CODE = /\.(ts|mts|mjs|js|svelte|wat|sh|css)$/;
/** Paths written by tools or made elsewhere, named on purpose though absent from a fresh checkout. */
const MADE_LATER = [/^public\/models\/base-en-large\//];

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return SKIP.has(e.name) || e.name.startsWith('.') ? [] : files(path);
    return CODE.test(e.name) || e.name === 'README.md' ? [path] : [];
  });
}

/** The text of a file that names paths: a README whole; a code file's comments only. */
function prose(path: string): string {
  const text = readFileSync(join(ROOT, path), 'utf8');
  if (path.endsWith('.md')) return text;
  const comment = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|;;[^\n]*|^\s*#[^\n]*|<!--[\s\S]*?-->/gm;
  return (text.match(comment) ?? []).join('\n');
}

/** Paths such as `scripts/pretrain/` or `public/corpora/*.txt` (a glob: its folder must exist). */
function named(text: string): string[] {
  const found = text.match(/(?<![\w./@-])(?:src|tests|scripts|public)\/[\w./*@-]*/g) ?? [];
  return found.map((p) => p.replace(/[.,:;]+$/, '')).filter((p) => !p.endsWith('/…'));
}

function exists(path: string): boolean {
  const star = path.indexOf('*');
  const plain = star < 0 ? path : path.slice(0, path.lastIndexOf('/', star) + 1);
  return existsSync(join(ROOT, plain)) || existsSync(join(ROOT, `${plain}.ts`));
}

describe('paths named in comments and READMEs', () => {
  const sources = [
    ...files('src'),
    ...files('tests'),
    ...files('scripts'),
    ...readdirSync(ROOT).filter((f) => f === 'README.md'),
  ];

  it('looks at the READMEs and the code', () => {
    expect(sources).toContain('README.md');
    expect(sources).toContain('src/engine/README.md');
    expect(sources).toContain('src/engine/kernels/registry.ts');
  });

  it('all exist', () => {
    const missing = sources
      .filter((file) => !LOGS.has(file))
      .flatMap((file) => named(prose(file)).map((path) => ({ file, path })))
      .filter(({ path }) => !exists(path) && !MADE_LATER.some((r) => r.test(path)))
      .map(({ file, path }) => `${file}: ${path}`);
    expect([...new Set(missing)]).toEqual([]);
    const all = sources.flatMap((file) => named(prose(file)));
    expect(new Set(all).size).toBeGreaterThan(50); // it does find the paths
  });

  it('would catch a renamed file', () => {
    expect(named('see src/engine/kernels/wasm.ts.')).toEqual(['src/engine/kernels/wasm.ts']);
    expect(exists('src/engine/kernels/wasm.ts')).toBe(false);
    expect(exists('src/engine/kernels/wasm/replaced.ts')).toBe(true);
    expect(exists('public/corpora/*.txt')).toBe(true);
  });
});
