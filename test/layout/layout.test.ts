import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fromJson, type Matrix } from '../../src/core/matrix';
import { pca } from '../../src/core/layout/pca';
import { tsne } from '../../src/core/layout/tsne';
import { trustworthiness } from '../../src/core/layout/trustworthiness';
import { nearestNeighbours } from '../../src/core/layout/knn';
import { binarySearchPerplexity, symmetrizeKnn } from '../../src/core/layout/affinities';
import { perplexityOnTwoThreads } from '../../src/core/layout/tsne-helper';
import { letHelperGoFirst } from '../../src/core/layout/helper-thread';
import { umap } from '../../src/core/layout/umap';
import { createRandom } from '../../src/core/random';
import { MechLensError, CancelledError } from '../../src/core/errors';

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/layout/layout.json'), 'utf8'));
const X = fromJson(fixture.X);
const wide = fromJson(fixture.wide);

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs sklearn ${expected[i]}`);
  }
}

test('pca matches sklearn PCA: coords, components (svd_flip signs) and explained variance', () => {
  const copy = X.data.slice();
  const result = pca(X, { components: 3 });
  close(result.coords.data, fixture.pca.coords.flat(), 1e-8, 'coords');
  close(result.components.data, fixture.pca.components.flat(), 1e-8, 'components');
  close(result.explainedVariance, fixture.pca.explainedVariance, 1e-10, 'explained variance');
  close(result.explainedVarianceRatio, fixture.pca.explainedVarianceRatio, 1e-10, 'ratio');
  assert.deepEqual(X.data, copy, 'input not mutated');
});

test('pca on many columns: covariance and randomized SVD match sklearn; auto takes the exact solver when cheap', () => {
  const exact = pca(wide, { components: 2, solver: 'covariance' });
  close(exact.coords.data, fixture.widePca.coords.flat(), 1e-8, 'covariance coords');
  close(exact.components.data, fixture.widePca.components.flat(), 1e-8, 'covariance components');
  // This spectrum is flat at the top (39.4 vs 38.1), the hard case for power iterations: sklearn's
  // default 7 iterations get the variances but not yet the exact directions; more iterations do.
  const quick = pca(wide, { components: 2, solver: 'randomized', seed: 3 });
  assert.equal(quick.solver, 'randomized');
  close(quick.explainedVariance, fixture.widePca.explainedVariance, 1e-3, 'randomized (7 iterations) explained variance');
  const converged = pca(wide, { components: 2, solver: 'randomized', seed: 3, powerIterations: 40 });
  close(converged.coords.data, fixture.widePca.coords.flat(), 1e-6, 'randomized (40 iterations) coords');
  close(converged.components.data, fixture.widePca.components.flat(), 1e-6, 'randomized (40 iterations) components');
  const auto = pca(wide, { components: 2 });
  assert.equal(auto.solver, 'covariance');
  close(auto.coords.data, fixture.widePca.coords.flat(), 1e-8, 'auto solver coords');
});

test('pca of float32 input with a large offset: centring inside the products loses nothing', () => {
  const random = createRandom(11);
  const rows = 301, cols = 37;
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) data[i * cols + c] = 100 + (c % 3 === 0 ? 3 : 1) * random.gaussian();
  const x: Matrix = { rows, cols, data };
  const exact = pca(x, { components: 3, solver: 'covariance' });
  const randomized = pca(x, { components: 3, solver: 'randomized', powerIterations: 60 });
  close(randomized.explainedVariance, Array.from(exact.explainedVariance), 1e-9, 'explained variance');
  close(randomized.coords.data, Array.from(exact.coords.data), 1e-5, 'coords (same signs by svd_flip)');
});

test('pca rejects impossible component counts', () => {
  assert.throws(() => pca(X, { components: 13 }), MechLensError);
});

test('trustworthiness equals sklearn.manifold.trustworthiness', () => {
  const Y = fromJson(fixture.embedded);
  assert.ok(Math.abs(trustworthiness(X, Y, 5) - fixture.trustworthiness.euclidean5) < 1e-12);
  assert.ok(Math.abs(trustworthiness(X, Y, 10) - fixture.trustworthiness.euclidean10) < 1e-12);
  assert.ok(Math.abs(trustworthiness(X, Y, 10, 'cosine') - fixture.trustworthiness.cosine10) < 1e-12);
  assert.throws(() => trustworthiness(X, Y, 100), MechLensError);
  // The GEMM distances of large inputs give the same value on the fixture.
  for (const [k, metric, want] of [[5, 'euclidean', fixture.trustworthiness.euclidean5], [10, 'cosine', fixture.trustworthiness.cosine10]] as const) {
    assert.ok(Math.abs(trustworthiness(X, Y, k, metric, true) - want) < 1e-12, `${metric} ${k} on the GEMM`);
  }
});

test('trustworthiness on GEMM distances equals the JavaScript tiles on a larger random map', () => {
  const random = createRandom(12);
  const n = 1200, d = 96;
  const x: Matrix = { rows: n, cols: d, data: new Float32Array(n * d).map((_, e) => random.gaussian() + (Math.floor(e / d) % 4)) };
  const y: Matrix = { rows: n, cols: 2, data: Float64Array.from({ length: 2 * n }, (_, e) => random.gaussian() + (Math.floor(e / 2) % 4)) };
  const js = trustworthiness(x, y, 10, 'euclidean', false), onGemm = trustworthiness(x, y, 10, 'euclidean', true);
  assert.ok(js > 0.5 && js < 1, `trustworthiness ${js}`);
  assert.ok(Math.abs(onGemm - js) < 1e-12, `${onGemm} vs ${js}`);
});

test('nearestNeighbours is exact against brute force', () => {
  const random = createRandom(5);
  const n = 157, d = 9;
  const data = new Float32Array(n * d).map(() => random.gaussian());
  const m: Matrix = { rows: n, cols: d, data };
  const { indices, distances } = nearestNeighbours(m, 7, 'euclidean');
  for (let i = 0; i < n; i++) {
    const all = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (data[i * d + c] - data[j * d + c]) ** 2;
      all.push({ j, dist: Math.sqrt(s) });
    }
    all.sort((a, b) => a.dist - b.dist);
    for (let t = 0; t < 7; t++) {
      assert.equal(indices[i * 7 + t], all[t].j);
      assert.ok(Math.abs(distances[i * 7 + t] - all[t].dist) < 1e-9);
    }
  }
});

test('nearestNeighbours on two threads equals one thread, ties (duplicate rows) included, and the helper took tiles', () => {
  const random = createRandom(6);
  // d = 8: below knn.ts GEMM_MIN_COLUMNS, so this is the JS search with its helper thread.
  const n = 3000, d = 8;
  const data = new Float32Array(n * d).map(() => Math.round(3 * random.gaussian()));
  for (let i = 0; i < 200; i++) data.copyWithin(i * 7 * d, 5 * d, 6 * d); // many exact duplicates of row 5
  const m: Matrix = { rows: n, cols: d, data };
  const one = nearestNeighbours(m, 15, 'euclidean', {}, 1);
  // The helper takes the first tile, however late its thread starts on a loaded machine.
  letHelperGoFirst(true);
  try {
    const two = nearestNeighbours(m, 15, 'euclidean', {}, 2);
    assert.equal(one.helperTiles, 0);
    assert.ok(two.helperTiles > 0, 'the helper thread took tiles');
    assert.deepEqual(two.indices, one.indices);
    assert.deepEqual(two.distances, one.distances);
  } finally {
    letHelperGoFirst(false);
  }
});

for (const method of ['barnes-hut', 'exact'] as const) {
  for (const metric of ['euclidean', 'cosine'] as const) {
    test(`tsne ${method} ${metric}: KL and trustworthiness close to sklearn's`, () => {
      const reference = fixture.tsne[`${method === 'exact' ? 'exact' : 'barnes_hut'}/${metric}`];
      const result = tsne(X, { perplexity: 20, method, metric, seed: 0 });
      const trust = trustworthiness(X, result.coords, 10, metric);
      assert.equal(result.method, method);
      assert.ok(Math.abs(result.kl - reference.kl[0]) < 0.05 + 0.1 * reference.kl[0], `KL ${result.kl} vs sklearn ${reference.kl[0]}`);
      assert.ok(trust >= reference.trustworthiness[0] - 0.01, `trustworthiness ${trust} vs sklearn ${reference.trustworthiness[0]}`);
    });
  }
}

test('tsne is deterministic for a seed and reports iterations', () => {
  const seen: number[] = [];
  const a = tsne(X, { seed: 4, init: 'random', iterations: 300 }, { onIteration: (iteration, kl, coords) => { seen.push(iteration); assert.equal(coords.length, 400); assert.ok(Number.isFinite(kl)); } });
  const copy = X.data.slice();
  const b = tsne(X, { seed: 4, init: 'random', iterations: 300 });
  assert.deepEqual(X.data, copy, 'input not mutated');
  const c = tsne(X, { seed: 5, init: 'random', iterations: 300 });
  assert.deepEqual(a.coords.data, b.coords.data);
  assert.notDeepEqual(a.coords.data, c.coords.data);
  assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => 25 * (i + 1)));
});

test('tsne can be cancelled between iterations', () => {
  const controller = new AbortController();
  assert.throws(() => tsne(X, { method: 'barnes-hut' }, { signal: controller.signal, onIteration: (i) => { if (i >= 50) controller.abort(); } }), CancelledError);
});

test('tsne on its default two threads: cancelled mid-way, then the same map as one thread', () => {
  const random = createRandom(13);
  const n = 600, d = 6;
  const x = { rows: n, cols: d, data: Float64Array.from({ length: n * d }, (_, e) => (Math.floor(e / d) % 4) * 4 + random.gaussian()) };
  const options = { seed: 2, iterations: 260 };
  const one = tsne(x, { ...options, threads: 1 });
  const controller = new AbortController();
  assert.throws(() => tsne(x, options, { signal: controller.signal, onIteration: (i) => { if (i >= 50) controller.abort(); } }), CancelledError);
  // The helper thread left by the cancelled run serves the next one.
  const two = tsne(x, options);
  assert.equal(two.threads, Math.min(2, availableParallelism()));
  assert.deepEqual(two.coords.data, one.coords.data);
  assert.equal(two.kl, one.kl);
});

test('tsne handles degenerate inputs: one, two, duplicate points, perplexity too large, NaN', () => {
  const one = tsne({ rows: 1, cols: 3, data: new Float64Array([1, 2, 3]) });
  assert.deepEqual(Array.from(one.coords.data), [0, 0]);
  const two = tsne({ rows: 2, cols: 3, data: new Float64Array([1, 2, 3, 4, 5, 6]) }, { perplexity: 30 });
  assert.equal(two.coords.rows, 2);
  assert.ok(two.warnings.some((w) => w.includes('perplexity')));
  assert.ok(Array.from(two.coords.data).every(Number.isFinite));
  const dup = new Float64Array(40 * 4);
  for (let i = 0; i < 40; i++) dup.set(i < 20 ? [1, 1, 1, 1] : [i, -i, 2, 0], i * 4);
  for (const method of ['exact', 'barnes-hut'] as const) {
    const r = tsne({ rows: 40, cols: 4, data: dup }, { perplexity: 5, method });
    assert.ok(Array.from(r.coords.data).every(Number.isFinite), `${method} finite with duplicates`);
  }
  const same = tsne({ rows: 10, cols: 2, data: new Float64Array(20).fill(3) }, { perplexity: 3 });
  assert.ok(same.warnings.some((w) => w.includes('random init')));
  assert.ok(Array.from(same.coords.data).every(Number.isFinite));
  assert.throws(() => tsne({ rows: 2, cols: 1, data: new Float64Array([1, NaN]) }), /value NaN at row 2, column 1 is not a finite number/);
  assert.throws(() => tsne({ rows: 0, cols: 1, data: new Float64Array(0) }), MechLensError);
});

test('umap is seeded and separates clusters', async () => {
  const a = await umap(X, { seed: 1, epochs: 100 });
  const b = await umap(X, { seed: 1, epochs: 100 });
  assert.deepEqual(a.data, b.data);
  assert.ok(trustworthiness(X, a, 10) > 0.85);
});

/** symmetrizeKnn as first written: every entry and its mirror in insertion order, a stable sort per row, duplicates merged. */
function symmetrizeBySorting(conditional: Float64Array, indices: Int32Array, n: number, k: number): { rowStart: Int32Array; columns: Int32Array; values: Float64Array } {
  const rows: { col: number; val: number }[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const e = i * k + t, j = indices[e];
      rows[i].push({ col: j, val: conditional[e] });
      rows[j].push({ col: i, val: conditional[e] });
    }
  }
  const rowStart = new Int32Array(n + 1), columns: number[] = [], values: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    rowStart[i] = columns.length;
    for (const { col, val } of rows[i].sort((a, b) => a.col - b.col)) {
      if (columns.length > rowStart[i] && columns[columns.length - 1] === col) values[values.length - 1] += val;
      else { columns.push(col); values.push(val); }
      total += val;
    }
  }
  rowStart[n] = columns.length;
  const scale = 1 / total;
  return { rowStart, columns: Int32Array.from(columns), values: Float64Array.from(values, (v) => v * scale) };
}

test('symmetrizeKnn equals the sort-based symmetrisation bit for bit, repeats and self-loops included', () => {
  const random = createRandom(11);
  for (const [n, k, spread] of [[300, 12, 300], [200, 15, 20], [50, 49, 50]]) {
    const indices = new Int32Array(n * k), conditional = new Float64Array(n * k);
    // Neighbours drawn near the row (so many pairs are mutual), with some repeats and self-loops.
    for (let e = 0; e < n * k; e++) { indices[e] = (Math.floor(e / k) + Math.floor(random.next() * spread)) % n; conditional[e] = random.next() / k; }
    const fast = symmetrizeKnn(conditional, indices, n, k);
    const slow = symmetrizeBySorting(conditional, indices, n, k);
    assert.deepEqual(fast.rowStart, slow.rowStart);
    assert.deepEqual(fast.columns, slow.columns);
    for (let e = 0; e < slow.values.length; e++) assert.ok(Object.is(fast.values[e], slow.values[e]), `value ${e}: ${fast.values[e]} vs ${slow.values[e]}`);
  }
});

test('the perplexity search on two threads equals the one-thread search bit for bit', () => {
  const random = createRandom(12);
  const n = 3000, k = 31;
  const squared = Float64Array.from({ length: n * k }, () => 50 * random.next() ** 2);
  const one = binarySearchPerplexity(squared, n, k, 10, false);
  // Twice: the second call finds the helper thread started (and parked) by the first.
  for (let round = 0; round < 2; round++) assert.deepEqual(perplexityOnTwoThreads(squared, n, k, 10), one);
});
