import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { createModel, disposeModel } from '../../../src/engine/model';
import type { WorkerEvent } from '../../../src/worker/protocol';
import { Rng } from '../../../src/data/rng';
import { streamSample } from '../../../src/run/sample-stream';
import { buildVocab } from '../../../src/data/vocab';

beforeAll(useCpu);

const { vocab } = buildVocab('abcdefgh ');
const config = { vocabSize: vocab.chars.length, embedDim: 4, units: 8, layers: 1, dropout: 0 };

describe('streamSample', () => {
  it('emits start, chunks that add up to every character per temperature, then end with a rate', async () => {
    const model = createModel(config, 1);
    const events: WorkerEvent[] = [];
    await streamSample(model, vocab, { prime: 'ab', temperatures: [0, 1], length: 40 }, 7, new Rng(1), (e) =>
      events.push(e),
    );
    expect(events[0]).toMatchObject({ type: 'sample-start', sampleId: 7, temperatures: [0, 1], prime: 'ab' });
    const chunks = events.filter((e) => e.type === 'sample-chunk') as Extract<WorkerEvent, { type: 'sample-chunk' }>[];
    const texts = chunks.reduce((acc, e) => acc.map((t, i) => t + e.chunks[i]), ['', '']);
    expect(texts.map((t) => [...t].length)).toEqual([40, 40]);
    expect(events.at(-1)).toMatchObject({ type: 'sample-end', sampleId: 7, charsPerSec: expect.any(Number) });
    disposeModel(model);
  });

  it('stops early, quietly, once cancelled (a newer sample was asked for)', async () => {
    const model = createModel(config, 1);
    const events: WorkerEvent[] = [];
    let steps = 0;
    await streamSample(
      model,
      vocab,
      { prime: 'a', temperatures: [1], length: 500 },
      1,
      new Rng(1),
      (e) => events.push(e),
      () => ++steps > 20,
    );
    const produced = events.flatMap((e) => (e.type === 'sample-chunk' ? e.chunks : [])).join('');
    expect(produced.length).toBeLessThan(500);
    expect(events.at(-1)?.type).toBe('sample-end');
    disposeModel(model);
  });
});
