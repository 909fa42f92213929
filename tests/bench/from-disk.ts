/**
 * What the classify benches read from disk under Node: the shipped English base, and a labeled
 * table (CSV/TSV with text and label columns), as the page would load them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { obviousColumns, readTable, tableExamples } from '../../src/data/labeled';
import { buildLabeledSet } from '../../src/data/labeled-set';
import type { LoadedBase } from '../../src/run/run-state';
import { BASE_FILES, decodeBaseWeights, validateBaseMeta } from '../../src/storage/base-model';

/** The base in `dir` (public/models/base-en by default), its weights checked against their hash. */
export async function readBase(dir = 'public/models/base-en'): Promise<LoadedBase> {
  const meta = validateBaseMeta(JSON.parse(readFileSync(join(dir, BASE_FILES.meta), 'utf8')));
  const weights = await decodeBaseWeights(
    meta,
    JSON.parse(readFileSync(join(dir, BASE_FILES.model), 'utf8')),
    new Uint8Array(readFileSync(join(dir, BASE_FILES.weights))),
  );
  return { meta, weights };
}

/** The labeled examples of a table file whose text and label columns are obvious. */
export function readLabeledSet(file: string) {
  const table = readTable({ name: file, text: readFileSync(file, 'utf8') });
  const columns = obviousColumns(table);
  if (!columns) throw new Error(`${file}: name the columns text and label`);
  const { examples, skipped } = tableExamples(table, columns);
  return buildLabeledSet(examples, skipped);
}
