/**
 * Export and import as one .zip: model.json + weights.bin (a standard TensorFlow.js LayersModel
 * that stock tf.loadLayersModel reads), inkling.json (vocabulary, configs, history) and state.bin
 * (optimizer state and best-validation weights, so training can go on). Import validates
 * everything before anything is stored.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { sizeOf, weightSpecs } from '../engine/architecture';
import { newRunId } from './ids';
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  validateEntries,
  validateVocab,
  type Checkpoint,
  type CheckpointMeta,
  type NamedArray,
} from './checkpoint';

export const MAX_IMPORT_BYTES = 200 * 1024 * 1024; // zip and each unpacked file
const EXPORT_FORMAT = 'inkling-export';

/** The stock Keras architecture of our model: Embedding -> LSTM (return sequences) x L -> Dense (logits). */
export function toLayersModel(c: Checkpoint): tf.Sequential {
  const m = c.meta.model;
  const model = tf.sequential({ name: 'inkling' });
  model.add(
    tf.layers.embedding({
      inputDim: m.vocabSize,
      outputDim: m.embedDim,
      inputShape: [null as unknown as number],
      name: 'embedding',
    }),
  );
  for (let i = 0; i < m.layers; i++) {
    model.add(
      tf.layers.lstm({ units: m.units, returnSequences: true, recurrentActivation: 'sigmoid', name: `lstm_${i + 1}` }),
    );
  }
  model.add(tf.layers.dense({ units: m.vocabSize, name: 'dense' }));
  const tensors = c.weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
  return model;
}

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = (Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Builds the export zip. Runs in the worker; the page only downloads the bytes. */
export async function exportZip(c: Checkpoint): Promise<Uint8Array> {
  const model = toLayersModel(c);
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: 'Inkling',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  const state = encodeCheckpoint({ ...c, weights: [] }); // best + optimizer only
  const header = JSON.parse(state.json) as CheckpointMeta;
  const inkling = { format: EXPORT_FORMAT, version: 1, meta: header };
  return zipSync({
    'model.json': strToU8(JSON.stringify(modelJson)),
    'weights.bin': concatBuffers(a.weightData!),
    'inkling.json': strToU8(JSON.stringify(inkling, null, 1)),
    'state.bin': new Uint8Array(state.data),
  });
}

function parseJson<T>(files: Record<string, Uint8Array>, name: string): T {
  if (!files[name]) throw new CheckpointError(`the file has no ${name}: is it an Inkling export?`);
  try {
    return JSON.parse(strFromU8(files[name])) as T;
  } catch {
    throw new CheckpointError(`${name} is not valid JSON`);
  }
}

function unzip(bytes: Uint8Array): Record<string, Uint8Array> {
  if (bytes.length > MAX_IMPORT_BYTES)
    throw new CheckpointError(`the file is larger than ${MAX_IMPORT_BYTES / 2 ** 20} MB`);
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new CheckpointError('this is not a .zip file');
  try {
    return unzipSync(bytes, { filter: (f) => f.originalSize <= MAX_IMPORT_BYTES });
  } catch (error) {
    throw new CheckpointError(`the zip is damaged (${error instanceof Error ? error.message : error})`);
  }
}

/** Reads model.json + weights.bin: checks dtype, shapes against the config, and byte counts. */
function readWeights(files: Record<string, Uint8Array>, meta: CheckpointMeta): NamedArray[] {
  type Manifest = {
    weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  const manifest = parseJson<Manifest>(files, 'model.json').weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1)
    throw new CheckpointError('model.json has no usable weightsManifest');
  const { paths, weights } = manifest[0];
  const bin = files[paths?.[0]];
  if (!bin) throw new CheckpointError(`the weights file ${paths?.[0]} is missing`);
  if (weights.some((w) => w.dtype !== 'float32')) throw new CheckpointError('only float32 weights are supported');
  const expected = weightSpecs(meta.model);
  const total = weights.reduce((n, w) => n + sizeOf(w.shape), 0);
  if (total * 4 !== bin.length)
    throw new CheckpointError(`${paths[0]} holds ${bin.length} bytes; the manifest's shapes need ${total * 4}`);
  validateEntries(
    weights.map((w) => ({ ...w, offset: 0 })),
    total,
    expected,
  );
  const floats = new Float32Array(bin.slice().buffer);
  let at = 0;
  return weights.map((w, i) => ({
    name: expected[i][0],
    shape: w.shape,
    values: floats.slice(at, (at += sizeOf(w.shape))),
  }));
}

/** Validates an export completely and returns it as a checkpoint under a fresh run id. */
export function importZip(bytes: Uint8Array, fileName: string): Checkpoint {
  const files = unzip(bytes);
  const inkling = parseJson<{ format?: string; meta?: CheckpointMeta }>(files, 'inkling.json');
  if (inkling.format !== EXPORT_FORMAT || !inkling.meta)
    throw new CheckpointError('inkling.json is not an Inkling export description');
  const meta = inkling.meta;
  if (!meta.model) throw new CheckpointError('inkling.json has no model config');
  validateVocab(meta.vocab, meta.model.vocabSize);
  const weights = readWeights(files, meta);
  const state = files['state.bin'] ?? new Uint8Array(0);
  const partial = { ...meta, tensors: { ...meta.tensors, weights: [] } };
  // Reassemble through the checkpoint codec, so the full schema check applies to the result.
  const restored = decodeCheckpointParts(partial, state);
  const runId = newRunId();
  const name = `${meta.name || fileName} (imported)`;
  const c: Checkpoint = { ...restored, meta: { ...meta, runId, name, updatedAt: Date.now() }, weights };
  return decodeCheckpoint(encodeCheckpoint(c));
}

function decodeCheckpointParts(meta: CheckpointMeta, state: Uint8Array): Omit<Checkpoint, 'weights' | 'meta'> {
  if (state.length % 4 !== 0) throw new CheckpointError('state.bin is not a whole number of float32 values');
  const floats = new Float32Array(state.slice().buffer);
  validateEntries(meta.tensors?.best ?? [], floats.length);
  validateEntries(meta.tensors?.optimizer ?? [], floats.length);
  const take = (entries: { name: string; shape: number[]; offset: number }[]) =>
    entries.map((e) => ({ name: e.name, shape: e.shape, values: floats.slice(e.offset, e.offset + sizeOf(e.shape)) }));
  return { best: take(meta.tensors.best), optimizer: take(meta.tensors.optimizer) };
}
