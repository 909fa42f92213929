import { describe, expect, it } from 'vitest';
import { defaultShared, fromQuery, toQuery } from '../../../src/state/share';

const IDS = ['lincoln', 'founders'];

describe('settings in the address', () => {
  it('the defaults make an empty query; changed values round-trip', () => {
    expect(toQuery(defaultShared())).toBe('');
    const s = defaultShared();
    Object.assign(s.settings.model, { units: 256, layers: 2, dropout: 0.2 });
    Object.assign(s.settings.train, { seqLen: 100, learningRate: 0.002, optimizer: 'rmsprop' });
    Object.assign(s, { temperatures: [0.3, 0.9], backend: 'wasm', text: 'founders', start: 'base', mode: 'gradual' });
    const query = toQuery(s);
    expect(query).toBe(
      'layers=2&units=256&dropout=0.2&seq=100&lr=0.002&opt=rmsprop&t=0.3%2C0.9&backend=wasm&text=founders&start=base-gradual',
    );
    expect(fromQuery(query, IDS)).toEqual(s);
  });

  it('ignores what does not check out, keeping the defaults there', () => {
    const s = fromQuery('units=99999&layers=2&lr=abc&t=0.5,99&backend=tpu&text=secret&start=base-bogus&opt=sgd', IDS);
    const d = defaultShared();
    expect(s.settings.model.units).toBe(d.settings.model.units);
    expect(s.settings.model.layers).toBe(2);
    expect(s.settings.train.learningRate).toBe(d.settings.train.learningRate);
    expect(s.temperatures).toEqual(d.temperatures);
    expect(s.settings.train.optimizer).toBe('adam');
    expect([s.backend, s.text, s.start, s.mode]).toEqual(['auto', null, 'base', 'all']);
  });

  it('carries the view on screen, the training view unsaid, and ignores views it does not know', () => {
    const s = defaultShared();
    expect(toQuery({ ...s, view: 'train' })).toBe('');
    expect(toQuery({ ...s, view: 'inside' })).toBe('view=inside');
    expect(fromQuery('view=inside', IDS).view).toBe('inside');
    expect(fromQuery('view=race&units=256', IDS)).toMatchObject({ view: 'race' });
    expect(fromQuery('view=admin', IDS).view).toBe('train');
  });
});
