/**
 * The worker never shows an internal message: an unexpected failure becomes a sentence saying
 * what the person was doing and what still works, with the detail in the console (issue 35).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { bytes, harness } from '../support/harness';
import { errorEvent } from '../../../src/worker/errors';

beforeAll(useCpu);
afterEach(() => vi.restoreAllMocks());

const csv = `text,label\n${Array.from({ length: 20 }, (_, i) => `text number ${i},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;

describe('unexpected failures in the worker', () => {
  it('a failure while reading labeled texts says so, says the loaded set is kept, and logs the detail', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const tab = harness();
    await tab.send({ type: 'load-labeled', files: [{ name: 'ok.csv', bytes: bytes(csv) }], columns: null });
    await tab.send({ type: 'load-labeled', files: null, columns: null });
    const error = tab.of('error')[0];
    expect(error.code).toBe('internal');
    expect(error.message).toBe(
      'Something unexpected went wrong while reading those labeled texts. The labeled texts you had are still ' +
        "loaded. The details are in the browser's console.",
    );
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('load-labeled'), expect.any(TypeError));
    expect(tab.of('labeled')).toHaveLength(1); // the set in hand is the first one
  });

  it('the internal message of any error never reaches the page', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const internals = [
      new RangeError('Maximum call stack size exceeded'),
      new TypeError('t.shape.reduce is not a function'),
      'a string',
      null,
    ];
    for (const internal of internals) {
      const event = errorEvent(3, internal, 'import-classifier');
      expect(event).toMatchObject({ type: 'error', id: 3, code: 'internal' });
      const { message } = event as { message: string };
      expect(message).toMatch(
        /^Something unexpected went wrong while importing a classifier\. The classifier in hand is as it was\./,
      );
      expect(message).not.toMatch(/stack|reduce|string|null/);
    }
    expect((errorEvent(null, new Error('x')) as { message: string }).message).toMatch(
      /while working on your last request/,
    );
  });
});
