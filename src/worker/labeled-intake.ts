/** Labeled files as the worker takes them in: decoded, parsed, columns found (or asked), summarised. */
import { MAX_LEN_LIMIT } from '../config/classify';
import { decodeCorpus } from '../data/corpus';
import { quoted } from '../config/words';
import {
  classFileExamples,
  classOfFile,
  MAX_COLUMNS,
  guessColumns,
  obviousColumns,
  readTable,
  tableExamples,
  type Columns,
  type TextFile,
} from '../data/labeled';
import { buildLabeledSet, LabeledError, type LabeledSet } from '../data/labeled-set';
import type { LabeledResult, LabeledSummary, NamedBytes } from './protocol';

const PREVIEW_ROWS = 4;

/** The examples in some files: one CSV, TSV or JSON Lines file, or one .txt file per class. */
function examplesOf(files: TextFile[], columns: Columns | null) {
  if (files.length > 1 || /\.txt$/i.test(files[0].name)) {
    if (files.length < 2) {
      throw new LabeledError('one-class', 'One .txt file is one class: drop one file per class, at least two.');
    }
    checkClassFiles(files);
    return { ...classFileExamples(files), format: 'files' as const };
  }
  const table = readTable(files[0]);
  if (table.columns.length < 2) {
    throw new LabeledError(
      'no-text-column',
      `${files[0].name} has ${table.columns.length === 1 ? 'one column' : 'no columns'}: it needs a text column and a label column.`,
    );
  }
  const chosen = columns ?? obviousColumns(table);
  if (!chosen && table.totalColumns > MAX_COLUMNS) {
    const n = table.totalColumns.toLocaleString('en-US');
    throw new LabeledError(
      'no-text-column',
      `${quoted(files[0].name)} has ${n} columns, and none of its first ${MAX_COLUMNS} is named as a text or a label: ` +
        'save the text and label columns on their own, or name them text and label.',
    );
  }
  if (!chosen) {
    const preview = table.rows.slice(0, PREVIEW_ROWS).map((r) => table.columns.map((c) => (r[c] ?? '').slice(0, 80)));
    return { choose: { columns: table.columns, preview, guess: guessColumns(table) } };
  }
  for (const c of [chosen.text, chosen.label]) {
    if (!table.columns.includes(c)) throw new LabeledError('no-text-column', `There is no column named ${c}.`);
  }
  return { ...tableExamples(table, chosen), format: table.format, columns: chosen };
}

/**
 * Several files are one class each: all .txt, each with a name of its own. A table picked with
 * them would become a class named after it, header and all; two files with one name would merge
 * into one class without a word.
 */
function checkClassFiles(files: TextFile[]): void {
  const tables = files.filter((f) => !/\.txt$/i.test(f.name)).map((f) => quoted(f.name));
  if (tables.length > 0) {
    throw new LabeledError(
      'no-text-column',
      `${tables.slice(0, 3).join(', ')}${tables.length > 3 ? ', …' : ''} ${tables.length === 1 ? 'is' : 'are'} not a .txt ` +
        'file: several files are read as one .txt file per class. Open a CSV, TSV or JSON Lines file on its own.',
    );
  }
  const byClass = new Map<string, string[]>();
  for (const f of files) byClass.set(classOfFile(f.name), [...(byClass.get(classOfFile(f.name)) ?? []), f.name]);
  const clash = [...byClass].find(([, names]) => names.length > 1);
  if (clash) {
    throw new LabeledError(
      'one-class',
      `${clash[1].length} files are named ${quoted(clash[0])} (${clash[1].map(quoted).join(', ')}): each file is one ` +
        'class, named after the file, so each needs a name of its own.',
    );
  }
}

/**
 * Reads labeled files into a set, or into the column question when the columns are not obvious.
 * Throws a CorpusError or LabeledError saying why they cannot be used.
 */
export function readLabeled(files: NamedBytes[], columns: Columns | null) {
  if (files.length === 0) throw new LabeledError('no-examples', 'No file was given.');
  const decoded = files.map((f) => ({ name: f.name, text: decodeCorpus(new Uint8Array(f.bytes), f.name) }));
  const found = examplesOf(decoded, columns);
  if ('choose' in found && found.choose) {
    const result: LabeledResult = { kind: 'choose', name: files[0].name, ...found.choose };
    return { set: null, result };
  }
  const { examples, skipped, format } = found as Exclude<typeof found, { choose: unknown }>;
  const set = buildLabeledSet(examples, skipped);
  const name = files.length === 1 ? files[0].name : `${files.length} files`;
  const result: LabeledResult = { kind: 'set', summary: summarise(set, name, format) };
  return { set, name, result };
}

function summarise(set: LabeledSet, name: string, format: string): LabeledSummary {
  const lengths = set.texts.map((t) => t.length);
  return {
    name,
    format,
    labels: set.labels,
    counts: set.counts,
    examples: set.texts.length,
    skipped: set.skipped,
    conflicts: set.conflicts,
    repeats: set.repeats,
    overLength: overLength(lengths, MAX_LEN_LIMIT),
    medianLength: [...lengths].sort((a, b) => a - b)[lengths.length >> 1],
    preview: set.texts.slice(0, PREVIEW_ROWS).map((t, i) => ({ text: t.slice(0, 160), label: set.labels[set.y[i]] })),
  };
}

/** [n]: how many of the lengths exceed n, for n = 0 … limit; the page reads it for any maximum length. */
export function overLength(lengths: number[], limit: number): number[] {
  const atLeast = new Array<number>(limit + 2).fill(0); // [k]: lengths of exactly k, the last slot: over the limit
  for (const n of lengths) atLeast[Math.min(n, limit + 1)]++;
  const over = new Array<number>(limit + 1).fill(0);
  let above = atLeast[limit + 1];
  for (let n = limit; n >= 0; n--) {
    over[n] = above;
    above += atLeast[n];
  }
  return over;
}
