/** Streams generated text to the page in small chunks, per temperature, as it is produced. */
import type { CharModel } from './model';
import type { WorkerEvent } from './protocol';
import type { Rng } from './rng';
import { generate } from './sampling';
import type { Vocab } from './vocab';

export interface SampleSpec {
  prime: string; // text the model reads before generating
  temperatures: number[]; // one stream each, generated side by side as one batch
  length: number; // characters to generate per stream
}

const FLUSH_MS = 50; // at most ~20 chunk messages per second

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
  emit: (e: WorkerEvent) => void,
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
