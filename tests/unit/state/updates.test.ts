import { describe, expect, it, vi } from 'vitest';

vi.mock('virtual:pwa-register', () => ({ registerSW: () => () => Promise.resolve() }));
const { updateAction } = await import('../../../src/state/updates');

describe('a waiting new version', () => {
  it('is applied only on a page just opened with nothing training; otherwise announced for next time', () => {
    expect(updateAction(false, 1000)).toBe('apply');
    expect(updateAction(true, 1000)).toBe('announce'); // never in the middle of a run
    expect(updateAction(false, 60_000)).toBe('announce'); // a page in use is not reloaded under the person
  });
});
