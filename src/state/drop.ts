/** Deciding what to do with what a person dropped or picked. Pure, unit-tested. */

import { quoted } from '../config/words';

export interface DroppedEntry {
  name: string;
  isDirectory: boolean; // from DataTransferItem.webkitGetAsEntry()
}

export type DropDecision =
  | { kind: 'none'; message: string }
  | { kind: 'folder'; message: string }
  | { kind: 'file'; index: number; message: string | null }; // message: what we did with the others

/** One text at a time: the first regular file is used, and the person is told about the rest. */
export function chooseDropped(entries: DroppedEntry[]): DropDecision {
  if (entries.length === 0) return { kind: 'none', message: 'Nothing to load: drop a text file.' };
  const index = entries.findIndex((e) => !e.isDirectory);
  if (index < 0) {
    return {
      kind: 'folder',
      message: `${quoted(entries[0].name)} is a folder. Drop a single text file (or join your texts into one file first).`,
    };
  }
  if (entries.length === 1) return { kind: 'file', index, message: null };
  const others = entries.length - 1;
  return {
    kind: 'file',
    index,
    message: `${entries.length} items were dropped; Inkling trains on one text at a time, so it loaded ${quoted(entries[index].name)} and ignored the other ${others === 1 ? 'one' : others}.`,
  };
}
