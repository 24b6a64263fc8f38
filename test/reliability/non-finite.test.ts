// NaN and ±Infinity reach no computation silently: every core entry point that takes a matrix (the
// extension calls them directly, not through the CLI's file reader) stops with one MechLensError that
// names the input, the row and the column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MechLensError } from '../../src/core/errors';
import { pca } from '../../src/core/layout/pca';
import { tsne } from '../../src/core/layout/tsne';
import { umap } from '../../src/core/layout/umap';
import { dbscan } from '../../src/core/cluster/dbscan';
import { kmeans } from '../../src/core/cluster/kmeans';
import { finiteWarning, findNonFinite, requireFinite } from '../../src/core/finite';
import { createRandom } from '../../src/core/random';

function withBad(value: number): { rows: number; cols: number; data: Float64Array } {
  const random = createRandom(1);
  const data = new Float64Array(30 * 4).map(() => random.gaussian());
  data[7 * 4 + 1] = value;
  return { rows: 30, cols: 4, data };
}

test('PCA, t-SNE, UMAP, DBSCAN and k-means refuse NaN and ±Infinity, naming the input, row and column', async () => {
  for (const value of [NaN, Infinity, -Infinity]) {
    const x = withBad(value);
    const runs: [string, () => unknown][] = [
      ['PCA input', () => pca(x)],
      ['t-SNE input', () => tsne(x, { perplexity: 5, iterations: 250 })],
      ['DBSCAN input', () => dbscan(x, { eps: 1, minSamples: 3 })],
      ['k-means input', () => kmeans(x, { k: 3 })],
    ];
    for (const [input, run] of runs) {
      assert.throws(run, (e: unknown) => e instanceof MechLensError && e.input === input && e.message.includes(`value ${value} at row 8, column 2 is not a finite number`), `${input} ${value}`);
    }
    await assert.rejects(umap(x), (e: unknown) => e instanceof MechLensError && e.input === 'UMAP input');
  }
});

test('requireFinite counts every bad value; finiteWarning skips masked attention scores only', () => {
  assert.throws(() => requireFinite({ rows: 2, cols: 2, data: [NaN, 1, 2, NaN] }, 'x'), /row 1, column 1 .*\(2 non-finite values in all\)/);
  assert.doesNotThrow(() => requireFinite({ rows: 1, cols: 3, data: [0, -1e308, 5e-324] }, 'x'));
  assert.equal(finiteWarning(Float32Array.of(-Infinity, 1), 2, 'blocks.0.attn.hook_attn_scores', 'm'), undefined);
  assert.match(finiteWarning(Float32Array.of(-Infinity, 1), 2, 'blocks.0.hook_resid_post', 'm') ?? '', /^blocks\.0\.hook_resid_post: 1 of 2 values/);
  assert.match(finiteWarning(Float32Array.of(NaN, 1), 2, 'blocks.0.attn.hook_attn_scores', 'm') ?? '', /NaN/);
});

test('float32 arrays: the bit test finds NaN (any payload), ±Infinity and passes the extremes of the finite range', () => {
  const finite = Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -0, 0, 1, -1e-40);
  assert.equal(findNonFinite(finite, 7), undefined);
  const bits = new Uint32Array(1000);
  const data = new Float32Array(bits.buffer);
  for (const bad of [0x7fc00000, 0xffc00001, 0x7f800001, 0x7f800000, 0xff800000]) {
    data.fill(0.5);
    bits[613] = bad;
    const found = findNonFinite(data, 10);
    assert.deepEqual(found && { row: found.row, col: found.col, count: found.count }, { row: 61, col: 3, count: 1 }, `bits ${bad.toString(16)}`);
  }
  // A view at an offset into a larger buffer reads its own values only.
  data.fill(1); bits[0] = 0x7f800000;
  assert.equal(findNonFinite(data.subarray(1), 1), undefined);
});
