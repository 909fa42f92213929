import { describe, expect, it } from 'vitest';
import { applySampleEvent, emptySampleView, type SampleEvent } from '../../../src/state/sample-view';

const run = (events: SampleEvent[]) => events.reduce(applySampleEvent, emptySampleView([0.5]));

describe('the samples the page shows', () => {
  it('shows the newest sample with the prime it was made from; chunks of an older one are dropped', () => {
    const view = run([
      { type: 'sample-start', sampleId: 1, temperatures: [0.5, 1], prime: 'Old ' },
      { type: 'sample-chunk', sampleId: 1, chunks: ['ab', 'cd'] },
      { type: 'sample-start', sampleId: 2, temperatures: [0.2], prime: 'New ' },
      { type: 'sample-chunk', sampleId: 1, chunks: ['LATE', 'LATE'] }, // the old stream's last flush
      { type: 'sample-end', sampleId: 1, charsPerSec: 99 },
      { type: 'sample-chunk', sampleId: 2, chunks: ['xy'] },
    ]);
    expect(view).toMatchObject({ sampleId: 2, prime: 'New ', temperatures: [0.2], texts: ['xy'], running: true });
    const ended = applySampleEvent(view, { type: 'sample-end', sampleId: 2, charsPerSec: 1234 });
    expect(ended).toMatchObject({ running: false, charsPerSec: 1234, texts: ['xy'] });
    expect(view.running).toBe(true); // never mutated
  });
});
