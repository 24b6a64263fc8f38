import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuadTree } from '../../src/core/layout/quadtree';
import { GradientThreads } from '../../src/core/layout/tsne-helper';
import { attractiveForces, klDivergence, symmetricAttractiveForces, upperStarts } from '../../src/core/layout/forces';
import { letHelperGoFirst } from '../../src/core/layout/helper-thread';
import { symmetrizeKnn } from '../../src/core/layout/affinities';
import { createRandom } from '../../src/core/random';
import { NEAR_BATCH, useJavaScriptNearField } from '../../src/core/layout/near-field';
import { Attraction, attractionArena } from '../../src/core/layout/attraction';

/** A t-SNE-like layout: dense clusters of different sizes, some exact duplicates. */
function layout(n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 7;
    y[2 * i] = 10 * Math.cos(c) + (0.3 + c / 3) * random.gaussian();
    y[2 * i + 1] = 10 * Math.sin(c) + (0.3 + c / 3) * random.gaussian();
  }
  for (let i = 0; i < 30; i++) { y[2 * (n - 1 - i)] = y[0]; y[2 * (n - 1 - i) + 1] = y[1]; }
  return y;
}

/** Σ_j q_ij and Σ_j q_ij² (y_i − y_j) over all j at a different position, by brute force. */
function exactRepulsion(y: Float64Array, n: number): { negF: Float64Array; pointZ: Float64Array } {
  const negF = new Float64Array(2 * n), pointZ = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
      const d2 = dx * dx + dy * dy;
      if (d2 === 0) continue;
      const q = 1 / (1 + d2);
      pointZ[i] += q; negF[2 * i] += q * q * dx; negF[2 * i + 1] += q * q * dy;
    }
  }
  return { negF, pointZ };
}

function repulsion(y: Float64Array, n: number, theta: number): { negF: Float64Array; pointZ: Float64Array } {
  const tree = new QuadTree(n);
  tree.build(y);
  const negF = new Float64Array(2 * n), pointZ = new Float64Array(n);
  tree.repulsion(theta, negF, pointZ, 0, tree.groupCount());
  return { negF, pointZ };
}

const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);

/** A symmetric P from random kNN lists: row i's k neighbours drawn from the `spread(i)` rows after it (wrapping). */
function randomP(n: number, k: number, seed: number, spread: (i: number) => number = () => n - 1) {
  const random = createRandom(seed);
  const indices = new Int32Array(n * k), conditional = new Float64Array(n * k);
  for (let e = 0; e < n * k; e++) { const i = Math.floor(e / k); indices[e] = (i + 1 + Math.floor(random.next() * spread(i))) % n; conditional[e] = random.next(); }
  return symmetrizeKnn(conditional, indices, n, k);
}

test('quadtree repulsion with θ = 0 is the exact sum (duplicates skipped, every point covered once)', () => {
  const n = 1500, y = layout(n, 1);
  const exact = exactRepulsion(y, n), tree = repulsion(y, n, 0);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(tree.pointZ[i] - exact.pointZ[i]) <= 1e-10 * exact.pointZ[i], `Z of point ${i}`);
    assert.ok(Math.abs(tree.negF[2 * i] - exact.negF[2 * i]) <= 1e-10 * (1 + Math.abs(exact.negF[2 * i])), `force x of point ${i}`);
  }
});

test('quadtree repulsion at θ = 0.5 stays within Barnes-Hut accuracy of the exact forces', () => {
  const n = 4000, y = layout(n, 2);
  const exact = exactRepulsion(y, n), tree = repulsion(y, n, 0.5);
  const zExact = sum(exact.pointZ), zTree = sum(tree.pointZ);
  assert.ok(Math.abs(zTree - zExact) / zExact < 5e-3, `Z ${zTree} vs exact ${zExact}`);
  // Relative error of the normalised repulsive force F/Z over all points.
  let err = 0, norm = 0;
  for (let e = 0; e < 2 * n; e++) { err += (tree.negF[e] / zTree - exact.negF[e] / zExact) ** 2; norm += (exact.negF[e] / zExact) ** 2; }
  assert.ok(Math.sqrt(err / norm) < 1e-2, `force error ${Math.sqrt(err / norm)}`);
  // Coarser θ must be less accurate, or the test above could not fail.
  const coarse = repulsion(y, n, 1.5);
  let coarseErr = 0;
  for (let e = 0; e < 2 * n; e++) coarseErr += (coarse.negF[e] / sum(coarse.pointZ) - exact.negF[e] / zExact) ** 2;
  assert.ok(coarseErr > err);
});

test('the helper thread takes part and the forces equal the single-thread ones bit for bit', () => {
  const n = 6000, k = 20, y = layout(n, 3);
  const P = randomP(n, k, 4);
  const threads = new GradientThreads(P, 0.5);
  try {
    const single = new QuadTree(n);
    const negF = new Float64Array(2 * n), pointZ = new Float64Array(n), attractive = new Float64Array(2 * n);
    // The helper joins once its thread has started: keep evaluating until it has done some chunks.
    for (let round = 0; round < 2000 && threads.helperChunks === 0; round++) {
      for (let e = 0; e < 2 * n; e++) y[e] += 1e-3 * Math.sin(round + e);
      threads.y.set(y);
      // Every other round the main thread builds the tree inside compute, while the helper starts on the attraction.
      if (round % 2 === 0) threads.compute(12, true);
      else { threads.tree.build(threads.y); threads.compute(12); }
      single.build(y);
      single.repulsion(0.5, negF, pointZ, 0, single.groupCount());
      attractiveForces(y, attractive, P.rowStart, P.columns, P.values, 12, 0, n);
      assert.deepEqual(threads.negF, negF);
      assert.deepEqual(threads.pointZ, pointZ);
      assert.deepEqual(threads.attractive, attractive);
    }
    assert.ok(threads.helperChunks > 0, 'the helper thread never took a chunk');
  } finally {
    threads.dispose();
  }
});

test('the pairwise attraction equals the row-wise one bit for bit, and needs a symmetric P', () => {
  const n = 3000, k = 25, y = layout(n, 5);
  const P = randomP(n, k, 6);
  const upper = upperStarts(P.rowStart, P.columns, P.values, n);
  assert.ok(upper, 'symmetrizeKnn gives a symmetric P');
  for (const exaggeration of [12, 1]) {
    const rowWise = new Float64Array(2 * n), pairwise = new Float64Array(2 * n).fill(NaN);
    attractiveForces(y, rowWise, P.rowStart, P.columns, P.values, exaggeration, 0, n);
    symmetricAttractiveForces(y, pairwise, P.rowStart, upper, P.columns, P.values, exaggeration, n);
    for (let e = 0; e < 2 * n; e++) assert.ok(Object.is(pairwise[e], rowWise[e]), `entry ${e}: ${pairwise[e]} vs ${rowWise[e]}`);
  }
  // Not symmetric: a value off by one ulp, or an entry without its mirror.
  const values = P.values.slice();
  values[P.rowStart[7]] *= 1 + Number.EPSILON;
  assert.equal(upperStarts(P.rowStart, P.columns, values, n), null);
  const columns = P.columns.slice();
  const row = 9, last = P.rowStart[row + 1] - 1;
  columns[last] = columns[last] + 1 < n && columns[last] + 1 !== row ? columns[last] + 1 : columns[last];
  if (columns[last] !== P.columns[last]) assert.equal(upperStarts(P.rowStart, columns, P.values, n), null);
});

test('the WebAssembly near-field sum equals the JavaScript loop bit for bit (odd groups, a leaf of duplicates past one batch)', () => {
  const n = 3000, y = layout(n, 7);
  // 150 exact duplicates: one leaf, one group, in three kernel calls.
  for (let i = 0; i < 150; i++) { y[2 * (100 + i)] = y[200]; y[2 * (100 + i) + 1] = y[201]; }
  assert.ok(150 > NEAR_BATCH);
  const results = [false, true].map((javascript) => {
    useJavaScriptNearField(javascript);
    try {
      return repulsion(y, n, 0.5);
    } finally {
      useJavaScriptNearField(false);
    }
  });
  for (let e = 0; e < 2 * n; e++) assert.ok(results[0].negF[e] === results[1].negF[e], `force ${e}: ${results[0].negF[e]} vs ${results[1].negF[e]}`);
  for (let i = 0; i < n; i++) assert.ok(results[0].pointZ[i] === results[1].pointZ[i], `Z of point ${i}`);
  // The duplicates do not repel each other: the same force and Z for all of them.
  for (let i = 101; i < 250; i++) assert.equal(results[0].pointZ[i], results[0].pointZ[100]);
});

test('the WebAssembly attraction equals attractiveForces bit for bit, in its own and in a shared arena', () => {
  const n = 2001, k = 30;
  // Rows of different lengths (every third row's neighbours among the next 40), so that paired rows end at different entries.
  const P = randomP(n, k, 8, (i) => (i % 3 === 0 ? 40 : n - 1));
  const y = layout(n, 9);
  for (const shared of [false, true]) {
    const arena = attractionArena(P, shared);
    assert.ok(arena.memory, 'this runtime has WebAssembly SIMD, so the kernel ran');
    const attraction = new Attraction(arena);
    attraction.y.set(y);
    for (const [from, to, exaggeration] of [[0, n, 12], [0, n, 1], [5, 6, 1], [7, 100, 4], [n - 3, n, 1], [9, 9, 1]]) {
      const want = new Float64Array(2 * n).fill(NaN);
      attractiveForces(y, want, P.rowStart, P.columns, P.values, exaggeration, from, to);
      attraction.forces.fill(NaN);
      attraction.rows(from, to, exaggeration);
      for (let e = 0; e < 2 * n; e++) assert.ok(Object.is(attraction.forces[e], want[e]), `${shared ? 'shared' : 'own'} arena, rows ${from}–${to}: entry ${e} ${attraction.forces[e]} vs ${want[e]}`);
    }
  }
});

test('the KL divergence from terms on two threads equals the one-thread sum over P bit for bit', () => {
  const n = 6000, k = 20, y = layout(n, 10);
  const P = randomP(n, k, 11);
  letHelperGoFirst(true);
  const threads = new GradientThreads(P, 0.5);
  try {
    threads.y.set(y);
    for (const [exaggeration, sumQ] of [[12, 1234.5], [1, 9.87e6]]) {
      const want = klDivergence(y, sumQ, P.rowStart, P.columns, P.values, exaggeration);
      const before = threads.helperChunks;
      assert.ok(Object.is(threads.kl(exaggeration, sumQ), want), `exaggeration ${exaggeration}`);
      assert.ok(threads.helperChunks > before, 'the helper computed terms');
    }
  } finally {
    letHelperGoFirst(false);
    threads.dispose();
  }
});
