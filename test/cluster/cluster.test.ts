import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromJson } from '../../src/core/matrix';
import { dbscan, kmeans, summarizeClusters } from '../../src/core/cluster';
import { MechLensError } from '../../src/core/errors';
import { createRandom } from '../../src/core/random';
import fc from 'fast-check';

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/cluster/cluster.json'), 'utf8'));

/** Labels equal up to renaming clusters (noise must stay noise). */
function sameUpToRenumbering(actual: Int32Array, expected: number[]): void {
  assert.equal(actual.length, expected.length);
  const forward = new Map<number, number>(), backward = new Map<number, number>();
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    assert.equal(a === -1, e === -1, `point ${i}: ours ${a}, sklearn ${e}`);
    if (e === -1) continue;
    if (!forward.has(a)) forward.set(a, e);
    if (!backward.has(e)) backward.set(e, a);
    assert.equal(forward.get(a), e, `point ${i}: cluster ${a} maps to two sklearn clusters`);
    assert.equal(backward.get(e), a, `point ${i}: sklearn cluster ${e} maps to two of ours`);
  }
}

for (const c of fixture.dbscan) {
  test(`dbscan ${c.metric} eps=${c.eps} min_samples=${c.minSamples} matches sklearn, border points included`, () => {
    const x = fromJson(c.eps > 1 || c.metric === 'cosine' ? fixture.points20d : fixture.points2d);
    const copy = x.data.slice();
    const labels = dbscan(x, { eps: c.eps, minSamples: c.minSamples, metric: c.metric });
    sameUpToRenumbering(labels, c.labels);
    // sklearn numbers clusters in order of discovery too, so the labels match exactly.
    assert.deepEqual(Array.from(labels), c.labels);
    assert.deepEqual(x.data, copy);
  });
}

test('dbscan on 2-D points uses the grid and agrees with the pairwise path', () => {
  const x = fromJson(fixture.points2d);
  const lifted = { rows: x.rows, cols: 4, data: new Float64Array(x.rows * 4) };
  for (let i = 0; i < x.rows; i++) { lifted.data[i * 4] = x.data[2 * i]; lifted.data[i * 4 + 1] = x.data[2 * i + 1]; }
  assert.deepEqual(dbscan(x, { eps: 0.5, minSamples: 5 }), dbscan(lifted, { eps: 0.5, minSamples: 5 }));
});

test('dbscan rejects bad parameters', () => {
  const x = fromJson(fixture.points2d);
  assert.throws(() => dbscan(x, { eps: 0, minSamples: 5 }), MechLensError);
  assert.throws(() => dbscan(x, { eps: 1, minSamples: 2.5 }), MechLensError);
});

for (const c of fixture.kmeans) {
  test(`kmeans k=${c.k}: inertia at most 1.001 × sklearn's (same seed where the optimum is clear, mean over 10 seeds for k=8)`, () => {
    const x = fromJson(fixture.kmeansPoints);
    const result = kmeans(x, { k: c.k, seed: 0 });
    if (c.k < 8) assert.ok(result.inertia <= 1.001 * c.inertia, `inertia ${result.inertia} vs sklearn ${c.inertia}`);
    else {
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const ours = mean(Array.from({ length: 10 }, (_, seed) => kmeans(x, { k: c.k, seed }).inertia));
      assert.ok(ours <= 1.001 * mean(c.inertiaBySeed), `mean inertia ${ours} vs sklearn ${mean(c.inertiaBySeed)}`);
      assert.ok(result.inertia <= 1.01 * c.inertia, `seed 0: ${result.inertia} vs sklearn ${c.inertia}`);
    }
    // inertia is what the labels and centroids say it is
    let inertia = 0;
    for (let i = 0; i < x.rows; i++) {
      const j = result.labels[i];
      for (let d = 0; d < x.cols; d++) inertia += (x.data[i * x.cols + d] - result.centroids.data[j * x.cols + d]) ** 2;
    }
    assert.ok(Math.abs(inertia - result.inertia) < 1e-6 * inertia);
    assert.equal(result.centroids.rows, c.k);
  });
}

test('kmeans is deterministic for a seed and checks k', () => {
  const x = fromJson(fixture.kmeansPoints);
  assert.deepEqual(kmeans(x, { k: 4, seed: 9 }).labels, kmeans(x, { k: 4, seed: 9 }).labels);
  assert.throws(() => kmeans(x, { k: 0 }), MechLensError);
  assert.throws(() => kmeans(x, { k: 301 }), MechLensError);
  const tiny = kmeans({ rows: 3, cols: 1, data: new Float64Array([0, 0, 5]) }, { k: 3, seed: 1 });
  assert.equal(tiny.inertia, 0);
});

test('summarizeClusters gives members, centroids, mean value and mean |value|', () => {
  const x = { rows: 4, cols: 2, data: new Float64Array([0, 0, 2, 2, 10, 10, -1, -1]) };
  const summary = summarizeClusters(new Int32Array([0, 0, 1, -1]), x, ['a', 'b', 'c', 'd'], [1, -3, 2, 5]);
  assert.deepEqual(summary.map((s) => s.label), [-1, 0, 1]);
  assert.deepEqual(summary[1], { label: 0, members: ['a', 'b'], indices: [0, 1], centroid: [1, 1], meanValue: -1, meanAbsValue: 2 });
  assert.throws(() => summarizeClusters(new Int32Array([0]), x, ['a']), MechLensError);
});

/** The grouping summarizeClusters had before issue 18's rewrite (a Map of pushes): its results must not change. */
function summaryBefore(labels: ArrayLike<number>, x: { rows: number; cols: number; data: Float64Array }, names: string[], values?: number[]) {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < x.rows; i++) {
    const list = byLabel.get(labels[i]);
    if (list) list.push(i); else byLabel.set(labels[i], [i]);
  }
  return [...byLabel.keys()].sort((a, b) => a - b).map((label) => {
    const indices = byLabel.get(label)!;
    const centroid = new Array<number>(x.cols).fill(0);
    for (const i of indices) for (let c = 0; c < x.cols; c++) centroid[c] += x.data[i * x.cols + c];
    for (let c = 0; c < x.cols; c++) centroid[c] /= indices.length;
    const info: Record<string, unknown> = { label, members: indices.map((i) => names[i]), indices, centroid };
    if (values) {
      let sum = 0, abs = 0;
      for (const i of indices) { sum += values[i]; abs += Math.abs(values[i]); }
      info.meanValue = sum / indices.length;
      info.meanAbsValue = abs / indices.length;
    }
    return info;
  });
}

test('summarizeClusters gives exactly the previous grouping, centroids and means', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (n, cols, labelCount, runs, seed) => {
        const random = createRandom(seed);
        const x = { rows: n, cols, data: Float64Array.from({ length: n * cols }, () => 1e3 * random.gaussian()) };
        // Runs of equal labels (DBSCAN on sorted input, or one cluster) and scattered labels, with noise (−1).
        const labels = Int32Array.from({ length: n }, (_, i) => (runs ? Math.floor((i * labelCount) / Math.max(n, 1)) : random.int(labelCount)) - 1);
        const names = Array.from({ length: n }, (_, i) => `p${i}`);
        const values = Array.from({ length: n }, () => random.gaussian());
        assert.deepStrictEqual(summarizeClusters(labels, x, names, values), summaryBefore(labels, x, names, values));
        assert.deepStrictEqual(summarizeClusters(labels, x, names), summaryBefore(labels, x, names));
      },
    ),
    { numRuns: 300, seed: 18 },
  );
  const all = { rows: 3, cols: 1, data: new Float64Array([0.1, 0.2, 0.3]) };
  const names = ['a', 'b', 'c'];
  const one = summarizeClusters(new Int32Array(3), all, names);
  assert.deepStrictEqual(one, [{ label: 0, members: ['a', 'b', 'c'], indices: [0, 1, 2], centroid: [(0.1 + 0.2 + 0.3) / 3] }]);
  assert.notEqual(one[0].members, names, 'one cluster of everything: members are a copy the caller may change');
  assert.throws(() => summarizeClusters(new Int32Array([0]), all, ['a']), MechLensError);
});
