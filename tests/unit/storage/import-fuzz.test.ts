/**
 * A seeded fuzz of the three imported descriptions (the classifier zip, the model zip, the English
 * base): a real export's JSON fields mutated hundreds of times each (keys deleted, types swapped,
 * numbers out of range, keys added). Every result must be an import or a refusal in words (never
 * an internal message), and a refusal leaves tf.memory().numTensors exactly as it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { useCpu } from '../support/setup-tf';
import { defaultSettings } from '../../../src/config/settings';
import { Rng } from '../../../src/data/rng';
import { buildVocab } from '../../../src/data/vocab';
import { createClassifier, disposeClassifier } from '../../../src/engine/classifier';
import { createModel } from '../../../src/engine/model';
import { RunState } from '../../../src/run/run-state';
import { decodeBaseWeights, validateBaseMeta } from '../../../src/storage/base-model';
import { CLASSIFIER_FORMAT, classifierZip, readClassifierZip } from '../../../src/storage/classifier-zip';
import { exportZip } from '../../../src/storage/export-zip';
import { importZip } from '../../../src/storage/import-zip';
import { errorEvent } from '../../../src/worker/errors';
import { tinyBaseFiles } from '../support/base-fixture';

beforeAll(useCpu);

const ROUNDS = 500;
type Json = unknown;
type Path = (string | number)[];

/** Every path into the value, visiting at most the first three items of each list. */
function paths(value: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.slice(0, 3).forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

const OTHER_TYPES: Json[] = ['12', 'x', '', 7, -3, 0.5, true, false, null, [], {}, [1, 2], { a: 1 }, ['ab', 'ab']];
const BAD_NUMBERS = [-1, 0, 1e9, -1e9, 1.5, 2 ** 53, 1e308, -1e308, 3, 4096, 2001, 1e-9];
const EXTRA: [string, Json][] = [
  ['quantization', { dtype: 'uint8', scale: 0.1, min: -1 }],
  ['quantization', { dtype: 'float16' }],
  ['extra', 1],
  ['__proto__', { polluted: true }],
  ['group', 'x'],
];

/** One seeded mutation of a deep copy of `doc`, and what it was (for a failing test's message). */
function mutate(doc: Json, rng: Rng): { doc: Json; what: string } {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const all = paths(copy).filter((p) => p.length > 0);
  const path = all[rng.int(all.length)];
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], copy) as Record<
    string | number,
    unknown
  >;
  const key = path[path.length - 1];
  const pick = <T>(list: T[]) => list[rng.int(list.length)];
  switch (rng.int(4)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { doc: copy, what: `deleted ${path.join('.')}` };
    case 1: {
      const v = pick(OTHER_TYPES);
      parent[key] = structuredClone(v);
      return { doc: copy, what: `${path.join('.')} = ${JSON.stringify(v)}` };
    }
    case 2: {
      const v = pick(BAD_NUMBERS);
      parent[key] = typeof parent[key] === 'number' && rng.next() < 0.5 ? (parent[key] as number) * v : v;
      return { doc: copy, what: `${path.join('.')} = ${String(parent[key])}` };
    }
    default: {
      const [k, v] = pick(EXTRA);
      const target = typeof parent[key] === 'object' && parent[key] !== null ? parent[key] : parent;
      Object.defineProperty(target, k, { value: structuredClone(v), enumerable: true, writable: true });
      return { doc: copy, what: `extra ${k} at ${path.join('.')}` };
    }
  }
}

/** What a person would read for this failure: a sentence, never an internal message. */
function expectRefusalSentence(error: unknown, what: string) {
  const event = errorEvent(1, error);
  if (event.type !== 'error') throw new Error('not an error event');
  expect(event.code, `${what}: ${event.message}`).not.toBe('internal');
  expect(event.message, what).toMatch(/^[A-Z"\u2068].*[.!?]$/s);
  expect(event.message, what).not.toMatch(/undefined|NaN|\[object|TypeError|is not a function|Cannot read|reduce/);
}

/** Runs ROUNDS mutations of the JSON files of `files` through `read`; counts imports and refusals. */
async function fuzz(
  files: Record<string, Uint8Array>,
  targets: string[],
  seed: number,
  read: (files: Record<string, Uint8Array>) => Promise<() => void>,
) {
  const rng = new Rng(seed);
  const docs = Object.fromEntries(targets.map((t) => [t, JSON.parse(strFromU8(files[t]))]));
  const tally = { imported: 0, refused: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const changed = { ...files };
    const whats: string[] = [];
    for (let m = 0, n = 1 + (rng.next() < 0.25 ? 1 : 0); m < n; m++) {
      const target = targets[rng.int(targets.length)];
      const { doc, what } = mutate(m === 0 ? docs[target] : JSON.parse(strFromU8(changed[target])), rng);
      changed[target] = strToU8(JSON.stringify(doc));
      whats.push(`${target}: ${what}`);
    }
    const what = `round ${round}: ${whats.join('; ')}`;
    const before = tf.memory().numTensors;
    try {
      const dispose = await read(changed);
      dispose();
      tally.imported++;
    } catch (error) {
      expectRefusalSentence(error, what);
      tally.refused++;
    }
    expect(tf.memory().numTensors, what).toBe(before);
  }
  return tally;
}

describe('fuzzed descriptions: an import or a refusal in words, and nothing left behind', () => {
  it(`the classifier zip, ${ROUNDS} mutations of classifier.json and model.json`, async () => {
    const c = createClassifier(
      createModel({ vocabSize: 5, embedDim: 3, units: 4, layers: 2, dropout: 0 }, 5),
      {
        classes: 3,
        hidden: 6,
        dropout: 0.2,
      },
      9,
    );
    const zip = await classifierZip(c, {
      format: CLASSIFIER_FORMAT,
      version: 1,
      name: 'fuzz',
      labels: ['x', 'y', 'z'],
      vocab: ['a', 'b', 'c', 'd', '\uFFFD'],
      maxLen: 32,
      foldTypography: true,
      encoder: c.encoder.config,
      head: c.head,
      start: 'scratch',
      base: null,
      accuracy: 0.5,
      macroF1: 0.4,
      createdAt: '2026-12-05T00:00:00Z',
    });
    disposeClassifier(c);
    const files = unzipSync(zip);
    const tally = await fuzz(files, ['classifier.json', 'model.json'], 35, async (f) => {
      const { classifier } = await readClassifierZip(zipSync(f));
      return () => disposeClassifier(classifier);
    });
    expect(tally.imported).toBeGreaterThan(20); // names, dates and unread fields change nothing
    expect(tally.refused).toBeGreaterThan(150);
  }, 120_000);

  it(`the model zip, ${ROUNDS} mutations of inkling.json and model.json`, async () => {
    const settings = defaultSettings();
    settings.model = { embedDim: 6, units: 10, layers: 2, dropout: 0 };
    const text = 'the quick brown fox jumps over the lazy dog. ';
    const state = RunState.fresh(
      { name: 'fox.txt', hash: 'abc', chars: text.length },
      buildVocab(text).vocab,
      settings,
    );
    state.recordEstimate(0, 4.5, 4.6);
    const zip = await exportZip(await state.toCheckpoint('cpu'));
    state.dispose();
    const files = unzipSync(zip);
    const tally = await fuzz(files, ['inkling.json', 'model.json'], 36, async (f) => {
      const opened = await RunState.fromCheckpoint(importZip(zipSync(f), 'fuzz.zip')); // as the worker opens it
      return () => opened.dispose();
    });
    expect(tally.imported).toBeGreaterThan(20);
    expect(tally.refused).toBeGreaterThan(150);
  }, 120_000);

  it(`the English base, ${ROUNDS} mutations of base.json and model.json`, async () => {
    const files = await tinyBaseFiles();
    const tally = await fuzz(files, ['base.json', 'model.json'], 37, async (f) => {
      const meta = validateBaseMeta(JSON.parse(strFromU8(f['base.json'])));
      await decodeBaseWeights(meta, JSON.parse(strFromU8(f['model.json'])), f['weights.bin']);
      return () => {};
    });
    expect(tally.imported).toBeGreaterThan(20);
    expect(tally.refused).toBeGreaterThan(150);
  }, 120_000);
});
