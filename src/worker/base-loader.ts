/**
 * Fetches a pretrained base (one of config/bases.ts) from the app's own origin, with progress,
 * keeps it in Cache Storage so it loads offline afterwards, and checks it (weights against the
 * SHA-256 in base.json) before anything uses it. A damaged cached copy is dropped and fetched again
 * once. Each base is fetched only when asked for, and kept once loaded: the small and the large
 * can both be in hand (Start from one, the race or the classifier the other).
 */
import { DEFAULT_BASE, baseEntry, type BaseId } from '../config/bases';
import type { ModelConfig } from '../config/settings';
import type { LoadedBase } from '../run/run-state';
import { BASE_FILES, BaseModelError, decodeBaseWeights, validateBaseMeta } from '../storage/base-model';

const CACHE_NAME = 'inkling-base-en'; // both bases: their files' addresses differ by folder

/** What the page shows about the base. */
export interface BaseSummary {
  id: BaseId; // which of the catalog's bases
  name: string;
  valBpc: number; // on the held-out book
  heldOut: string;
  model: ModelConfig;
  fineTuneLearningRate: number;
  sourceChars: number;
  bytes: number; // download size of its weights
  cached: boolean; // read from Cache Storage (no network)
  ms: number; // from the request to a checked, decoded base
}

export type Progress = (loaded: number, total: number) => void;

/** The page's fetch and Cache Storage, replaceable in tests. */
export interface BaseSources {
  fetch: (url: string) => Promise<Response>;
  cache: () => Promise<Cache | null>;
}

const browserSources: BaseSources = {
  fetch: (url) => fetch(url),
  cache: async () => (typeof caches === 'undefined' ? null : caches.open(CACHE_NAME).catch(() => null)),
};

/** A response body as bytes, reporting progress as it arrives. */
async function readAll(response: Response, total: number, onProgress: Progress): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    parts.push(r.value);
    loaded += r.value.byteLength;
    if (loaded > total) {
      void reader.cancel(); // never more than the size base.json's shapes imply
      throw new BaseModelError(
        `weights.bin holds more than the ${total.toLocaleString('en-US')} bytes base.json describes`,
      );
    }
    onProgress(loaded, Math.max(total, loaded));
  }
  const out = new Uint8Array(loaded);
  parts.reduce((at, p) => (out.set(p, at), at + p.byteLength), 0);
  return out;
}

export class BaseLoader {
  #loaded = new Map<BaseId, { base: LoadedBase; summary: BaseSummary }>();
  #pending = new Map<BaseId, Promise<BaseSummary>>(); // one download of a base at a time
  #latest: BaseId | null = null;

  constructor(private readonly sources: BaseSources = browserSources) {}

  /** The base last asked for (Look inside opens it), or null before any loaded. */
  get base(): LoadedBase | null {
    return this.#latest ? this.get(this.#latest) : null;
  }

  /** The base `id`, or null when it has not been loaded (or failed to). */
  get(id: BaseId = DEFAULT_BASE): LoadedBase | null {
    return this.#loaded.get(id)?.base ?? null;
  }

  /**
   * Loads base `id` (once; later calls return the same base) from `url`, the folder holding its
   * files. A failure is a BaseModelError naming the base; the bases already loaded stay.
   */
  async load(url: string, onProgress: Progress, id: BaseId = DEFAULT_BASE): Promise<BaseSummary> {
    const kept = this.#loaded.get(id);
    if (kept) {
      this.#latest = id;
      return { ...kept.summary, cached: true, ms: 0 };
    }
    const pending = this.#pending.get(id) ?? this.#loadAfresh(url, onProgress, id);
    this.#pending.set(id, pending);
    try {
      const summary = await pending;
      this.#latest = id;
      return summary;
    } finally {
      this.#pending.delete(id);
    }
  }

  async #loadAfresh(url: string, onProgress: Progress, id: BaseId): Promise<BaseSummary> {
    const started = performance.now();
    const cache = await this.sources.cache();
    let fromCache = cache !== null && (await this.#cachedAll(cache, url));
    let base: LoadedBase;
    try {
      try {
        base = await this.#read(url, cache, fromCache, onProgress);
      } catch (error) {
        if (!fromCache || !(error instanceof BaseModelError)) throw error;
        await Promise.all(Object.values(BASE_FILES).map((f) => cache!.delete(new URL(f, url).href)));
        fromCache = false;
        base = await this.#read(url, cache, false, onProgress); // the cached copy was damaged: fetch afresh
      }
    } catch (error) {
      if (error instanceof BaseModelError) throw new BaseModelError(error.message, baseEntry(id).noun);
      throw error;
    }
    const m = base.meta;
    const summary: BaseSummary = {
      id,
      name: m.name,
      valBpc: m.valBpc,
      heldOut: m.heldOut.name,
      model: m.model,
      fineTuneLearningRate: m.fineTuneLearningRate,
      sourceChars: m.sources.reduce((n, s) => n + s.chars, 0),
      bytes: m.weights.bytes,
      cached: fromCache,
      ms: performance.now() - started,
    };
    this.#loaded.set(id, { base: { ...base, id }, summary });
    return summary;
  }

  async #cachedAll(cache: Cache, url: string): Promise<boolean> {
    const hits = await Promise.all(Object.values(BASE_FILES).map((f) => cache.match(new URL(f, url).href)));
    return hits.every((h) => h !== undefined);
  }

  /** Fetches (or reads from the cache) and checks all three files; caches them once they check out. */
  async #read(url: string, cache: Cache | null, fromCache: boolean, onProgress: Progress): Promise<LoadedBase> {
    const get = async (file: string) => {
      const href = new URL(file, url).href;
      const response = fromCache ? await cache!.match(href) : await this.#fetch(href, file);
      if (!response) throw new BaseModelError(`${file} is missing from the cache`);
      return response;
    };
    const meta = validateBaseMeta(await this.#json(await get(BASE_FILES.meta), BASE_FILES.meta));
    const modelJson = await this.#json(await get(BASE_FILES.model), BASE_FILES.model);
    onProgress(0, meta.weights.bytes); // the size is known now: the page can say it before the first byte
    const bin = await readAll(await get(BASE_FILES.weights), meta.weights.bytes, onProgress);
    const weights = await decodeBaseWeights(meta, modelJson, bin);
    if (cache && !fromCache) await this.#store(cache, url, meta, modelJson, bin);
    return { meta, weights };
  }

  async #fetch(href: string, file: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.sources.fetch(href);
    } catch (error) {
      throw new BaseModelError(`${file} could not be downloaded (${(error as Error).message})`);
    }
    if (!response.ok) throw new BaseModelError(`${file} could not be downloaded (HTTP ${response.status})`);
    return response;
  }

  async #json(response: Response, file: string): Promise<unknown> {
    try {
      return JSON.parse(await response.text());
    } catch {
      throw new BaseModelError(`${file} is not valid JSON`);
    }
  }

  /** Best effort: a full or refused cache only means the next visit downloads again. */
  async #store(cache: Cache, url: string, meta: unknown, modelJson: unknown, bin: Uint8Array): Promise<void> {
    const put = (file: string, body: BodyInit) => cache.put(new URL(file, url).href, new Response(body));
    await Promise.all([
      put(BASE_FILES.meta, JSON.stringify(meta)),
      put(BASE_FILES.model, JSON.stringify(modelJson)),
      put(BASE_FILES.weights, bin as Uint8Array<ArrayBuffer>),
    ]).catch(() => undefined);
  }
}
