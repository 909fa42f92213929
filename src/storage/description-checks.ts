/**
 * The one check of every imported description (the classifier zip, the model zip, the English
 * base) before any tensor is made: a model config within the limits the app itself enforces, a
 * vocabulary of distinct single characters, labels unique and within the class limit, and weight
 * specs that say exactly what the format writes (float32, or float32 stored as float16 for the
 * base), with the shapes the architecture calls for. Each check throws through `fail` with words
 * a person can read; `where` names the file. Weight bytes are decoded here too, without tfjs, so
 * a refused file never reaches a tensor. Pure: no tfjs, no DOM.
 */
import { MAX_LEN_LIMIT } from '../config/classify';
import { quoted } from '../config/words';
import { checkSetting, specOf, type ModelConfig } from '../config/settings';
import { MAX_CLASSES } from '../data/labeled-set';
import { MAX_VOCAB } from '../data/vocab';
import type { WeightSpec } from '../engine/architecture';
import type { NamedArray } from './checkpoint';

export type Fail = (message: string) => never;

const MAX_LABEL_CHARS = 200; // a class name is shown in the page: longer is no name
const MAX_NAME_CHARS = 1000;

/** A value as a person would recognise it in a sentence: numbers with separators, types by name. */
export function shown(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'not a number';
    return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  }
  if (typeof v === 'string')
    return v.length > 40 ? `a text of ${v.length.toLocaleString('en-US')} characters` : quoted(v);
  if (v === null || v === undefined) return 'missing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return typeof v === 'object' ? 'an object' : String(v);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A whole number from lo to hi, or a refusal naming it. */
export function wholeNumber(v: unknown, lo: number, hi: number, what: string, fail: Fail): number {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)) {
    fail(`${what} is ${shown(v)}; it must be a whole number from ${shown(lo)} to ${shown(hi)}`);
  }
  return v as number;
}

/** A finite number from lo to hi, or a refusal naming it. */
export function numberWithin(v: unknown, lo: number, hi: number, what: string, fail: Fail): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi)) {
    fail(`${what} is ${shown(v)}; it must be a number from ${lo} to ${hi}`);
  }
  return v as number;
}

export function text(v: unknown, what: string, fail: Fail, max = MAX_NAME_CHARS): string {
  if (typeof v !== 'string') fail(`${what} is ${shown(v)}; it must be a text`);
  if ((v as string).length > max) fail(`${what} is longer than ${max.toLocaleString('en-US')} characters`);
  return v as string;
}

/** A model config (the char model, or a classifier's encoder) within the settings' own ranges. */
export function checkModelConfig(c: unknown, where: string, fail: Fail): ModelConfig {
  if (!isObject(c)) return fail(`${where} does not describe the model`);
  for (const key of ['layers', 'units', 'embedDim'] as const) {
    const spec = specOf(key);
    if (checkSetting(spec, c[key]) !== null) {
      fail(
        `${where} asks for ${shown(c[key])} as ${spec.label.toLowerCase()}; it must be a whole number from ${spec.min} to ${spec.max}`,
      );
    }
  }
  wholeNumber(c.vocabSize, 2, MAX_VOCAB, `${where}: the vocabulary size`, fail);
  const dropout = c.dropout ?? 0;
  numberWithin(dropout, 0, specOf('dropout').max, `${where}: the dropout`, fail);
  return { vocabSize: c.vocabSize, embedDim: c.embedDim, units: c.units, layers: c.layers, dropout } as ModelConfig;
}

/** A vocabulary: `size` distinct characters of one code point each. */
export function checkVocab(v: unknown, size: number, where: string, fail: Fail): string[] {
  if (!Array.isArray(v)) return fail(`${where} has no vocabulary`);
  if (v.length !== size) fail(`the vocabulary in ${where} lists ${v.length} characters; the model has ${size}`);
  const seen = new Set<string>();
  v.forEach((c: unknown, i) => {
    if (typeof c !== 'string' || [...c].length !== 1) {
      fail(`${where}: vocabulary entry ${i + 1} is ${shown(c)}, not a single character`);
    }
    if (seen.has(c as string)) fail(`${where} lists the character ${quoted(c as string)} twice in its vocabulary`);
    seen.add(c as string);
  });
  return v as string[];
}

/** Class names: 2 to MAX_CLASSES distinct, non-empty texts. */
export function checkLabels(v: unknown, where: string, fail: Fail): string[] {
  if (!Array.isArray(v)) return fail(`${where} has no list of classes`);
  if (v.length < 2 || v.length > MAX_CLASSES) {
    fail(`${where} names ${v.length} classes; a classifier has 2 to ${MAX_CLASSES}`);
  }
  const seen = new Set<string>();
  v.forEach((l: unknown, i) => {
    if (typeof l !== 'string' || l.trim() === '') fail(`${where}: class ${i + 1} has no name`);
    if ((l as string).length > MAX_LABEL_CHARS)
      fail(`${where}: class ${i + 1} has a name longer than ${MAX_LABEL_CHARS} characters`);
    if (seen.has(l as string)) fail(`${where} names the class ${quoted(l as string)} twice`);
    seen.add(l as string);
  });
  return v as string[];
}

/** A maximum length a classifier reads: the range a run may ask for. */
export const checkMaxLen = (v: unknown, where: string, fail: Fail) =>
  wholeNumber(v, 8, MAX_LEN_LIMIT, `${where}: the maximum length`, fail);

/** How weights are stored: float32 as is, or float32 values stored as float16 (tfjs' own quantization). */
export type Storage = 'float32' | 'float16';

export interface CheckedSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/**
 * The weight specs of a model.json against the architecture: exactly the expected tensors in
 * order, each a float32 tensor of the expected shape, stored as `storage` says and nothing else
 * (a reader that does not apply a quantization would read its bytes at the wrong offsets).
 * `names`: the names must be the expected ones too. Returns the specs and the bytes they take.
 */
export function checkWeightSpecs(
  v: unknown,
  expected: WeightSpec[],
  storage: Storage,
  names: boolean,
  fail: Fail,
): { specs: CheckedSpec[]; bytes: number } {
  if (!Array.isArray(v)) return fail('model.json has no list of weights');
  if (v.length !== expected.length) fail(`model.json lists ${v.length} weights; this model has ${expected.length}`);
  const seen = new Set<string>();
  let floats = 0;
  const specs = v.map((s: unknown, i): CheckedSpec => {
    const [name, shape] = expected[i];
    if (!isObject(s) || typeof s.name !== 'string') return fail(`model.json: weight ${i + 1} has no name`);
    if (names && s.name !== name) fail(`model.json: weight ${i + 1} is ${shown(s.name)}; it should be ${quoted(name)}`);
    if (seen.has(s.name)) fail(`model.json names the weight ${quoted(s.name)} twice`);
    seen.add(s.name);
    if (s.dtype !== 'float32') fail(`model.json: ${quoted(s.name)} is of type ${shown(s.dtype)}; only float32 is read`);
    const q = s.quantization;
    if (storage === 'float32' && q !== undefined) {
      fail(`model.json: ${quoted(s.name)} is quantized, and this format stores plain float32`);
    }
    if (storage === 'float16' && !(isObject(q) && q.dtype === 'float16' && Object.keys(q).length === 1)) {
      fail(`model.json: ${quoted(s.name)} is not stored as float16, as the base's format is`);
    }
    const dims = s.shape;
    const positive = Array.isArray(dims) && dims.every((d) => Number.isInteger(d) && d > 0);
    if (!positive) fail(`model.json: the shape of ${quoted(s.name)} is not a list of positive whole numbers`);
    if (dims.length !== shape.length || dims.some((d: number, k: number) => d !== shape[k])) {
      fail(`model.json: ${quoted(s.name)} has shape [${dims.join(', ')}]; this model needs [${shape.join(', ')}]`);
    }
    floats += shape.reduce((a, b) => a * b, 1);
    return { name: s.name, shape: [...shape], dtype: 'float32' };
  });
  return { specs, bytes: floats * (storage === 'float16' ? 2 : 4) };
}

/** IEEE half -> float32, exactly (every half is a float32). */
export function fromFloat16(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = sign * mant * 2 ** -24;
    else if (exp === 31) out[i] = mant ? NaN : sign * Infinity;
    else out[i] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/**
 * The tensors in `bytes` (exactly `bytes` long, as checkWeightSpecs computed), as float32 arrays
 * named by `expected`; a value that is not a finite number is refused (a model that diverged).
 */
export function decodeWeightBytes(
  bytes: Uint8Array,
  specs: CheckedSpec[],
  expected: WeightSpec[],
  storage: Storage,
  file: string,
  fail: Fail,
): NamedArray[] {
  const width = storage === 'float16' ? 2 : 4;
  const copy = bytes.slice(); // aligned, and owned
  const all = storage === 'float16' ? fromFloat16(new Uint16Array(copy.buffer)) : new Float32Array(copy.buffer);
  if (all.length * width !== bytes.length)
    fail(`${file} has ${bytes.length.toLocaleString('en-US')} bytes, which do not fit its weights`);
  let at = 0;
  return specs.map((s, i) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = all.slice(at, (at += n));
    for (let k = 0; k < values.length; k++) {
      if (!Number.isFinite(values[k])) fail(`${file}: ${quoted(s.name)} holds a value that is not a finite number`);
    }
    return { name: expected[i][0], shape: s.shape, values };
  });
}
