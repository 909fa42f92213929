/**
 * Labeled texts as people bring them: CSV or TSV (parsed by Papa Parse: quoted fields, commas
 * and newlines inside quotes, header detection), JSON Lines, or one .txt file per class. Pure:
 * no DOM, no tfjs. The set's checks (one class only, too few examples, too many classes) live in
 * labeled-set.ts.
 */
import Papa from 'papaparse';

export interface LabeledExample {
  text: string;
  label: string;
}

/** A decoded file (see decodeCorpus). */
export interface TextFile {
  name: string;
  text: string;
}

export type LabeledFormat = 'csv' | 'tsv' | 'jsonl' | 'files';

/** Rows with named columns, as read from one CSV, TSV or JSON Lines file. */
export interface Table {
  format: LabeledFormat;
  columns: string[];
  rows: Record<string, string>[];
  header: boolean; // whether the first CSV row was taken as column names
  unreadable: number; // JSON Lines lines that are not a JSON object
  totalColumns: number; // columns in the file: only the first MAX_COLUMNS are read
}

/** Columns read (and offered when the page asks which is which); a labeled set needs two. */
export const MAX_COLUMNS = 50;

export interface Columns {
  text: string;
  label: string;
}

const TEXT_NAMES = ['text', 'message', 'sentence', 'review', 'body', 'content', 'document', 'comment', 'tweet', 'note'];
const LABEL_NAMES = ['label', 'class', 'category', 'target', 'sentiment', 'tag', 'topic', 'section', 'y'];
const isName = (cell: string, names: string[]) => names.includes(cell.trim().toLowerCase());

/** Whether `name` names a JSON Lines file, or its text starts like one. */
function looksLikeJsonl(file: TextFile): boolean {
  return /\.(jsonl|ndjson)$/i.test(file.name) || /^\s*\{/.test(file.text);
}

function readJsonl(text: string): Table {
  const rows: Record<string, string>[] = [];
  const columns = new Set<string>();
  const all = new Set<string>();
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = null;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      unreadable++;
      continue;
    }
    const row: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!columns.has(k)) {
        all.add(k);
        if (columns.size >= MAX_COLUMNS) continue;
      }
      columns.add(k);
      row[k] = typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? '' : String(v);
    }
    rows.push(row);
  }
  return { format: 'jsonl', columns: [...columns], rows, header: true, unreadable, totalColumns: all.size };
}

/**
 * Whether a CSV's first row names its columns: a cell is a usual column name, or in some column
 * of few distinct values (a label column), the first row's value occurs nowhere below it.
 */
export function detectHeader(cells: string[][]): boolean {
  const [first, ...rest] = cells;
  if (!first || rest.length === 0) return false;
  if (first.some((c) => isName(c, TEXT_NAMES) || isName(c, LABEL_NAMES))) return true;
  return first.some((cell, j) => {
    const below = new Set(rest.map((r) => r[j] ?? ''));
    return below.size <= 20 && below.size < rest.length && !below.has(cell);
  });
}

function readDelimited(file: TextFile): Table {
  const tsv = /\.tsv$/i.test(file.name);
  const parsed = Papa.parse<string[]>(file.text, { delimiter: tsv ? '\t' : '', skipEmptyLines: 'greedy' });
  const format = parsed.meta.delimiter === '\t' ? 'tsv' : 'csv';
  const totalColumns = parsed.data.reduce((w, r) => Math.max(w, r.length), 0); // never spread: rows can be millions
  const width = Math.min(totalColumns, MAX_COLUMNS);
  const cells = totalColumns > MAX_COLUMNS ? parsed.data.map((r) => r.slice(0, MAX_COLUMNS)) : parsed.data;
  const header = detectHeader(cells);
  const names = Array.from({ length: width }, (_, j) => {
    const name = header ? (cells[0][j] ?? '').trim() : '';
    return name || `column ${j + 1}`;
  });
  const columns = names.map((n, j) => (names.indexOf(n) === j ? n : `${n} (${j + 1})`)); // unique names
  const rows = cells.slice(header ? 1 : 0).map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j] ?? ''])));
  return { format, columns, rows, header, unreadable: 0, totalColumns };
}

/** Reads one CSV, TSV or JSON Lines file into rows. */
export function readTable(file: TextFile): Table {
  return looksLikeJsonl(file) ? readJsonl(file.text) : readDelimited(file);
}

const meanLength = (rows: Record<string, string>[], column: string) =>
  rows.reduce((sum, r) => sum + (r[column]?.length ?? 0), 0) / Math.max(1, rows.length);
const distinct = (rows: Record<string, string>[], column: string) => new Set(rows.map((r) => r[column])).size;

/**
 * The text and label columns when they are obvious: named as such, or the only two columns, the
 * longer one the text and the other with at most 20 values. Null: the page asks.
 */
export function obviousColumns(table: Table): Columns | null {
  const named = (names: string[]) => table.columns.find((c) => isName(c, names));
  const text = named(TEXT_NAMES);
  const label = named(LABEL_NAMES);
  if (text && label) return { text, label };
  if (table.columns.length !== 2) return null;
  const [a, b] = [...table.columns].sort((x, y) => meanLength(table.rows, y) - meanLength(table.rows, x));
  return distinct(table.rows, b) <= 20 && meanLength(table.rows, a) > meanLength(table.rows, b)
    ? { text: a, label: b }
    : null;
}

/**
 * A first guess for the page's column question: the longest column as text, and as label the
 * other column with the fewest values (but at least two).
 */
export function guessColumns(table: Table): Columns | null {
  if (table.columns.length < 2) return null;
  const text = [...table.columns].sort((x, y) => meanLength(table.rows, y) - meanLength(table.rows, x))[0];
  const others = table.columns.filter((c) => c !== text);
  const varied = others.filter((c) => distinct(table.rows, c) >= 2); // one value labels nothing
  const label = (varied.length > 0 ? varied : others).sort(
    (x, y) => distinct(table.rows, x) - distinct(table.rows, y),
  )[0];
  return { text, label };
}

/** Examples from two columns; rows with an empty text or label are skipped and counted. */
export function tableExamples(table: Table, columns: Columns) {
  const examples: LabeledExample[] = [];
  let skipped = table.unreadable;
  for (const row of table.rows) {
    const text = (row[columns.text] ?? '').trim();
    const label = (row[columns.label] ?? '').trim();
    if (text === '' || label === '') skipped++;
    else examples.push({ text, label });
  }
  return { examples, skipped };
}

/** The class a per-class file stands for: its name without folders and extension. */
export const classOfFile = (name: string) => name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || name;

/**
 * One .txt file per class: the file name is the label; one example per blank-line-separated
 * paragraph when the file has blank lines, else one per line.
 */
export function classFileExamples(files: TextFile[]) {
  const examples: LabeledExample[] = [];
  for (const file of files) {
    const label = classOfFile(file.name);
    const paragraphs = /\n[ \t]*\n/.test(file.text);
    const parts = paragraphs ? file.text.split(/\n[ \t]*\n/) : file.text.split('\n');
    for (const part of parts) {
      const text = part.trim();
      if (text) examples.push({ text, label });
    }
  }
  return { examples, skipped: 0 };
}
