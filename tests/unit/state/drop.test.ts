import { describe, expect, it } from 'vitest';
import { chooseDropped } from '../../../src/state/drop';

describe('chooseDropped', () => {
  it('loads a single file silently', () => {
    expect(chooseDropped([{ name: 'a.txt', isDirectory: false }])).toEqual({ kind: 'file', index: 0, message: null });
  });

  it('loads the first file of several and says so', () => {
    const d = chooseDropped([
      { name: 'dir', isDirectory: true },
      { name: 'b.txt', isDirectory: false },
      { name: 'c.txt', isDirectory: false },
    ]);
    expect(d).toMatchObject({ kind: 'file', index: 1 });
    expect(d.message).toMatch(/3 items were dropped.*"\u2068b\.txt\u2069".*other 2/);
  });

  it('refuses a folder and an empty drop with a reason', () => {
    expect(chooseDropped([{ name: 'books', isDirectory: true }]).message).toMatch(/"\u2068books\u2069" is a folder/);
    expect(chooseDropped([]).kind).toBe('none');
  });
});
