// kNN with GEMM distance tiles (layout/knn-gemm.ts) returns what the JavaScript search returns: the
// same indices and the same float64 distances, bit for bit, ties (duplicate rows) broken by index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nearestNeighbours, prepareRows, squaredNorms, metricDistance, GEMM_FROM, type Metric } from '../../src/core/layout/knn';
import { gemmCounts } from '../../src/core/linalg';
import { createRandom } from '../../src/core/random';
import { letHelperGoFirst } from '../../src/core/layout/helper-thread';

/** The JavaScript search's arithmetic, by brute force: |a|² + |b|² − 2a·b with the dot summed in order. */
function reference(data: Float64Array, rows: number, cols: number, k: number, metric: Metric) {
  const x = prepareRows({ rows, cols, data }, metric);
  const norms = squaredNorms(x, rows, cols);
  const indices: number[][] = [], distances: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const cand: [number, number][] = [];
    for (let j = 0; j < rows; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < cols; c++) s += x[i * cols + c] * x[j * cols + c];
      cand.push([Math.max(0, norms[i] + norms[j] - 2 * s), j]);
    }
    cand.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    indices.push(cand.slice(0, k).map((c) => c[1]));
    distances.push(cand.slice(0, k).map((c) => metricDistance(c[0], metric)));
  }
  return { indices, distances };
}

for (const [metric, threads] of [['euclidean', 1], ['cosine', 1], ['euclidean', 2], ['cosine', 2]] as [Metric, number][]) {
  test(`GEMM kNN (${metric}, ${threads} thread${threads > 1 ? 's' : ''}) equals the JavaScript search bit for bit, duplicate rows included`, () => {
    const rows = 1500, cols = 24, k = 10;
    assert.ok((rows * rows * cols) / 2 >= GEMM_FROM, 'this size takes the GEMM path');
    const random = createRandom(3);
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = random.gaussian() + (Math.floor(i / cols) % 5);
    // Rows 10–14 are copies of row 3: exact ties, broken by index.
    for (let r = 10; r < 15; r++) data.copyWithin(r * cols, 3 * cols, 4 * cols);
    const before = gemmCounts.onnx + gemmCounts.js;
    // Two threads: the helper takes the first chunk of every tile's scan, however late its thread starts.
    letHelperGoFirst(threads > 1);
    let ours;
    try {
      ours = nearestNeighbours({ rows, cols, data }, k, metric, {}, threads);
    } finally {
      letHelperGoFirst(false);
    }
    assert.ok(gemmCounts.onnx + gemmCounts.js > before, 'tiles went through core/linalg');
    if (threads > 1) assert.ok(ours.helperTiles > 0, 'the helper thread scanned and re-ranked rows');
    else assert.equal(ours.helperTiles, 0);
    const expected = reference(data, rows, cols, k, metric);
    for (let i = 0; i < rows; i++) {
      assert.deepEqual(Array.from(ours.indices.subarray(i * k, (i + 1) * k)), expected.indices[i], `row ${i} indices`);
      for (let t = 0; t < k; t++) assert.ok(Object.is(ours.distances[i * k + t], expected.distances[i][t]), `row ${i} distance ${t}`);
    }
    assert.deepEqual(Array.from(ours.indices.subarray(3 * k, 3 * k + 5)), [10, 11, 12, 13, 14]);
  });
}
