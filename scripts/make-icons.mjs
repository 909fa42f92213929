// Writes the app icons (public/icons/icon-192.png, icon-512.png, icon.svg): a blue rounded square
// with a white ink stroke, a sine wave that settles, like a loss curve learning. PNGs are drawn
// pixel by pixel and encoded with node:zlib, so no image library is needed. Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [29, 78, 216];
const stroke = (u) => 0.5 + 0.22 * Math.exp(-2.2 * u) * Math.sin(u * Math.PI * 5); // y of the wave at x = u, 0-1

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size) {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  const r = size * 0.18; // corner radius
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const dx = Math.max(r - x, x - (size - 1 - r), 0);
      const dy = Math.max(r - y, y - (size - 1 - r), 0);
      const inside = Math.hypot(dx, dy) <= r;
      const u = (x - size * 0.15) / (size * 0.7);
      const onStroke = u >= 0 && u <= 1 && Math.abs(y / size - stroke(u)) < 0.045;
      const px = onStroke ? [255, 255, 255, 255] : inside ? [...BLUE, 255] : [0, 0, 0, 0];
      Buffer.from(px).copy(rows, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const points = Array.from({ length: 41 }, (_, i) => {
    const u = i / 40;
    return `${(15 + 70 * u).toFixed(1)},${(100 * stroke(u)).toFixed(1)}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="18" fill="rgb(${BLUE})"/><polyline points="${points.join(' ')}" fill="none" stroke="#fff" stroke-width="9" stroke-linecap="round" stroke-linejoin="round"/></svg>\n`;
}

mkdirSync('public/icons', { recursive: true });
for (const size of [192, 512]) writeFileSync(`public/icons/icon-${size}.png`, png(size));
writeFileSync('public/icons/icon.svg', svg());
console.log('wrote public/icons/icon-192.png, icon-512.png, icon.svg');
