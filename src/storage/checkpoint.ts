/**
 * The checkpoint record: one self-describing JSON header (configs, vocabulary, step, RNG state,
 * loss history, corpus hash, tensor layout) and one buffer of packed float32 tensors (latest
 * weights, best-validation weights, optimizer state), with a CRC-32 over both. Pure: no tfjs.
 */
import { sizeOf, weightSpecs } from '../engine/architecture';
import {
  FINE_TUNE_MODES,
  checkSetting,
  specOf,
  validateSettings,
  type FineTuneMode,
  type ModelConfig,
  type Settings,
} from '../config/settings';
import { crc32 } from './crc32';
import type { TimelineEntry } from '../engine/inside-types';

export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  offset: number; // in float32 elements from the start of the data buffer
}

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface History {
  train: [step: number, bpc: number][]; // every step's training loss
  val: [step: number, valBpc: number, trainBpc: number][]; // each estimateLoss
}

export interface CheckpointMeta {
  format: 'inkling-checkpoint';
  version: number;
  runId: string;
  name: string; // shown in Saved runs; the user can rename it
  model: ModelConfig;
  settings: Settings;
  vocab: string[]; // id -> character
  step: number;
  rngState: number;
  bestValBpc: number | null;
  bestStep: number | null;
  history: History;
  corpus: { name: string; hash: string; chars: number };
  // fine-tuned from a base; baseId: which of config/bases.ts (absent in runs from before there were two)
  origin?: { base: string; baseId?: string; sha256: string; mode: FineTuneMode; addedChars: number };
  timeline?: TimelineEntry[]; // how the writing grew: samples at log-spaced steps (engine/timeline.ts)
  backend: string; // where it was saved; any backend can load it
  createdAt: number;
  updatedAt: number;
  tensors: { weights: TensorEntry[]; best: TensorEntry[]; optimizer: TensorEntry[] };
}

/** What IndexedDB stores: JSON text, packed data, and a CRC-32 over both. */
export interface CheckpointRecord {
  json: string;
  data: ArrayBuffer;
  crc: number;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  weights: NamedArray[]; // latest, in weightSpecs order
  best: NamedArray[]; // best-validation weights (same order), or [] before the first estimate
  optimizer: NamedArray[]; // optimizer.getWeights() order
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

function checksum(json: string, data: ArrayBuffer): number {
  return crc32(new Uint8Array(data), crc32(new TextEncoder().encode(json)));
}

/** Packs tensors into one buffer and fills in the tensor layout of the header. */
export function encodeCheckpoint(c: Checkpoint): CheckpointRecord {
  const groups = [c.weights, c.best, c.optimizer];
  const total = groups.flat().reduce((n, t) => n + t.values.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  const [weights, best, optimizer] = groups.map((group) =>
    group.map(({ name, shape, values }) => {
      data.set(values, offset);
      offset += values.length;
      return { name, shape, offset: offset - values.length };
    }),
  );
  const json = JSON.stringify({ ...c.meta, tensors: { weights, best, optimizer } });
  return { json, data: data.buffer, crc: checksum(json, data.buffer) };
}

/** Verifies the checksum and the schema, then unpacks. Throws CheckpointError on any damage. */
export function decodeCheckpoint(record: unknown): Checkpoint {
  const r = record as Partial<CheckpointRecord> | null;
  if (!r || typeof r.json !== 'string' || !(r.data instanceof ArrayBuffer) || typeof r.crc !== 'number') {
    throw new CheckpointError('not a checkpoint record');
  }
  if (checksum(r.json, r.data) !== r.crc) throw new CheckpointError('checksum mismatch: the record is damaged');
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(r.json);
  } catch {
    throw new CheckpointError('header is not valid JSON');
  }
  validateMeta(meta, r.data.byteLength / 4);
  const floats = new Float32Array(r.data);
  const unpack = (entries: TensorEntry[]) =>
    entries.map(({ name, shape, offset }) => ({ name, shape, values: floats.slice(offset, offset + sizeOf(shape)) }));
  return {
    meta,
    weights: unpack(meta.tensors.weights),
    best: unpack(meta.tensors.best),
    optimizer: unpack(meta.tensors.optimizer),
  };
}

const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function check(ok: boolean, what: string): void {
  if (!ok) throw new CheckpointError(`invalid checkpoint: ${what}`);
}

/** Checks a vocabulary: unique strings of one code point each, matching the model's rows. */
export function validateVocab(vocab: unknown, vocabSize: number): void {
  check(Array.isArray(vocab) && vocab.length === vocabSize, `vocabulary must list ${vocabSize} characters`);
  const list = vocab as unknown[];
  check(
    list.every((c) => typeof c === 'string' && [...c].length === 1),
    'vocabulary entries must be single characters',
  );
  check(new Set(list).size === list.length, 'vocabulary has duplicates');
}

/** Checks tensor entries against expected [name, shape] pairs (or any shape) and the buffer size. */
export function validateEntries(entries: unknown, floats: number, expected?: [string, number[]][]): void {
  check(Array.isArray(entries), 'tensor list missing');
  const list = entries as TensorEntry[];
  if (expected)
    check(list.length === expected.length, `expected ${expected.length} weight tensors, found ${list.length}`);
  list.forEach((e, i) => {
    check(
      typeof e?.name === 'string' && Array.isArray(e.shape) && e.shape.every(isInt) && isInt(e.offset),
      `tensor ${i} is malformed`,
    );
    if (expected) {
      check(
        JSON.stringify(e.shape) === JSON.stringify(expected[i][1]),
        `${expected[i][0]} should have shape [${expected[i][1]}], not [${e.shape}]`,
      );
    }
    check(e.offset + sizeOf(e.shape) <= floats, `${e.name} runs past the end of the data`);
  });
}

function validateHistory(h: unknown): void {
  const history = h as History;
  check(Array.isArray(history?.train) && Array.isArray(history?.val), 'loss history missing');
  check(
    history.train.every((p) => Array.isArray(p) && p.length === 2 && p.every(isNum)),
    'training history malformed',
  );
  check(
    history.val.every((p) => Array.isArray(p) && p.length === 3 && p.every(isNum)),
    'validation history malformed',
  );
}

function settingsValid(settings: Settings): boolean {
  try {
    return validateSettings(settings).length === 0;
  } catch {
    return false; // a group missing altogether
  }
}

export function validateMeta(meta: CheckpointMeta, floats: number): void {
  check(meta?.format === 'inkling-checkpoint', 'not an Inkling checkpoint');
  check(meta.version <= CHECKPOINT_VERSION, `made by a newer Inkling (format ${meta.version})`);
  check(typeof meta.runId === 'string' && typeof meta.name === 'string', 'run id or name missing');
  check(settingsValid(meta.settings), 'settings out of range');
  const m = meta.model;
  const positive = (v: unknown) => isInt(v) && v > 0;
  check(positive(m?.vocabSize) && positive(m.units) && positive(m.embedDim), 'model config invalid');
  check(checkSetting(specOf('layers'), m.layers) === null, 'model config invalid: layers');
  validateVocab(meta.vocab, m.vocabSize);
  check(
    isInt(meta.step) && isInt(meta.rngState) && isNum(meta.createdAt) && isNum(meta.updatedAt),
    'step, RNG state or times invalid',
  );
  check(meta.bestValBpc === null || isNum(meta.bestValBpc), 'best validation loss invalid');
  check(typeof meta.corpus?.hash === 'string' && typeof meta.corpus.name === 'string', 'corpus description missing');
  validateHistory(meta.history);
  const o = meta.origin;
  if (o !== undefined) {
    const fields = typeof o?.base === 'string' && typeof o.sha256 === 'string' && isInt(o.addedChars);
    const id = o?.baseId === undefined || (typeof o.baseId === 'string' && /^[a-z][a-z0-9-]{0,31}$/.test(o.baseId));
    check(fields && id && FINE_TUNE_MODES.includes(o.mode), 'fine-tuning origin malformed');
  }
  if (meta.timeline !== undefined) validateTimeline(meta.timeline);
  const specs = weightSpecs(m);
  validateEntries(meta.tensors?.weights, floats, specs);
  if (meta.tensors.best.length > 0) validateEntries(meta.tensors.best, floats, specs);
  validateEntries(meta.tensors.optimizer, floats);
}

export const MAX_TIMELINE = 40; // entries: log-spaced steps reach 10^13 long before this
export const MAX_TIMELINE_TEXT = 1000; // characters of one entry

/** How the writing grew: at most MAX_TIMELINE entries of increasing steps, each a short text. */
function validateTimeline(timeline: unknown): void {
  check(Array.isArray(timeline) && timeline.length <= MAX_TIMELINE, 'timeline malformed');
  let last = 0;
  for (const e of timeline as unknown[]) {
    const entry = e as Partial<TimelineEntry> | null;
    check(isInt(entry?.step) && entry.step > last && typeof entry.text === 'string', 'timeline entry malformed');
    check(entry!.text!.length <= MAX_TIMELINE_TEXT, 'timeline entry too long');
    last = entry!.step!;
  }
}
