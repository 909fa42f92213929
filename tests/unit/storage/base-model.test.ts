import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../support/setup-tf';
import { BASE_URL, MemoryCache, TINY_BASE, memorySources, tinyBaseFiles } from '../support/base-fixture';
import {
  BASE_FILES,
  BaseModelError,
  decodeBaseWeights,
  toFloat16,
  validateBaseMeta,
  type BaseMeta,
} from '../../../src/storage/base-model';
import { BaseLoader } from '../../../src/worker/base-loader';

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

describe('the base model files', () => {
  let files: Record<string, Uint8Array>;
  let meta: BaseMeta;
  beforeAll(async () => {
    await useCpu();
    files = await tinyBaseFiles();
    meta = json(files[BASE_FILES.meta]);
  });

  it('float16 encoding matches tfjs’ own float16 decoder, rounding to nearest', () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 0.1, 65504, 1e-5, 6e-8, 1e6, -1e-9, 3.14159]);
    const halves = toFloat16(values);
    const spec = {
      name: 'x',
      shape: [values.length],
      dtype: 'float32' as const,
      quantization: { dtype: 'float16' as const },
    };
    const decoded = tf.io.decodeWeights(halves.buffer as ArrayBuffer, [spec]).x;
    const back = decoded.dataSync();
    decoded.dispose();
    expect(Array.from(back.slice(0, 6))).toEqual([0, -0, 1, -2.5, 0.0999755859375, 65504]);
    expect(back[6]).toBeCloseTo(1e-5, 7); // subnormal half
    expect(back[8]).toBe(Infinity); // beyond half's range
    expect(Math.abs(back[10] - 3.14159)).toBeLessThan(2e-3);
  });

  it('stock tf.loadLayersModel reads model.json and the float16 weights', async () => {
    const modelJson = json(files[BASE_FILES.model]);
    const bin = files[BASE_FILES.weights];
    const specs = modelJson.weightsManifest[0].weights;
    expect(specs.every((s: { quantization?: { dtype: string } }) => s.quantization?.dtype === 'float16')).toBe(true);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: bin.slice().buffer }),
    );
    const ours = await decodeBaseWeights(meta, modelJson, bin);
    const theirs = model.getWeights();
    expect(theirs.map((t) => t.shape)).toEqual(ours.map((w) => w.shape));
    expect(Array.from(theirs[1].dataSync())).toEqual(Array.from(ours[1].values));
    model.dispose();
  });

  it('a truncated or altered weights file, or a bad description, is refused with a reason', async () => {
    const modelJson = json(files[BASE_FILES.model]);
    const bin = files[BASE_FILES.weights];
    await expect(decodeBaseWeights(meta, modelJson, bin.slice(0, 100))).rejects.toThrow(/truncated/);
    const flipped = bin.slice();
    flipped[10] ^= 1;
    await expect(decodeBaseWeights(meta, modelJson, flipped)).rejects.toThrow(/SHA-256/);
    expect(() => validateBaseMeta({ ...meta, format: 'x' })).toThrow(BaseModelError);
    expect(() => validateBaseMeta({ ...meta, version: 2 })).toThrow(/version 2/);
    expect(() => validateBaseMeta({ ...meta, vocab: meta.vocab.slice(1) })).toThrow(/vocabulary/);
    expect(() => validateBaseMeta({ ...meta, weights: { bytes: 1, sha256: 'abc' } })).toThrow(/no SHA-256/);
    const wrongShape = structuredClone(modelJson);
    wrongShape.weightsManifest[0].weights[0].shape = [3, 3];
    await expect(decodeBaseWeights(meta, wrongShape, bin)).rejects.toThrow(/has shape \[3, 3\]; this model needs \[/);
  });
});

describe('BaseLoader', () => {
  beforeAll(useCpu);

  it('downloads with progress, caches, and the next load reads the cache without the network', async () => {
    const files = await tinyBaseFiles();
    const cache = new MemoryCache();
    const first = memorySources(files, cache);
    const progress: number[] = [];
    const summary = await new BaseLoader(first.sources).load(BASE_URL, (loaded) => progress.push(loaded));
    expect(summary).toMatchObject({ name: 'Toy base', cached: false, model: TINY_BASE });
    expect(progress.at(-1)).toBe(files[BASE_FILES.weights].byteLength);
    expect(cache.entries.size).toBe(3);
    const second = memorySources({}, cache); // the network is gone
    const again = await new BaseLoader(second.sources).load(BASE_URL, () => undefined);
    expect(again.cached).toBe(true);
    expect(second.fetched).toEqual([]);
  });

  it('a damaged cached copy is dropped and fetched again', async () => {
    const files = await tinyBaseFiles();
    const cache = new MemoryCache();
    await new BaseLoader(memorySources(files, cache).sources).load(BASE_URL, () => undefined);
    const key = new URL(BASE_FILES.weights, BASE_URL).href;
    cache.entries.set(key, cache.entries.get(key)!.slice(0, 50));
    const net = memorySources(files, cache);
    const summary = await new BaseLoader(net.sources).load(BASE_URL, () => undefined);
    expect(summary.cached).toBe(false);
    expect(net.fetched.length).toBe(3);
    expect(cache.entries.get(key)!.byteLength).toBe(files[BASE_FILES.weights].byteLength);
  });

  it('a missing base is a BaseModelError naming the file and the HTTP status', async () => {
    const files = await tinyBaseFiles();
    delete files[BASE_FILES.weights];
    const loader = new BaseLoader(memorySources(files).sources);
    await expect(loader.load(BASE_URL, () => undefined)).rejects.toThrow(
      /weights.bin could not be downloaded \(HTTP 404\)/,
    );
    expect(loader.base).toBeNull();
  });
});
