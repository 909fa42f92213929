/**
 * Reads chosen entries of a zip with a hard limit on each: only the entries asked for are
 * inflated, the zip is fed to fflate's streaming Unzip in small slices (so one push can never
 * inflate more than a few MB), and an entry that inflates past its limit is abandoned at once,
 * whatever sizes the zip's headers declare. Everything else in the zip is skipped unread.
 */
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { CheckpointError } from './checkpoint';

/** Compressed bytes fed per push: deflate expands at most ~1032:1, so ~8 MB out per push. */
const SLICE = 8 * 1024;

interface Entry {
  limit: number;
  chunks: Uint8Array[];
  length: number;
  file: UnzipFile | null;
  done: boolean;
}

function join(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Inflates the entries named in `limits` (name -> most bytes it may hold). Returns those found,
 * complete; throws a CheckpointError when one holds more than its limit or the zip is damaged.
 */
export function readZipEntries(zip: Uint8Array, limits: Record<string, number>): Map<string, Uint8Array> {
  const entries = new Map<string, Entry>();
  let failure: CheckpointError | null = null;
  const unzip = new Unzip((file) => {
    const limit = limits[file.name];
    if (limit === undefined || entries.has(file.name)) return; // not asked for (or a duplicate): never inflated
    const entry: Entry = { limit, chunks: [], length: 0, file, done: false };
    entries.set(file.name, entry);
    file.ondata = (error, chunk, final) => {
      if (error) failure ??= new CheckpointError(`${file.name} cannot be unpacked (${error.message})`);
      else if ((entry.length += chunk.length) > entry.limit) {
        failure ??= new CheckpointError(
          `${file.name} holds more than the ${entry.limit.toLocaleString('en-US')} bytes it should`,
        );
      } else entry.chunks.push(chunk);
      if (failure) file.terminate();
      entry.done = final || failure !== null;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length && !failure; at += SLICE) {
      unzip.push(zip.subarray(at, at + SLICE), at + SLICE >= zip.length);
    }
  } catch (error) {
    failure ??= new CheckpointError(`the zip is damaged (${error instanceof Error ? error.message : error})`);
  }
  if (failure) throw failure;
  const found = new Map<string, Uint8Array>();
  for (const [name, e] of entries) {
    if (!e.done) throw new CheckpointError(`${name} is cut short: the zip is truncated`);
    found.set(name, join(e.chunks, e.length));
  }
  return found;
}
