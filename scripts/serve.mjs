// A minimal static file server for dist/ (no dependencies). Serves under an optional sub-path to
// prove the build works from any sub-path. Usage: node scripts/serve.mjs [--port N] [--base /sub/] [--isolated]
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.webmanifest': 'application/manifest+json',
};

/** Cross-origin isolation (SharedArrayBuffer, so WASM threads): `node scripts/serve.mjs --isolated`. */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export function serve({ root = 'dist', port = 4173, base = '/', isolated = false } = {}) {
  const dir = resolve(root);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(base)) {
      res.writeHead(302, { Location: base }).end();
      return;
    }
    let path = normalize(join(dir, decodeURIComponent(url.pathname.slice(base.length))));
    if (!path.startsWith(dir)) return void res.writeHead(403).end();
    try {
      if (statSync(path).isDirectory()) path = join(path, 'index.html');
      statSync(path);
    } catch {
      return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ...(isolated ? ISOLATION : {}),
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const port = Number(arg('--port', process.env.PORT ?? 4173));
  const base = arg('--base', '/');
  await serve({ port, base, isolated: process.argv.includes('--isolated') });
  console.log(`Inkling is being served at http://localhost:${port}${base}`);
}
