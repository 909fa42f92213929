/**
 * The layout of src/, checked from the import statements themselves (type-only imports
 * included, which the lint's no-cycle rule skips): no import cycle anywhere, and no folder
 * imports one above it: config <- data <- engine <- storage <- run <- worker <- state <- components.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');
const LAYERS = ['config', 'data', 'engine', 'storage', 'run', 'worker', 'state', 'components'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|svelte)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a file, resolved to files under src/ (extension added as Vite would). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'";]*?from\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((spec) => {
    const target = resolve(dirname(file), spec);
    return existsSync(target) ? target : `${target}.ts`; // './x.svelte' may be x.svelte.ts
  });
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const name = (f: string) => relative(SRC, f);
const layerOf = (f: string) => LAYERS.indexOf(name(f).split('/')[0]);

describe('the layout of src/', () => {
  it('every relative import names a file that exists', () => {
    const missing = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${name(f)} -> ${d}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') return void cycles.push([...path.slice(path.indexOf(f)), f].map(name).join(' -> '));
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    files.forEach((f) => visit(f, []));
    expect(cycles).toEqual([]);
  });

  it('no folder imports a folder above it (engine, data, run and storage never reach the worker or the page)', () => {
    const upward = [...graph].flatMap(([f, deps]) =>
      layerOf(f) < 0 ? [] : deps.filter((d) => layerOf(d) > layerOf(f)).map((d) => `${name(f)} -> ${name(d)}`),
    );
    expect(upward).toEqual([]);
  });

  it('the service worker (src/sw, a bundle of its own) imports nothing from the app', () => {
    const outside = [...graph]
      .filter(([f]) => name(f).startsWith('sw/'))
      .flatMap(([f, deps]) => deps.filter((d) => !name(d).startsWith('sw/')).map((d) => `${name(f)} -> ${name(d)}`));
    expect(outside).toEqual([]);
    expect(files.some((f) => name(f) === 'sw/service-worker.ts')).toBe(true);
  });
});
