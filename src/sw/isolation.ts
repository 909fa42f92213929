/**
 * Cross-origin isolation from the service worker, for static hosts that cannot send headers.
 * With COOP `same-origin` and COEP `require-corp` on the page (and on the scripts that start its
 * workers), the page is cross-origin isolated: SharedArrayBuffer exists, and tfjs' WASM backend
 * runs XNNPACK on one thread per core (worker/wasm.ts). `npm start` sends the headers itself;
 * elsewhere the service worker adds them to what it serves from its cache, so the page is
 * isolated from the second visit on. The app loads nothing from other origins, so `require-corp`
 * blocks nothing.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The response with the isolation headers added; opaque and error responses pass through unchanged. */
export function withIsolation(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
