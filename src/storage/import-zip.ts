/**
 * Import of an export .zip, read as a hostile file would be: only the entries the format names
 * are inflated (inkling.json and model.json first, each capped; then the weights file the
 * manifest names and state.bin, each capped at exactly the size the model config and the tensor
 * layout call for); every length must match, CRC-32s are checked when the export carries them,
 * and the result passes the full checkpoint schema before anyone stores it.
 */
import { strFromU8 } from 'fflate';
import { sizeOf, weightSpecs } from '../engine/architecture';
import {
  CHECKPOINT_VERSION,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  validateEntries,
  type Checkpoint,
  type CheckpointMeta,
  type NamedArray,
  type TensorEntry,
} from './checkpoint';
import { crc32 } from './crc32';
import {
  checkModelConfig,
  checkVocab,
  checkWeightSpecs,
  decodeWeightBytes,
  shown,
  wholeNumber,
} from './description-checks';
import { EXPORT_FORMAT, type ExportDescription } from './export-zip';
import { newRunId } from './ids';
import { readZipEntries } from './zip-reader';

export const MAX_IMPORT_BYTES = 200 * 1024 * 1024; // the zip file itself
const MODEL_JSON_BYTES = 4 * 1024 * 1024; // topology and manifest: a few KB in practice
const INKLING_JSON_BYTES = 64 * 1024 * 1024; // configs and loss history: ~25 bytes per step trained

type WeightManifest = { paths?: unknown[]; weights?: unknown }[];

const fail = (message: string): never => {
  throw new CheckpointError(message);
};

function parseJson<T>(files: Map<string, Uint8Array>, name: string): T {
  const bytes = files.get(name);
  if (!bytes) throw new CheckpointError(`the file has no ${name}, so it is not an Inkling export`);
  try {
    return JSON.parse(strFromU8(bytes)) as T;
  } catch {
    throw new CheckpointError(`${name} is not valid JSON`);
  }
}

/** The file is a zip of at most MAX_IMPORT_BYTES with its end record (not cut short). */
export function checkContainer(bytes: Uint8Array): void {
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new CheckpointError(`the file is larger than ${MAX_IMPORT_BYTES / 2 ** 20} MB`);
  }
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new CheckpointError('this is not a .zip file');
  if (!hasEndRecord(bytes)) throw new CheckpointError('the zip is damaged (it has no end record: truncated?)');
}

/** A complete zip ends with an end-of-central-directory record (PK 5 6) in its last 64 KB. */
function hasEndRecord(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 5 && bytes[i + 3] === 6) return true;
  }
  return false;
}

/** The weights file model.json names, checked against the model config; and its exact size. */
function weightsPlan(manifest: unknown, meta: CheckpointMeta) {
  const group = Array.isArray(manifest) && manifest.length === 1 ? (manifest[0] as WeightManifest[number]) : null;
  if (typeof group !== 'object' || group === null)
    throw new CheckpointError('model.json has no usable weightsManifest');
  const path = Array.isArray(group.paths) && group.paths.length === 1 ? group.paths[0] : null;
  if (typeof path !== 'string' || !/^[\w.-]+\.bin$/.test(path) || path === 'state.bin') {
    throw new CheckpointError('model.json names no usable weights file');
  }
  const expected = weightSpecs(meta.model);
  const { specs, bytes } = checkWeightSpecs(group.weights, expected, 'float32', false, fail);
  return { path, bytes, specs, expected };
}

/**
 * Bytes state.bin must hold: the end of the furthest tensor its layout names. Best weights and
 * optimizer slots (Adam: two per weight; RMSprop at most three) never need more than four copies
 * of the weights, so a layout naming more is refused before anything is inflated.
 */
function stateBytes(meta: CheckpointMeta, weightBytes: number): number {
  const entries: TensorEntry[] = [...meta.tensors.best, ...meta.tensors.optimizer];
  validateEntries(entries, Number.MAX_SAFE_INTEGER);
  const bytes = 4 * entries.reduce((end, e) => Math.max(end, e.offset + sizeOf(e.shape)), 0);
  if (bytes > 4 * weightBytes + 1024)
    throw new CheckpointError('state.bin names more tensors than this model can have');
  return bytes;
}

function exactly(files: Map<string, Uint8Array>, name: string, bytes: number, what: string): Uint8Array {
  const data = files.get(name);
  if (!data && bytes > 0) throw new CheckpointError(`${what} ${name} is missing`);
  if (data && data.length !== bytes) {
    throw new CheckpointError(
      `${name} holds ${data.length.toLocaleString('en-US')} bytes; it should hold ${bytes.toLocaleString('en-US')}`,
    );
  }
  return data ?? new Uint8Array(0);
}

const floatsOf = (bytes: Uint8Array) => new Float32Array(bytes.slice().buffer);

function take(floats: Float32Array, entries: TensorEntry[]): NamedArray[] {
  return entries.map((e) => ({
    name: e.name,
    shape: e.shape,
    values: floats.slice(e.offset, e.offset + sizeOf(e.shape)),
  }));
}

function readDescription(files: Map<string, Uint8Array>): ExportDescription {
  const inkling = parseJson<Partial<ExportDescription>>(files, 'inkling.json');
  if (inkling.format !== EXPORT_FORMAT || !inkling.meta?.model) {
    throw new CheckpointError('inkling.json is not an Inkling export description');
  }
  if (inkling.version !== 1) {
    throw new CheckpointError(
      `inkling.json has export format version ${shown(inkling.version)}; this Inkling reads version 1`,
    );
  }
  const { model, tensors, vocab, version } = inkling.meta;
  if (typeof version === 'number' && Number.isInteger(version) && version > CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `it was made by a newer Inkling (checkpoint format ${version}); this one reads format ${CHECKPOINT_VERSION}`,
    );
  }
  wholeNumber(version, 1, CHECKPOINT_VERSION, 'inkling.json: the checkpoint format version', fail);
  checkModelConfig(model, 'inkling.json', fail);
  checkVocab(vocab, model.vocabSize, 'inkling.json', fail);
  if (!Array.isArray(tensors?.best) || !Array.isArray(tensors?.optimizer)) {
    throw new CheckpointError('inkling.json does not say where state.bin keeps its tensors');
  }
  const sums = inkling.checksums;
  const crc = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
  if (sums !== undefined && !(typeof sums === 'object' && sums !== null && crc(sums.weights) && crc(sums.state))) {
    throw new CheckpointError('inkling.json has checksums that are not CRC-32 values');
  }
  return inkling as ExportDescription;
}

/** Validates an export completely and returns it as a checkpoint under a fresh run id. */
export function importZip(bytes: Uint8Array, fileName: string): Checkpoint {
  checkContainer(bytes);
  const described = readZipEntries(bytes, { 'inkling.json': INKLING_JSON_BYTES, 'model.json': MODEL_JSON_BYTES });
  const { meta, checksums } = readDescription(described);
  const plan = weightsPlan(
    parseJson<{ weightsManifest?: WeightManifest }>(described, 'model.json').weightsManifest,
    meta,
  );
  const stateSize = stateBytes(meta, plan.bytes);
  const binaries = readZipEntries(bytes, { [plan.path]: plan.bytes, 'state.bin': stateSize });
  const weightBytes = exactly(binaries, plan.path, plan.bytes, 'the weights file');
  const state = exactly(binaries, 'state.bin', stateSize, 'the optimizer state');
  if (checksums && (crc32(weightBytes) !== checksums.weights || crc32(state) !== checksums.state)) {
    throw new CheckpointError(
      `the checksum of ${crc32(weightBytes) !== checksums.weights ? plan.path : 'state.bin'} does not match: the file was changed or damaged`,
    );
  }
  const weights = decodeWeightBytes(weightBytes, plan.specs, plan.expected, 'float32', plan.path, fail);
  const floats = floatsOf(state);
  const runId = newRunId();
  const name = `${meta.name || fileName} (imported)`;
  const c: Checkpoint = {
    meta: { ...meta, runId, name, updatedAt: Date.now() },
    weights,
    best: take(floats, meta.tensors.best),
    optimizer: take(floats, meta.tensors.optimizer),
  };
  return decodeCheckpoint(encodeCheckpoint(c)); // the full schema check, on exactly what will be stored
}
