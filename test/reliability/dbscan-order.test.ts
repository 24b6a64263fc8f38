// Issue 7's DBSCAN invariant: reordering the points does not change the clusters of core points
// (labels are compared up to renumbering; border points may go to either neighbouring cluster,
// as in scikit-learn). Checked on both neighbourhood paths: the 2-D grid and the pairwise scan, and
// against an independent reference written here from the definition (core points within eps of each
// other are one cluster: connected components by union-find; a non-core point with no core point
// within eps is noise), so the implementation is not only compared with itself. Fixed seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dbscan } from '../../src/core/cluster';

function corePoints(data: Float64Array, n: number, d: number, eps: number, minSamples: number): boolean[] {
  return Array.from({ length: n }, (_, i) => {
    let count = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (data[i * d + k] - data[j * d + k]) ** 2;
      if (s <= eps * eps) count++;
    }
    return count >= minSamples;
  });
}

/** Same partition of the core points: two core points share a label in one run iff in the other. */
function sameCorePartition(a: Int32Array, b: Int32Array, core: boolean[]): boolean {
  const mapAB = new Map<number, number>();
  const mapBA = new Map<number, number>();
  for (let i = 0; i < core.length; i++) {
    if (!core[i]) continue;
    if (a[i] < 0 || b[i] < 0) return false;
    if ((mapAB.get(a[i]) ?? b[i]) !== b[i] || (mapBA.get(b[i]) ?? a[i]) !== a[i]) return false;
    mapAB.set(a[i], b[i]);
    mapBA.set(b[i], a[i]);
  }
  return true;
}

/** DBSCAN from its definition, for core points and noise only (border points may go either way). */
function referenceLabels(data: Float64Array, n: number, d: number, eps: number, core: boolean[]): Int32Array {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const near = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (data[i * d + k] - data[j * d + k]) ** 2;
    return s <= eps * eps;
  };
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (core[i] && core[j] && near(i, j)) parent[find(i)] = find(j);
  const labels = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (core[i]) labels[i] = find(i);
    else for (let j = 0; j < n; j++) if (core[j] && near(i, j)) { labels[i] = find(j); break; }
  }
  return labels;
}

for (const d of [2, 5]) {
  test(`DBSCAN core-point clusters do not depend on the order of the points (${d} dims)`, () => {
    fc.assert(fc.property(
      fc.integer({ min: 3, max: 60 }).chain((n) => fc.tuple(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: n * d, maxLength: n * d }),
        fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
      )),
      fc.constantFrom(3, 5, 8),
      fc.integer({ min: 2, max: 5 }),
      ([grid, order], eps, minSamples) => {
        const n = order.length;
        const data = Float64Array.from(grid, (v) => v / 2);
        const shuffled = new Float64Array(n * d);
        order.forEach((from, to) => shuffled.set(data.subarray(from * d, (from + 1) * d), to * d));
        const labels = dbscan({ rows: n, cols: d, data }, { eps, minSamples });
        const shuffledLabels = dbscan({ rows: n, cols: d, data: shuffled }, { eps, minSamples });
        const back = new Int32Array(n);
        order.forEach((from, to) => { back[from] = shuffledLabels[to]; });
        const core = corePoints(data, n, d, eps, minSamples);
        assert.ok(sameCorePartition(labels, back, core), `labels ${Array.from(labels)} vs ${Array.from(back)}`);
        // Noise is noise either way: a non-core point is noise iff no core point is within eps.
        for (let i = 0; i < n; i++) if (!core[i]) assert.equal(labels[i] < 0, back[i] < 0);
        // And both agree with the reference from the definition.
        const reference = referenceLabels(data, n, d, eps, core);
        assert.ok(sameCorePartition(labels, reference, core), `labels ${Array.from(labels)} vs reference ${Array.from(reference)}`);
        for (let i = 0; i < n; i++) assert.equal(labels[i] < 0, reference[i] < 0, `point ${i}: noise in one and not the other`);
      },
    ), { numRuns: 200, seed: 4242 });
  });
}
