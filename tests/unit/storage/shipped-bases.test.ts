/**
 * Every base the catalog offers ships in public/ as the page will read it: base.json names each
 * source it read (with its licence and SHA-256), the held-out text and the held-out figure, and the
 * weights pass the same checks the page makes (size, SHA-256, float16, shapes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASES } from '../../../src/config/bases';
import { BASE_FILES, decodeBaseWeights, validateBaseMeta } from '../../../src/storage/base-model';

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_DOWNLOAD = 10e6; // bytes of float16 weights: issue 33's bound for the large base

describe.each(BASES.map((b) => [b.id, b] as const))('the %s English base as shipped', (_, entry) => {
  const folder = join('public', entry.folder);
  const read = (file: string) => new Uint8Array(readFileSync(join(folder, file)));
  const json = (file: string) => JSON.parse(new TextDecoder().decode(read(file)));

  it('base.json lists every source with its licence and SHA-256, the held-out text and its figure', () => {
    const meta = validateBaseMeta(json(BASE_FILES.meta));
    expect(meta.sources.length).toBeGreaterThan(0);
    for (const s of [...meta.sources, meta.heldOut]) {
      expect(s.name).not.toBe('');
      expect(s.source).not.toBe('');
      expect(s.licence).not.toBe('');
      expect(s.chars).toBeGreaterThan(0);
      expect(s.sha256).toMatch(HEX64);
    }
    expect(meta.sources.map((s) => s.sha256)).not.toContain(meta.heldOut.sha256); // never trained on
    expect(meta.valBpc).toBeGreaterThan(0);
    expect(meta.valBpc).toBeLessThan(Math.log2(meta.model.vocabSize)); // better than chance
    expect(meta.valChars).toBeGreaterThan(0);
    expect(meta.command).not.toBe('');
  });

  it('its weights pass the page’s checks (size, SHA-256, float16, shapes) within a 10 MB download', async () => {
    const meta = validateBaseMeta(json(BASE_FILES.meta));
    const bin = read(BASE_FILES.weights);
    expect(bin.byteLength).toBeLessThanOrEqual(MAX_DOWNLOAD);
    const weights = await decodeBaseWeights(meta, json(BASE_FILES.model), bin);
    expect(weights.every((w) => w.values.every(Number.isFinite))).toBe(true);
  });
});
