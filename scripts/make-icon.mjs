// Draws media/icon.png (the 128×128 Marketplace icon): a small similarity heatmap under a lens.
// Pure Node (zlib PNG encoder, 4×4 supersampling), so it reruns anywhere without a browser.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const size = 128;
const ss = 4;
const viridis = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const similarity = [
  [4, 3, 1, 0, 1],
  [3, 4, 1, 1, 0],
  [1, 1, 4, 3, 2],
  [0, 1, 3, 4, 2],
  [1, 0, 2, 2, 4],
];

function insideRoundedRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/** Color of one sample point, [r, g, b, a], back to front. */
function sample(x, y) {
  let color = [0, 0, 0, 0];
  if (insideRoundedRect(x, y, 2, 2, 126, 126, 22)) color = [30, 32, 40, 255];
  const grid = { x0: 16, y0: 16, cell: 17, gap: 2 };
  const i = Math.floor((y - grid.y0) / grid.cell);
  const j = Math.floor((x - grid.x0) / grid.cell);
  if (i >= 0 && j >= 0 && i < 5 && j < 5) {
    const lx = x - grid.x0 - j * grid.cell;
    const ly = y - grid.y0 - i * grid.cell;
    if (lx < grid.cell - grid.gap && ly < grid.cell - grid.gap) color = [...viridis[similarity[i][j]], 255];
  }
  const lens = { cx: 82, cy: 82, r: 27, ring: 7 };
  const d = Math.hypot(x - lens.cx, y - lens.cy);
  if (d < lens.r - lens.ring / 2) color = [Math.round(color[0] * 0.55 + 255 * 0.45), Math.round(color[1] * 0.55 + 255 * 0.45), Math.round(color[2] * 0.55 + 255 * 0.45), color[3]];
  if (Math.abs(d - lens.r) <= lens.ring / 2) color = [240, 240, 245, 255];
  // The handle: a thick segment from the ring towards the bottom-right corner.
  const t = ((x - lens.cx) + (y - lens.cy)) / 2;
  const off = Math.abs((x - lens.cx) - (y - lens.cy)) / Math.SQRT2;
  if (t * Math.SQRT2 > lens.r && t * Math.SQRT2 < lens.r + 22 && off <= 5.5) color = [240, 240, 245, 255];
  return color;
}

const rgba = Buffer.alloc(size * size * 4);
for (let py = 0; py < size; py++) {
  for (let px = 0; px < size; px++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < ss; sy++) {
      for (let sx = 0; sx < ss; sx++) {
        const c = sample(px + (sx + 0.5) / ss, py + (sy + 0.5) / ss);
        const a = c[3] / 255;
        acc[0] += c[0] * a; acc[1] += c[1] * a; acc[2] += c[2] * a; acc[3] += a;
      }
    }
    const o = (py * size + px) * 4;
    const alpha = acc[3] / (ss * ss);
    for (let k = 0; k < 3; k++) rgba[o + k] = acc[3] ? Math.round(acc[k] / acc[3]) : 0;
    rgba[o + 3] = Math.round(alpha * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0); header.writeUInt32BE(size, 4);
header[8] = 8; header[9] = 6; // 8-bit RGBA
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
