// Runs a TypeScript entry under Node with the app's own modules: Vite bundles the entry (and the
// src/ code it imports) into node_modules/.cache/inkling-scripts/, npm packages stay external,
// then the bundle runs with this process's arguments. Usage: node scripts/run-ts.mjs ENTRY.ts [args]
import { build } from 'vite';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('usage: node scripts/run-ts.mjs ENTRY.ts [args]');
const outDir = resolve('node_modules/.cache/inkling-scripts');
const name = basename(entry).replace(/\.ts$/, '');
await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: entry,
    outDir,
    emptyOutDir: false,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: `${name}.mjs` } },
  },
});
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(resolve(outDir, `${name}.mjs`)).href);
