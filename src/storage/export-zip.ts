/**
 * Export as one .zip: model.json + weights.bin (a standard TensorFlow.js LayersModel that stock
 * tf.loadLayersModel reads), inkling.json (vocabulary, configs, history, and CRC-32s of the two
 * binary files) and state.bin (optimizer state and best-validation weights, so training can go
 * on). See import-zip.ts for the way back.
 */
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import type { ModelConfig } from '../config/settings';
import { encodeCheckpoint, type Checkpoint, type CheckpointMeta, type NamedArray } from './checkpoint';
import { crc32 } from './crc32';

export const EXPORT_FORMAT = 'inkling-export';

/** inkling.json: what makes an export more than a LayersModel. */
export interface ExportDescription {
  format: typeof EXPORT_FORMAT;
  version: number;
  meta: CheckpointMeta; // tensors.best and tensors.optimizer locate them in state.bin
  checksums?: { weights: number; state: number }; // CRC-32 of weights.bin and state.bin (absent before v0.2)
}

/** The stock Keras architecture of our model: Embedding -> LSTM (return sequences) x L -> Dense (logits). */
export function toLayersModel(m: ModelConfig, weights: NamedArray[]): tf.Sequential {
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
      tf.layers.lstm({
        units: m.units,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        recurrentInitializer: 'zeros', // overwritten below; tfjs' orthogonal initializer is slow at these sizes
        name: `lstm_${i + 1}`,
      }),
    );
  }
  model.add(tf.layers.dense({ units: m.vocabSize, name: 'dense' }));
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
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

/** model.json's contents (topology and float32 weight specs) and the weight bytes, as stock tfjs saves them. */
export async function layersArtifacts(m: ModelConfig, weights: NamedArray[]) {
  const model = toLayersModel(m, weights);
  const artifacts = await layersArtifactsOf(model);
  model.dispose();
  return artifacts;
}

/** What stock tfjs saves of a LayersModel: its topology, weight specs and weight bytes. */
export async function layersArtifactsOf(model: tf.LayersModel) {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  return { topology: a.modelTopology, specs: a.weightSpecs!, data: concatBuffers(a.weightData!) };
}

/** A model.json for tfjs' loadLayersModel, its weights in `file`. */
export function modelJson(topology: unknown, specs: tf.io.WeightsManifestEntry[], file: string) {
  return {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: 'Inkling',
    modelTopology: topology,
    weightsManifest: [{ paths: [file], weights: specs }],
  };
}

/** Builds the export zip. Runs in the worker; the page only downloads the bytes. */
export async function exportZip(c: Checkpoint): Promise<Uint8Array> {
  const { topology, specs, data: weights } = await layersArtifacts(c.meta.model, c.weights);
  const state = encodeCheckpoint({ ...c, weights: [] }); // best + optimizer only
  const header = JSON.parse(state.json) as CheckpointMeta;
  const stateBytes = new Uint8Array(state.data);
  const checksums = { weights: crc32(weights), state: crc32(stateBytes) }; // CRC-32, checked on import
  const inkling: ExportDescription = { format: EXPORT_FORMAT, version: 1, meta: header, checksums };
  return zipSync({
    'model.json': strToU8(JSON.stringify(modelJson(topology, specs, 'weights.bin'))),
    'weights.bin': weights,
    'inkling.json': strToU8(JSON.stringify(inkling, null, 1)),
    'state.bin': stateBytes,
  });
}
