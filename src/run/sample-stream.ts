/**
 * Streams generated text in small chunks, per temperature, as it is produced. One `Sampler` per
 * worker numbers every sample and lets only the newest run: a sample started while another is
 * streaming ends the older one, whoever asked for either (the page, or the training loop).
 */
import type { Rng } from '../data/rng';
import type { Vocab } from '../data/vocab';
import type { CharModel } from '../engine/model';
import { generate } from '../engine/sampling';
import type { RunEvent, SampleSpec } from './events';

const FLUSH_MS = 50; // at most ~20 chunk messages per second

type Emit = (e: RunEvent) => void;

/**
 * Generates and emits sample-start, sample-chunk* and sample-end. Stops early (quietly) when
 * `cancelled()` turns true, e.g. because a newer sample was asked for.
 */
export async function streamSample(
  model: CharModel,
  vocab: Vocab,
  spec: SampleSpec,
  sampleId: number,
  rng: Rng,
  emit: Emit,
  cancelled: () => boolean = () => false,
): Promise<void> {
  emit({ type: 'sample-start', sampleId, temperatures: spec.temperatures, prime: spec.prime });
  const started = performance.now();
  let pending = spec.temperatures.map(() => '');
  let lastFlush = started;
  let produced = 0;
  const flush = () => {
    if (pending[0].length > 0) emit({ type: 'sample-chunk', sampleId, chunks: pending });
    pending = spec.temperatures.map(() => '');
    lastFlush = performance.now();
  };
  for await (const chars of generate(model, vocab, spec.prime, spec.temperatures, spec.length, rng)) {
    chars.forEach((c, r) => (pending[r] += c));
    produced++;
    if (performance.now() - lastFlush >= FLUSH_MS) flush();
    if (cancelled()) break;
  }
  flush();
  const seconds = Math.max(1e-3, (performance.now() - started) / 1000);
  emit({ type: 'sample-end', sampleId, charsPerSec: (produced * spec.temperatures.length) / seconds });
}

/** Numbers samples and keeps one running at a time: the newest. */
export class Sampler {
  #lastId = 0;
  #running = 0; // id of the sample allowed to go on; 0 when none

  constructor(private readonly emit: Emit) {}

  /** Streams a sample, ending any older one first; resolves when it ends (done or superseded). */
  async run(model: CharModel, vocab: Vocab, spec: SampleSpec, rng: Rng): Promise<void> {
    const id = ++this.#lastId;
    this.#running = id;
    await streamSample(model, vocab, spec, id, rng, this.emit, () => this.#running !== id);
    if (this.#running === id) this.#running = 0;
  }

  /** Ends whatever sample is streaming, at its next chunk. */
  cancel(): void {
    this.#running = 0;
  }
}
