/**
 * Writes a zip from entries whose stored bytes and declared sizes the test chooses, as a hostile
 * file would have them: a padding entry can declare anything, a deflated entry can lie about the
 * size it inflates to. (fflate writes only honest zips.)
 */
import { deflateSync, unzipSync, Deflate } from 'fflate';
import { crc32 } from '../../../src/storage/crc32';

export interface RawEntry {
  name: string;
  stored: Uint8Array; // the bytes in the zip (deflated when method is 8)
  method: 0 | 8;
  crc: number;
  size: number; // the uncompressed size the headers declare
}

/** An honest deflated entry for `data`. */
export const deflated = (name: string, data: Uint8Array): RawEntry => ({
  name,
  stored: deflateSync(data),
  method: 8,
  crc: crc32(data),
  size: data.length,
});

/** `megabytes` MB of zeros, deflated in 1 MB pieces (never holding them all at once). */
export function deflatedZeros(megabytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const deflate = new Deflate((chunk) => parts.push(chunk));
  const mb = new Uint8Array(2 ** 20);
  for (let i = 0; i < megabytes; i++) deflate.push(mb, i === megabytes - 1);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** The entries of an honest zip, re-deflated one by one, in order. */
export const entriesOf = (zip: Uint8Array): RawEntry[] =>
  Object.entries(unzipSync(zip)).map(([n, d]) => deflated(n, d));

export function craftZip(entries: RawEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const local = new DataView(new ArrayBuffer(30));
    [
      [0, 0x04034b50, 4],
      [4, 20, 2],
      [8, e.method, 2],
      [12, 0x21, 2],
      [14, e.crc, 4],
      [18, e.stored.length, 4],
      [22, e.size, 4],
      [26, name.length, 2],
    ].forEach(([at, v, n]) => (n === 4 ? local.setUint32(at, v >>> 0, true) : local.setUint16(at, v, true)));
    const dir = new DataView(new ArrayBuffer(46));
    [
      [0, 0x02014b50, 4],
      [4, 20, 2],
      [6, 20, 2],
      [10, e.method, 2],
      [14, 0x21, 2],
      [16, e.crc, 4],
      [20, e.stored.length, 4],
      [24, e.size, 4],
      [28, name.length, 2],
      [42, offset, 4],
    ].forEach(([at, v, n]) => (n === 4 ? dir.setUint32(at, v >>> 0, true) : dir.setUint16(at, v, true)));
    chunks.push(new Uint8Array(local.buffer), name, e.stored);
    central.push(new Uint8Array(dir.buffer), name);
    offset += 30 + name.length + e.stored.length;
  }
  const dirSize = central.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, dirSize, true);
  end.setUint32(16, offset, true);
  const parts = [...chunks, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
