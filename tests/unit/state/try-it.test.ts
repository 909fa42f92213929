/** Try it's state: the newest text wins, the page knows while an answer is on its way, the wait shown is the page's. */
import { describe, expect, it } from 'vitest';
import { TryIt } from '../../../src/state/try-it.svelte';
import type { Ask } from '../../../src/state/worker-client';

/** An `ask` the test answers by hand, one request at a time, recording each text sent. */
function handAnswered() {
  const sent: string[] = [];
  let answer: (() => void) | null = null;
  const ask = ((req: { text: string }) => {
    sent.push(req.text);
    return new Promise((resolve) => {
      answer = () => resolve({ text: req.text, labels: ['ham', 'spam'], probs: [0.9, 0.1], saliency: [], ms: 1 });
    });
  }) as unknown as Ask;
  const answerNow = async () => {
    answer!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { sent, ask, answerNow };
}

describe('Try it', () => {
  it('waits while an answer is out, sends only the newest text typed meanwhile, and stops waiting at its answer', async () => {
    const { sent, ask, answerNow } = handAnswered();
    const tryIt = new TryIt(ask);
    expect(tryIt.waiting).toBe(false);
    const done = tryIt.text('a');
    void tryIt.text('ab');
    void tryIt.text('abc');
    expect(tryIt.waiting).toBe(true);
    expect(sent).toEqual(['a']);
    await answerNow();
    expect(tryIt.explained?.text).toBe('a');
    expect(tryIt.waiting).toBe(true); // 'abc' is out now: the answer shown is stale
    expect(sent).toEqual(['a', 'abc']);
    await answerNow();
    await done;
    expect(tryIt.explained?.text).toBe('abc');
    expect(tryIt.waiting).toBe(false);
  });

  it('shows the wait from keystroke to answer, not only the worker’s own time', async () => {
    const { ask, answerNow } = handAnswered();
    const tryIt = new TryIt(ask);
    const done = tryIt.text('hello');
    await new Promise((r) => setTimeout(r, 60)); // the worker is busy training
    await answerNow();
    await done;
    expect(tryIt.explained!.ms).toBeGreaterThanOrEqual(50);
  });

  it('stops waiting when a request fails', async () => {
    const tryIt = new TryIt((() => Promise.reject(new Error('gone'))) as unknown as Ask);
    await expect(tryIt.text('x')).rejects.toThrow('gone');
    expect(tryIt.waiting).toBe(false);
  });
});
