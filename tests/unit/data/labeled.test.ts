import { describe, expect, it } from 'vitest';
import {
  classFileExamples,
  detectHeader,
  guessColumns,
  obviousColumns,
  readTable,
  tableExamples,
} from '../../../src/data/labeled';
import { overLength } from '../../../src/worker/labeled-intake';
import {
  buildLabeledSet,
  classCounts,
  LabeledError,
  limitPerClass,
  stratifiedSplit,
} from '../../../src/data/labeled-set';

const csv = (text: string, name = 'x.csv') => readTable({ name, text });

describe('reading labeled files', () => {
  it('parses CSV quirks: quoted commas, quoted newlines, doubled quotes, a header', () => {
    const t = csv('text,label\n"Hello, world",greeting\n"two\nlines",note\n"she said ""hi""",greeting\n');
    expect(t.header).toBe(true);
    expect(t.columns).toEqual(['text', 'label']);
    expect(tableExamples(t, { text: 'text', label: 'label' }).examples).toEqual([
      { text: 'Hello, world', label: 'greeting' },
      { text: 'two\nlines', label: 'note' },
      { text: 'she said "hi"', label: 'greeting' },
    ]);
  });

  it('detects a header by its names, or by a label column whose first value never recurs', () => {
    expect(
      detectHeader([
        ['Message', 'Category'],
        ['a', 'x'],
      ]),
    ).toBe(true);
    const rows = [
      ['body', 'kind'],
      ['one text', 'pos'],
      ['two text', 'neg'],
      ['three', 'pos'],
    ];
    expect(detectHeader(rows)).toBe(true);
    expect(detectHeader(rows.slice(1))).toBe(false); // 'pos' recurs: the first row is data
    const t = csv('great film,pos\nawful film,neg\nfine film,pos\n');
    expect(t.header).toBe(false);
    expect(t.columns).toEqual(['column 1', 'column 2']);
    expect(t.rows).toHaveLength(3);
  });

  it('reads TSV by its extension and by sniffing', () => {
    const text = 'text\tlabel\na, b\tx\nc\ty\n';
    expect(csv(text, 'data.tsv').format).toBe('tsv');
    expect(csv(text, 'data.txt').rows[0]).toEqual({ text: 'a, b', label: 'x' });
  });

  it('reads JSON Lines, counting lines that are not objects and turning numbers into labels', () => {
    const t = readTable({
      name: 'd.jsonl',
      text: '{"text": "good", "label": 1}\nnot json\n\n{"text": "bad", "label": 0}\n[1,2]\n',
    });
    expect(t.format).toBe('jsonl');
    expect(t.unreadable).toBe(2);
    const { examples, skipped } = tableExamples(t, obviousColumns(t)!);
    expect(examples).toEqual([
      { text: 'good', label: '1' },
      { text: 'bad', label: '0' },
    ]);
    expect(skipped).toBe(2);
  });

  it('knows obvious columns, and guesses (longest text, fewest labels) when it must ask', () => {
    expect(obviousColumns(csv('review,sentiment\nok,pos\nno,neg\n'))).toEqual({ text: 'review', label: 'sentiment' });
    const two = csv('a long text here,x\nanother long text,y\nyet another one,x\n');
    expect(obviousColumns(two)).toEqual({ text: 'column 1', label: 'column 2' });
    const three = csv('id,body,kind\n1,a long text here,x\n2,another long text,y\n3,yet another one,x\n');
    expect(obviousColumns(three)).toBeNull(); // 'body' names a text, but 'kind' is no usual label name
  });

  it('asks when three columns have no usual names, guessing the longest as text', () => {
    const t = csv('k,a,b\n1,a long text here,x\n2,another long text,y\n3,yet another one,x\n');
    expect(t.header).toBe(true);
    expect(obviousColumns(t)).toBeNull();
    expect(guessColumns(t)).toEqual({ text: 'a', label: 'b' });
  });

  it('skips and counts rows with an empty text or label', () => {
    const t = csv('text,label\nfine,a\n,b\nno label,\n  ,c\nok,b\n');
    expect(tableExamples(t, { text: 'text', label: 'label' })).toMatchObject({ skipped: 3 });
  });

  it('takes one example per paragraph, or per line, from per-class files named after their class', () => {
    const { examples } = classFileExamples([
      { name: 'folder/spam.txt', text: 'buy now\nreally\n\nfree money\n' },
      { name: 'ham.txt', text: 'hello there\nsee you\n' },
    ]);
    expect(examples).toEqual([
      { text: 'buy now\nreally', label: 'spam' },
      { text: 'free money', label: 'spam' },
      { text: 'hello there', label: 'ham' },
      { text: 'see you', label: 'ham' },
    ]);
  });
});

const ex = (pairs: [string, string][]) => pairs.map(([text, label]) => ({ text, label }));
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as LabeledError).code;
  }
  return null;
};

describe('the labeled set', () => {
  it('names and counts classes, leaving out texts under two labels and exact repeats', () => {
    const set = buildLabeledSet(
      ex([
        ['a', 'x'],
        ['b', 'y'],
        ['a', 'x'],
        ['c', 'x'],
        ['d', 'y'],
        ['e', 'x'],
        ['e', 'y'],
      ]),
      2,
    );
    expect(set.labels).toEqual(['x', 'y']);
    expect(set.counts).toEqual([2, 2]);
    expect(set.conflicts).toBe(1);
    expect(set.repeats).toBe(1);
    expect(set.skipped).toBe(2);
  });

  it('refuses one class, a class of one, more than 20 classes, and nothing at all, each with its own code', () => {
    expect(
      refusal(() =>
        buildLabeledSet(
          ex([
            ['a', 'x'],
            ['b', 'x'],
          ]),
          0,
        ),
      ),
    ).toBe('one-class');
    expect(
      refusal(() =>
        buildLabeledSet(
          ex([
            ['a', 'x'],
            ['b', 'x'],
            ['c', 'y'],
          ]),
          0,
        ),
      ),
    ).toBe('small-class');
    const many = Array.from({ length: 42 }, (_, i) => [`t${i}`, `c${i % 21}`] as [string, string]);
    expect(refusal(() => buildLabeledSet(ex(many), 0))).toBe('too-many-classes');
    expect(refusal(() => buildLabeledSet([], 3))).toBe('no-examples');
  });

  it('splits each class by the same share, seeded, disjoint, at least one each side', () => {
    const y = Int32Array.from([...Array(50).fill(0), ...Array(10).fill(1), 1, 1]);
    const a = stratifiedSplit(y, 2, 0.2, 7);
    expect(classCounts(a.val, y, 2)).toEqual([10, 2]);
    expect(classCounts(a.train, y, 2)).toEqual([40, 10]);
    expect(new Set([...a.train, ...a.val]).size).toBe(y.length);
    expect(stratifiedSplit(y, 2, 0.2, 7)).toEqual(a);
    expect(stratifiedSplit(y, 2, 0.2, 8)).not.toEqual(a);
    const tiny = Int32Array.from([0, 0, 1, 1]);
    expect(classCounts(stratifiedSplit(tiny, 2, 0.2, 1).val, tiny, 2)).toEqual([1, 1]);
  });

  it('keeps at most N training examples per class', () => {
    const y = Int32Array.from([...Array(30).fill(0), ...Array(5).fill(1)]);
    const kept = limitPerClass([...y.keys()], y, 10, 3);
    expect(classCounts(kept, y, 2)).toEqual([10, 5]);
  });
});

describe('texts the maximum length cuts', () => {
  it('counts, for every maximum length up to the limit, the texts longer than it', () => {
    expect(overLength([3, 5, 5, 10], 6)).toEqual([4, 4, 4, 3, 3, 1, 1]);
    expect(overLength([], 2)).toEqual([0, 0, 0]);
  });
});
