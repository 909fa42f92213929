/** A saved run says which English base it started from (issue 33); runs saved before there were two still open. */
import { describe, expect, it } from 'vitest';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../../src/storage/checkpoint';
import { fakeCheckpoint } from '../support/fixtures';

const withOrigin = (origin: Record<string, unknown>) => {
  const c = fakeCheckpoint();
  c.meta.origin = { base: 'English base', sha256: 'a'.repeat(64), mode: 'all', addedChars: 0, ...origin };
  return encodeCheckpoint(c);
};

describe('the base a run started from', () => {
  it('round-trips the base’s catalog id, and a run saved without one still opens', () => {
    expect(decodeCheckpoint(withOrigin({ baseId: 'large' })).meta.origin?.baseId).toBe('large');
    expect(decodeCheckpoint(withOrigin({})).meta.origin).not.toHaveProperty('baseId');
    expect(decodeCheckpoint(withOrigin({ baseId: 'huge' })).meta.origin?.baseId).toBe('huge'); // a later page's base
  });

  it('an id that is not one is refused', () => {
    for (const baseId of [42, '', 'x'.repeat(40), '<script>']) {
      expect(() => decodeCheckpoint(withOrigin({ baseId }))).toThrow(CheckpointError);
    }
  });
});
