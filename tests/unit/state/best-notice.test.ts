import { describe, expect, it } from 'vitest';
import { bestNotice } from '../../../src/state/best-notice';
import { defaultShared, fromQuery, toQuery } from '../../../src/state/share';

const best = { step: 140, valBpc: 2.2912, trainBpc: 2.3 };
const base = { status: 'training' as const, kept: null, stopAtBest: true, patience: 5 };

describe('what the page says about the best model', () => {
  it('says nothing while validation still improves, or for one or two checks without a new best', () => {
    expect(bestNotice({ ...base, watch: { best, sinceBest: 0, memorising: false } })).toBeNull();
    expect(bestNotice({ ...base, watch: { best, sinceBest: 2, memorising: true } })).toBeNull();
  });

  it('says plainly that the model is memorising, where the best was, and what happens next', () => {
    const watch = { best, sinceBest: 4, memorising: true };
    expect(bestNotice({ ...base, watch })).toBe(
      'Validation has not improved for 4 checks while the training loss fell: the model is memorising this text; ' +
        'the best was 2.29 bits/char at step 140. Training stops after 5 checks without a new best and keeps the best model.',
    );
    expect(bestNotice({ ...base, stopAtBest: false, watch })).toMatch(
      /Stop at the best is off, so training goes on\.$/,
    );
  });

  it('after a stop at the best, says the model in hand is the best one', () => {
    const kept = { best, lastValBpc: 2.5, early: true, patience: 5 };
    expect(bestNotice({ ...base, status: 'finished', kept, watch: { best, sinceBest: 5, memorising: true } })).toBe(
      'Stopped at the best: validation had not improved for 5 checks while the training loss fell: the model was ' +
        'memorising this text. The model in hand (samples, export, the saved run, Continue training) is the best one, ' +
        '2.29 bits/char at step 140.',
    );
    expect(bestNotice({ ...base, status: 'finished', kept: { ...kept, early: false }, watch: null })).toBe(
      'The model in hand (samples, export, the saved run, Continue training) is the best one the run reached, ' +
        '2.29 bits/char at step 140; the last check was 2.50.',
    );
  });
});

describe('stop at the best in a link', () => {
  it('carries "off" and the patience, and keeps them when opened', () => {
    const s = defaultShared();
    expect(toQuery(s)).toBe(''); // on, with the default patience: unsaid
    s.settings.train.stopAtBest = false;
    s.settings.train.patience = 8;
    const query = toQuery(s);
    expect(query).toContain('stop=0');
    expect(query).toContain('patience=8');
    const opened = fromQuery(query, []);
    expect(opened.settings.train).toMatchObject({ stopAtBest: false, patience: 8 });
    expect(fromQuery('patience=0', []).settings.train.patience).toBe(5); // out of range: the default stays
  });
});
