/** Which English base a link names (issue 33): the small one unsaid, the large one carried, an unknown one refused. */
import { describe, expect, it } from 'vitest';
import { defaultShared, fromQuery, toQuery } from '../../../src/state/share';
import { linkNotice } from '../../../src/state/link-notice';
import { BUILT_IN_CORPORA } from '../../../src/state/corpora';

const IDS = BUILT_IN_CORPORA.map((c) => c.id);

describe('the base in the address', () => {
  it('leaves the small base out, carries the large one, with or without starting from it', () => {
    expect(toQuery({ ...defaultShared(), base: 'small' })).toBe('');
    expect(toQuery({ ...defaultShared(), base: 'large' })).toBe('base=large');
    const s = { ...defaultShared(), start: 'base' as const, mode: 'gradual' as const, base: 'large' as const };
    expect(toQuery(s)).toBe('start=base-gradual&base=large');
    expect(fromQuery('start=base-gradual&base=large', IDS)).toEqual(s);
    expect(fromQuery('start=base', IDS)).toMatchObject({ start: 'base', base: 'small' }); // links from before
    expect(linkNotice('start=base&base=large', BUILT_IN_CORPORA)).toBeNull();
  });

  it('a base the page does not have is refused in words, and the small one is used', () => {
    expect(fromQuery('start=base&base=huge', IDS)).toMatchObject({ start: 'base', base: 'small' });
    expect(linkNotice('start=base&base=huge', BUILT_IN_CORPORA)).toBe(
      'The link asked for the base "\u2068huge\u2069", which this page does not have: it uses the small English base.',
    );
  });
});
