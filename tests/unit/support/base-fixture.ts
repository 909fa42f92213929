/** A tiny English base (the real alphabet, a toy LSTM) and in-memory stand-ins for fetch and Cache Storage. */
import { BASE_ALPHABET } from '../../../src/data/alphabet';
import { createModel, disposeModel, namedWeights } from '../../../src/engine/model';
import { BASE_FILES, BASE_FORMAT, baseFiles, type BaseMeta } from '../../../src/storage/base-model';
import { sha256Hex } from '../../../src/storage/sha256';
import type { BaseSources } from '../../../src/worker/base-loader';

export const BASE_URL = 'http://localhost/models/base-en/';
export const TINY_BASE = { vocabSize: BASE_ALPHABET.length, embedDim: 4, units: 8, layers: 1, dropout: 0 };

/** base.json, model.json and weights.bin of a freshly initialised toy base, as bytes. */
export async function tinyBaseFiles(config = TINY_BASE): Promise<Record<string, Uint8Array>> {
  const model = createModel(config, 7);
  const weights = await Promise.all(
    namedWeights(model).map(async ([name, v]) => ({
      name,
      shape: v.shape.slice(),
      values: Float32Array.from(await v.data()),
    })),
  );
  disposeModel(model);
  const { modelJson, weightsBin } = await baseFiles(config, weights);
  const text = { name: 'a.txt', source: 'test', licence: 'test', chars: 10, sha256: '0'.repeat(64) };
  const meta: BaseMeta = {
    format: BASE_FORMAT,
    version: 1,
    name: 'Toy base',
    model: config,
    vocab: [...BASE_ALPHABET],
    training: { seqLen: 8, batchSize: 4, learningRate: 0.01, steps: 0, seconds: 0, chars: 0 },
    sources: [text],
    heldOut: { ...text, name: 'held.txt' },
    valBpc: 6.6,
    valChars: 100,
    weights: { bytes: weightsBin.byteLength, sha256: await sha256Hex(weightsBin) },
    fineTuneLearningRate: 0.005,
    command: 'test',
    createdAt: '2026-11-22T00:00:00Z',
  };
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  return { [BASE_FILES.meta]: enc(meta), [BASE_FILES.model]: enc(modelJson), [BASE_FILES.weights]: weightsBin };
}

/** A Cache with only what BaseLoader uses: match, put, delete. */
export class MemoryCache {
  readonly entries = new Map<string, Uint8Array>();
  async match(url: string) {
    const bytes = this.entries.get(url);
    return bytes ? new Response(bytes.slice() as Uint8Array<ArrayBuffer>) : undefined;
  }
  async put(url: string, response: Response) {
    this.entries.set(url, new Uint8Array(await response.arrayBuffer()));
  }
  async delete(url: string) {
    return this.entries.delete(url);
  }
}

/** fetch over `files` (a missing file is a 404), counting requests, with an optional cache. */
export function memorySources(files: Record<string, Uint8Array>, cache: MemoryCache | null = null) {
  const fetched: string[] = [];
  const sources: BaseSources = {
    fetch: async (url) => {
      fetched.push(url);
      const file = url.slice(BASE_URL.length);
      const bytes = files[file];
      return bytes ? new Response(bytes.slice() as Uint8Array<ArrayBuffer>) : new Response('missing', { status: 404 });
    },
    cache: async () => cache as unknown as Cache | null,
  };
  return { sources, fetched };
}
