// The README's screenshot table: every picture it links exists, and each sits in the column of the
// theme it was taken in. Screenshots are named NAME.png in the dark theme and NAME-light.png in the
// light one; the first pixel (the page's background) is checked too, so a test that writes a dark page
// under a light name (as the HTML report's once did) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Relative luminance (0–1) of a PNG's first pixel, from the first IDAT chunk only. */
function firstPixelLuminance(file: string): number {
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`);
  let at = 8;
  let channels = 0;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      assert.equal(data[8], 8, `${file}: 8-bit channels expected`);
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9]] ?? 0;
      assert.ok(channels, `${file}: colour type ${data[9]} (palette) is not read here`);
    }
    if (type === 'IDAT') {
      // The first row's first pixel is stored as is under every filter (no left or upper neighbour).
      const row = zlib.inflateSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      const [r, g, b] = channels >= 3 ? [row[1], row[2], row[3]] : [row[1], row[1], row[1]];
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    }
    at += 12 + length;
  }
  throw new Error(`${file}: no image data`);
}

test('every screenshot the README links exists', () => {
  const linked = [...readme.matchAll(/\((docs\/screenshots\/[^)\s]+\.png)\)/g)].map((m) => m[1]);
  assert.ok(linked.length > 20, `found ${linked.length} links`);
  for (const file of linked) assert.ok(existsSync(join(root, file)), `${file} is linked from the README but missing`);
});

test('the Dark | Light table: NAME.png under Dark, NAME-light.png under Light, each a picture of its theme', () => {
  const rows = readme.split('\n').filter((line) => /^\| .+ \| !\[.*\]\(docs\/screenshots\/.+\) \| !\[.*\]\(docs\/screenshots\/.+\) \|$/.test(line));
  assert.ok(rows.length >= 20, `found ${rows.length} rows`);
  for (const row of rows) {
    const [dark, light] = [...row.matchAll(/\((docs\/screenshots\/[^)]+\.png)\)/g)].map((m) => m[1]);
    assert.doesNotMatch(dark, /-(light|dark)\.png$/, `${row.split('|')[1].trim()}: the dark picture is NAME.png`);
    assert.equal(light, dark.replace(/\.png$/, '-light.png'), `${row.split('|')[1].trim()}: the light picture is the dark one's name with -light`);
    assert.ok(firstPixelLuminance(join(root, dark)) < 0.5, `${dark} is under Dark but is a light picture`);
    assert.ok(firstPixelLuminance(join(root, light)) > 0.5, `${light} is under Light but is a dark picture`);
  }
});
