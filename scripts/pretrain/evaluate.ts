/**
 * Re-measures the shipped base (public/models/base-en) on the held-out book and rewrites the
 * figures in its base.json; the weights are untouched. `npm run pretrain` does the same at each
 * save. Run: node scripts/run-ts.mjs scripts/pretrain/evaluate.ts [--out public/models/base-en]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerKernels } from '../../src/engine/kernels/registry';
import { encode, makeVocab } from '../../src/data/vocab';
import { BASE_FILES, validateBaseMeta } from '../../src/storage/base-model';
import { heldOutFigures } from './held-out';
import { loadSources } from './sources';

const i = process.argv.indexOf('--out');
const dir = i > 0 ? process.argv[i + 1] : 'public/models/base-en';
tf.env().set('PROD', true);
registerKernels('wasm');
await tf.setBackend('wasm');
const meta = validateBaseMeta(JSON.parse(readFileSync(join(dir, BASE_FILES.meta), 'utf8')));
const json = JSON.parse(readFileSync(join(dir, BASE_FILES.model), 'utf8'));
const bin = new Uint8Array(readFileSync(join(dir, BASE_FILES.weights)));
const { heldOut } = loadSources();
if (heldOut.meta.sha256 !== meta.heldOut.sha256) throw new Error('the held-out text differs from the one in base.json');
const figures = await heldOutFigures(meta, json, bin, encode(makeVocab(meta.vocab), heldOut.text));
writeFileSync(join(dir, BASE_FILES.meta), JSON.stringify({ ...meta, ...figures }, null, 1) + '\n');
console.log(`${heldOut.meta.name}: ${JSON.stringify(figures)}`);
