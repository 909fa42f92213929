/** Labeled files a person might pick by mistake (issue 35): each refused or explained in words. */
import { describe, expect, it } from 'vitest';
import { readLabeled } from '../../../src/worker/labeled-intake';
import { LabeledError } from '../../../src/data/labeled-set';

const file = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text).buffer as ArrayBuffer });
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabeledError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};
const wide = (columns: number, header: (j: number) => string) =>
  [
    Array.from({ length: columns }, (_, j) => header(j)).join(','),
    ...Array.from({ length: 20 }, (_, r) =>
      Array.from({ length: columns }, (_, j) => (j === 1 ? (r % 2 ? 'pos' : 'neg') : `cell ${r} ${j}`)).join(','),
    ),
  ].join('\n');

describe('labeled files picked together or too wide', () => {
  it('a .csv picked with .txt class files is refused, not read as a class named after it', () => {
    const files = [
      file('cats.txt', 'meow\npurr\n'),
      file('dogs.txt', 'woof\nbark\n'),
      file('data.csv', 'text,label\na,b\n'),
    ];
    expect(refusal(() => readLabeled(files, null))).toBe(
      '"\u2068data.csv\u2069" is not a .txt file: several files are read as one .txt file per class. Open a CSV, ' +
        'TSV or JSON Lines file on its own.',
    );
  });

  it('two class files with the same name are refused, naming the collision', () => {
    const files = [file('cats.txt', 'meow\npurr\n'), file('cats.TXT', 'hiss\nmew\n')];
    expect(refusal(() => readLabeled(files, null))).toBe(
      '2 files are named "\u2068cats\u2069" ("\u2068cats.txt\u2069", "\u2068cats.TXT\u2069"): each file is one ' +
        'class, named after the file, so each needs a name of its own.',
    );
  });

  it('a CSV of 20,000 unnamed columns is refused in words instead of offering 20,000 choices', () => {
    const message = refusal(() =>
      readLabeled(
        [
          file(
            'wide.csv',
            wide(20_000, (j) => `c${j}`),
          ),
        ],
        null,
      ),
    );
    expect(message).toBe(
      '"\u2068wide.csv\u2069" has 20,000 columns, and none of its first 50 is named as a text or a label: save the ' +
        'text and label columns on their own, or name them text and label.',
    );
  });

  it('a CSV of 20,000 columns whose text and label are named loads', () => {
    const { result } = readLabeled(
      [
        file(
          'wide.csv',
          wide(20_000, (j) => ['text', 'label'][j] ?? `c${j}`),
        ),
      ],
      null,
    );
    expect(result).toMatchObject({ kind: 'set', summary: { examples: 20, labels: ['neg', 'pos'] } });
  });

  it('the column question offers at most 50 columns: a table of 50 is asked about, one of 51 refused', () => {
    const unnamed = (n: number) => wide(n, (j) => `c${j}`);
    expect(refusal(() => readLabeled([file('wider.csv', unnamed(51))], null))).toMatch(/has 51 columns/);
    const { result } = readLabeled([file('fifty.csv', unnamed(50))], null);
    expect(result.kind).toBe('choose');
    if (result.kind === 'choose') {
      expect(result.columns).toHaveLength(50);
      expect(result.preview[0]).toHaveLength(50);
    }
  });
});
