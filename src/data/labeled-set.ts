/**
 * A labeled set ready to train on: classes named and counted, contradictions and repeats left
 * out, the stratified validation split. Every refusal is a LabeledError with a message for the
 * page. Pure: no DOM, no tfjs.
 */
import { quoted } from '../config/words';
import type { LabeledExample } from './labeled';
import { Rng } from './rng';

export const MAX_CLASSES = 20; // more than this is refused: a few hundred examples cannot cover them
export const MIN_PER_CLASS = 2; // one for training and one for validation, at least

export type LabeledErrorCode = 'no-text-column' | 'no-examples' | 'one-class' | 'small-class' | 'too-many-classes';

export class LabeledError extends Error {
  constructor(
    readonly code: LabeledErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LabeledError';
  }
}

export interface LabeledSet {
  labels: string[]; // class names, sorted; a class's id is its position
  texts: string[];
  y: Int32Array; // class id of each text
  counts: number[]; // examples per class
  skipped: number; // rows without a text or a label
  conflicts: number; // distinct texts found under two or more labels: left out
  repeats: number; // exact repeats of a text under the same label: left out
}

/** Drops texts that carry two labels and exact repeats, counting both. */
function consistent(examples: LabeledExample[]) {
  const labelsOf = new Map<string, Set<string>>();
  const rowsOf = new Map<string, number>();
  for (const { text, label } of examples) {
    labelsOf.set(text, (labelsOf.get(text) ?? new Set<string>()).add(label));
    rowsOf.set(text, (rowsOf.get(text) ?? 0) + 1);
  }
  const kept: LabeledExample[] = [];
  let conflicts = 0;
  let repeats = 0;
  for (const [text, labels] of labelsOf) {
    if (labels.size > 1) {
      conflicts++;
      continue;
    }
    kept.push({ text, label: [...labels][0] });
    repeats += rowsOf.get(text)! - 1;
  }
  return { kept, conflicts, repeats };
}

function refuse(labels: string[], counts: number[], skipped: number): void {
  if (labels.length === 0) {
    throw new LabeledError(
      'no-examples',
      `No row has both a text and a label${skipped ? ` (${skipped} skipped)` : ''}.`,
    );
  }
  if (labels.length === 1) {
    throw new LabeledError(
      'one-class',
      `Every example is labeled ${quoted(labels[0])}: a classifier needs at least two classes.`,
    );
  }
  if (labels.length > MAX_CLASSES) {
    throw new LabeledError(
      'too-many-classes',
      `There are ${labels.length} classes; the limit is ${MAX_CLASSES}. Is the label column the right one?`,
    );
  }
  const small = labels.filter((_, i) => counts[i] < MIN_PER_CLASS);
  if (small.length > 0) {
    const names = small.slice(0, 5).map(quoted).join(', ') + (small.length > 5 ? ', …' : '');
    throw new LabeledError(
      'small-class',
      `${small.length === 1 ? 'Class' : 'Classes'} ${names} ${small.length === 1 ? 'has' : 'have'} fewer than ` +
        `${MIN_PER_CLASS} examples: each class needs one to learn from and one to validate on.`,
    );
  }
}

/** Builds the set, or throws a LabeledError saying why it cannot be trained on. */
export function buildLabeledSet(examples: LabeledExample[], skipped: number): LabeledSet {
  const { kept, conflicts, repeats } = consistent(examples);
  const labels = [...new Set(kept.map((e) => e.label))].sort((a, b) => a.localeCompare(b));
  const id = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(kept, (e) => id.get(e.label)!);
  const counts = labels.map(() => 0);
  for (const c of y) counts[c]++;
  refuse(labels, counts, skipped);
  return { labels, texts: kept.map((e) => e.text), y, counts, skipped, conflicts, repeats };
}

function shuffled<T>(items: T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export interface SplitIndices {
  train: number[];
  val: number[];
}

/**
 * A seeded stratified split: in each class, round(n × valFraction) examples (at least one, and
 * at least one left for training) go to validation. Plain loops over typed arrays: a set of a
 * million rows must never be spread into a call's arguments (the stack holds ~100,000).
 */
export function stratifiedSplit(y: Int32Array, classes: number, valFraction: number, seed: number): SplitIndices {
  const rng = new Rng(seed);
  const sizes = new Int32Array(classes);
  for (let i = 0; i < y.length; i++) sizes[y[i]]++;
  const members = Array.from(sizes, (n) => new Int32Array(n)); // each class's rows, in order
  const filled = new Int32Array(classes);
  for (let i = 0; i < y.length; i++) members[y[i]][filled[y[i]]++] = i;
  const inVal = new Uint8Array(y.length);
  for (let c = 0; c < classes; c++) {
    const m = members[c];
    for (let i = m.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [m[i], m[j]] = [m[j], m[i]];
    }
    const nVal = Math.min(m.length - 1, Math.max(1, Math.round(m.length * valFraction)));
    for (let k = 0; k < nVal; k++) inVal[m[k]] = 1;
  }
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < y.length; i++) (inVal[i] ? val : train).push(i); // already sorted
  return { train, val };
}

/** At most `perClass` training examples of each class (seeded): "use only N labeled examples". */
export function limitPerClass(train: number[], y: Int32Array, perClass: number, seed: number): number[] {
  const rng = new Rng(seed);
  const taken = new Map<number, number>();
  return shuffled(train, rng)
    .filter((i) => {
      const n = taken.get(y[i]) ?? 0;
      taken.set(y[i], n + 1);
      return n < perClass;
    })
    .sort((a, b) => a - b);
}

/** Examples per class among `indices`. */
export function classCounts(indices: number[], y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const i of indices) counts[y[i]]++;
  return counts;
}

/** Whether two sets of labels are the same, in the same order (a classifier's outputs follow it). */
export const sameLabels = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((label, i) => label === b[i]);
