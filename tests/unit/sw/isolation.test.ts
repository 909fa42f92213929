import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolation } from '../../../src/sw/isolation';

describe('the service worker’s isolation headers', () => {
  it('adds COOP and COEP and keeps the body, status and other headers', async () => {
    const original = new Response('<!doctype html>', {
      status: 200,
      statusText: 'OK',
      headers: { 'Content-Type': 'text/html', 'Cross-Origin-Opener-Policy': 'unsafe-none' },
    });
    const isolated = withIsolation(original);
    expect(isolated.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(isolated.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(isolated.headers.get('Content-Type')).toBe('text/html');
    expect([isolated.status, isolated.statusText]).toEqual([200, 'OK']);
    expect(await isolated.text()).toBe('<!doctype html>');
    expect(Object.keys(ISOLATION_HEADERS)).toHaveLength(2);
  });

  it('passes an error response through untouched', () => {
    const error = Response.error();
    expect(withIsolation(error)).toBe(error);
  });
});
