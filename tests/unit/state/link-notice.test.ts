import { describe, expect, it } from 'vitest';
import { linkNotice } from '../../../src/state/link-notice';
import { fromQuery } from '../../../src/state/share';
import { BUILT_IN_CORPORA } from '../../../src/state/corpora';
import { defaultSettings } from '../../../src/config/settings';

const notice = (query: string) => linkNotice(query, BUILT_IN_CORPORA);

describe('a settings link asking for what the page refuses', () => {
  it('names each refused value, the limit, and what was kept, in one notice (the link of issue 35)', () => {
    const query = 'units=1e9&lr=NaN&seq=0&t=Infinity&text=doesnotexist';
    expect(notice(query)).toBe(
      [
        'The link asked for 1,000,000,000 units; the most is 1,024: kept 128.',
        'The link asked for a sequence length of 0; the least is 2: kept 64.',
        'The link asked for a learning rate of "\u2068NaN\u2069"; that is not a number: kept 0.01.',
        'The link asked for the temperatures "\u2068Infinity\u2069"; each must be a number from 0 to 10, one to ' +
          'eight of them: kept 0.2, 0.5, 1, 1.2.',
        'The link asked for the text "\u2068doesnotexist\u2069", which this page does not have: loaded Lincoln, ' +
          'State of the Union 1861–1864 instead.',
      ].join(' '),
    );
    const opened = fromQuery(
      query,
      BUILT_IN_CORPORA.map((c) => c.id),
    ); // and what was kept is what the page uses
    expect(opened.settings).toEqual(defaultSettings());
    expect(opened.text).toBeNull();
  });

  it('says nothing for a link the page takes whole, or an empty one', () => {
    expect(notice('units=256&lr=0.002&seq=100&t=0.5,1&text=founders&opt=rmsprop&start=base-gradual')).toBeNull();
    expect(notice('')).toBeNull();
  });

  it('names fractions of whole-number settings, unknown optimizers, backends and starts', () => {
    expect(notice('layers=2.5')).toBe('The link asked for 2.5 LSTM layers; it must be a whole number: kept 1.');
    expect(notice('opt=sgd&backend=tpu&start=base-lots')).toBe(
      'The link asked for the optimizer "\u2068sgd\u2069"; the page has adam and rmsprop: kept adam. ' +
        'The link asked for the backend "\u2068tpu\u2069", which this page does not know: kept Auto. ' +
        'The link asked to start from "\u2068base-lots\u2069", which this page does not know: it starts from the ' +
        'base, all layers trained.',
    );
  });

  it('cuts a very long refused value', () => {
    expect(notice(`lr=${'9'.repeat(500)}x`)).toMatch(/learning rate of "\u20689{40}…\u2069"; that is not a number/);
  });
});
