/**
 * What the page's one live region says: the state classes tell it each milestone as it happens
 * (started, paused, resumed, stopped, saved), never a step's progress or a sample's characters.
 */
import { describe, expect, it, vi } from 'vitest';
import { Announcements } from '../../../src/state/announcements.svelte';
import { SavedRuns } from '../../../src/state/runs.svelte';
import { TrainingView } from '../../../src/state/training.svelte';
import type { Progress, TrainingStatus } from '../../../src/run/events';
import type { Ask } from '../../../src/state/worker-client';

function listening() {
  const heard: string[] = [];
  const announcements = new Announcements();
  const say = (text: string) => {
    announcements.say(text);
    heard.push(text);
  };
  return { heard, announcements, say };
}

const progress = (step: number): Progress => ({
  step,
  epoch: step / 100,
  points: [[step, 3]],
  stepMs: [10],
  charsPerSec: 1000,
  elapsedMs: step * 10,
  etaMs: 1000,
  tensors: 40,
  gpuBytes: null,
});

describe('announcements', () => {
  it('says each change of the training status once, and Resumed after a pause', () => {
    const { heard, announcements, say } = listening();
    const training = new TrainingView(say);
    const status = (s: TrainingStatus) => training.onEvent({ type: 'status', status: s });
    status('training');
    expect(announcements.text).toBe('Training started.');
    status('training'); // the same status again: nothing new to say
    status('paused');
    status('training');
    status('stopping');
    status('stopped');
    expect(heard).toEqual(['Training started.', 'Paused.', 'Resumed.', 'Stopping: evaluating and saving.', 'Stopped.']);
    training.idle(); // a new model in hand: nothing said
    status('training');
    status('finished');
    expect(heard.slice(5)).toEqual(['Training started.', 'Training finished.']);
  });

  it('says nothing for progress, validation or samples', () => {
    const { heard, say } = listening();
    const training = new TrainingView(say);
    training.onEvent({ type: 'status', status: 'training' });
    for (let step = 1; step <= 50; step++) training.onEvent({ type: 'progress', progress: progress(step) });
    training.onEvent({ type: 'sample-start', sampleId: 1, prime: 'The ', temperatures: [1] });
    training.onEvent({ type: 'sample-chunk', sampleId: 1, chunks: ['a'] });
    training.onEvent({ type: 'sample-end', sampleId: 1, charsPerSec: 100 });
    expect(heard).toEqual(['Training started.']);
  });

  it('says a crash stopped the run', () => {
    const { heard, say } = listening();
    const training = new TrainingView(say);
    training.onEvent({ type: 'status', status: 'training' });
    training.halt();
    expect(heard).toEqual(['Training started.', 'Stopped.']);
  });

  it('says each save with its step', () => {
    const { announcements, say } = listening();
    vi.stubGlobal('navigator', {}); // no storage to ask for persistence (Node)
    const ask = (() => Promise.resolve(null)) as unknown as Ask;
    const runs = new SavedRuns(ask, (work) => work, say);
    runs.onEvent({ type: 'saved', runId: 'r', step: 1200, bytes: 1, stallMs: 2, writeMs: 3, at: 0 }, null);
    expect(announcements.text).toBe('Saved at step 1,200.');
    vi.unstubAllGlobals();
  });
});
