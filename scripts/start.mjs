// `npm start`: build if dist/ is missing or older than the sources, then serve it and print the URL.
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from './serve.mjs';

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

function stale() {
  try {
    const built = statSync('dist/index.html').mtimeMs;
    return ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].some((p) => newest(p) > built);
  } catch {
    return true;
  }
}

if (stale()) {
  console.log('Building the app (dist/)…');
  execSync('npx vite build', { stdio: 'inherit' });
}
const port = Number(process.env.PORT ?? 4173);
await serve({ port, isolated: true }); // COOP/COEP: cross-origin isolated, so WASM runs on threads
console.log(`\nInkling is running at http://localhost:${port}/  (Ctrl+C to stop)`);
console.log('Open it in Chrome or Edge 113+ for WebGPU; other browsers fall back to WebGL or CPU.');
