// Invariants of src/core/stats over generated inputs (issue 7): symmetry, ranges, invariance to
// reordering, no mutation of inputs, and no NaN anywhere: degenerate inputs give null or a MechLensError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MechLensError } from '../../src/core/errors';
import type { Matrix } from '../../src/core/matrix';
import {
  averageRanks, benjaminiHochberg, bonferroni, cosineAgreement, cosineBetween, cosineSimilarityMatrix, gramMatrix, histogram, labelPermutationCheck, pearson,
  representationalSimilarity, rsaByCategory, selectivityIndex, spearman, twoSampleTTest, withinBetweenValues,
} from '../../src/core/stats';

const RUNS = { numRuns: 150, seed: 7 };

/** Small values with many ties, exact zeros and whole zero rows: the cases that produce NaN if mishandled. */
const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -5, max: 5, noNaN: true }));
const matrixOf = (minRows: number, maxRows: number, maxCols = 6) =>
  fc.integer({ min: 1, max: maxCols }).chain((cols) =>
    fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { minLength: minRows, maxLength: maxRows })
      .map((rows): Matrix<Float64Array> => ({ rows: rows.length, cols, data: Float64Array.from(rows.flat()) })));

function assertNoNaN(value: unknown, where: string): void {
  JSON.stringify(value, (key, v) => {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${where}: ${key} is ${v}`);
    if (ArrayBuffer.isView(v)) for (const x of v as unknown as number[]) assert.ok(Number.isFinite(x), `${where}: ${key} has ${x}`);
    return ArrayBuffer.isView(v) ? undefined : v;
  });
}

const clone = (m: Matrix): Matrix => ({ rows: m.rows, cols: m.cols, data: m.data.slice() });

test('cosine matrix is symmetric, within [-1, 1], with a unit diagonal; zero rows are reported, never NaN', () => {
  fc.assert(fc.property(matrixOf(0, 10), (x) => {
    const { similarity: s, zeroRows } = cosineSimilarityMatrix(x);
    const n = x.rows;
    for (let i = 0; i < n; i++) {
      assert.equal(s.data[i * n + i], 1);
      const isZero = x.data.subarray(i * x.cols, (i + 1) * x.cols).every((v) => v === 0);
      assert.equal(zeroRows.includes(i), isZero);
      for (let j = 0; j < n; j++) {
        assert.equal(s.data[i * n + j], s.data[j * n + i]);
        assert.ok(s.data[i * n + j] >= -1 && s.data[i * n + j] <= 1);
        if (isZero && i !== j) assert.equal(s.data[i * n + j], 0);
      }
    }
  }), RUNS);
});

test('blocked cosine and Gram kernels agree with one dot product at a time across block edges', () => {
  fc.assert(fc.property(fc.integer({ min: 60, max: 140 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (rows, cols, seed) => {
    let state = seed >>> 0;
    const next = () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 2 ** 32 - 0.5; };
    const x: Matrix<Float64Array> = { rows, cols, data: Float64Array.from({ length: rows * cols }, next) };
    const cos = cosineSimilarityMatrix(x).similarity.data, gram = gramMatrix(x).data;
    const rowOf = (i: number) => x.data.subarray(i * cols, (i + 1) * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < rows; j++) {
        let dot = 0;
        for (let k = 0; k < cols; k++) dot += rowOf(i)[k] * rowOf(j)[k];
        assert.ok(Math.abs(gram[i * rows + j] - dot) <= 1e-12, `gram ${i},${j}`);
        if (i !== j) assert.ok(Math.abs(cos[i * rows + j] - cosineBetween(rowOf(i), rowOf(j))!) <= 1e-12, `cos ${i},${j}`);
      }
    }
  }), { numRuns: 12, seed: 3 });
});

test('RSA is symmetric in its arguments and its permutation p-value lies in (0, 1]', () => {
  fc.assert(fc.property(matrixOf(3, 9).chain((a) => matrixOf(a.rows, a.rows).map((b) => [a, b] as const)),
    fc.integer({ min: 0, max: 1000 }), ([va, vb], seed) => {
      const a = cosineSimilarityMatrix(va).similarity, b = cosineSimilarityMatrix(vb).similarity;
      let ab, ba;
      try {
        ab = representationalSimilarity(a, b, { permutations: 30, seed });
        ba = representationalSimilarity(b, a, { permutations: 30, seed });
      } catch (error) {
        // Only a constant similarity triangle makes RSA undefined, and then both orders say so.
        assert.ok(error instanceof MechLensError, String(error));
        assert.throws(() => representationalSimilarity(b, a, { permutations: 0 }), MechLensError);
        return;
      }
      for (const k of ['pearson', 'spearman', 'cosine'] as const) assert.ok(Math.abs(ab[k] - ba[k]) <= 1e-12, `${k} ${ab[k]} ${ba[k]}`);
      for (const r of [ab, ba]) {
        assert.ok(r.pValue! > 0 && r.pValue! <= 1);
        assert.ok(r.pValue! >= 1 / 31);
        assertNoNaN(r, 'rsa');
      }
    }), RUNS);
});

test('pearson, spearman and cosine agreement are symmetric and in [-1, 1] or null', () => {
  fc.assert(fc.property(fc.array(fc.tuple(value, value), { maxLength: 30 }), (pairs) => {
    const x = pairs.map((p) => p[0]), y = pairs.map((p) => p[1]);
    for (const f of [pearson, spearman, cosineAgreement]) {
      const r = f(x, y);
      assert.equal(r, f(y, x));
      if (r !== null) assert.ok(r >= -1 && r <= 1);
    }
  }), RUNS);
});

test('average ranks match their definition: 1 + #smaller + (#equal − 1) / 2', () => {
  const anyValue = fc.oneof(value, fc.constantFrom(0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1e308, -1e308), fc.double({ noNaN: true }));
  fc.assert(fc.property(fc.array(anyValue, { maxLength: 80 }), (x) => {
    const ranks = averageRanks(x);
    x.forEach((v, i) => {
      const smaller = x.filter((w) => w < v).length, equal = x.filter((w) => w === v).length;
      assert.equal(ranks[i], 1 + smaller + (equal - 1) / 2, `value ${v} at ${i}`);
    });
  }), RUNS);
});

test('t-test results do not change when rows are permuted within a group', () => {
  const groups = fc.integer({ min: 1, max: 5 }).chain((cols) => {
    const group = fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { minLength: 2, maxLength: 8 });
    return fc.tuple(group, group, fc.func(fc.integer()));
  });
  fc.assert(fc.property(groups, fc.boolean(), ([a, b, key], equalVariance) => {
    const toMatrix = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat()) });
    const shuffle = (rows: number[][]) => rows.map((r, i) => [key(i), r] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
    const before = twoSampleTTest(toMatrix(a), toMatrix(b), { equalVariance });
    const after = twoSampleTTest(toMatrix(shuffle(a)), toMatrix(shuffle(b)), { equalVariance });
    assertNoNaN(before, 't-test');
    assert.deepEqual(after.zeroVariance, before.zeroVariance);
    for (const k of ['t', 'p', 'df', 'meanA', 'meanB', 'cohenD'] as const) {
      before[k].forEach((v, i) => {
        const w = after[k][i];
        assert.ok(Math.abs(v - w) <= 1e-9 * Math.max(1, Math.abs(v)), `${k}[${i}] ${v} vs ${w}`);
      });
    }
    for (const p of before.p) assert.ok(p >= 0 && p <= 1);
  }), RUNS);
});

test('selectivity never yields NaN: undefined parts are null with a reason', () => {
  const input = matrixOf(0, 10).chain((x) =>
    fc.array(fc.constantFrom('a', 'b', 'c', null), { minLength: x.rows, maxLength: x.rows }).map((cats) => [x, cats] as const));
  fc.assert(fc.property(input, ([x, cats]) => {
    const sim = cosineSimilarityMatrix(x).similarity;
    const s = selectivityIndex(sim, cats);
    assertNoNaN(s, 'selectivity');
    if (s.index === null) assert.ok(s.reason && s.reason.length > 0);
    const v = withinBetweenValues(sim, cats);
    const named = cats.filter((c) => c !== null).length;
    assert.equal(v.within.length + v.between.length, named < 2 ? 0 : (named * (named - 1)) / 2);
  }), RUNS);
});

test('corrections: adjusted p in [0, 1], at least the raw p, BH rejects everything Bonferroni rejects', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }), (p) => {
    const bh = benjaminiHochberg(p), bon = bonferroni(p);
    p.forEach((raw, i) => {
      for (const c of [bh, bon]) assert.ok(c.adjusted[i] >= raw - 1e-15 && c.adjusted[i] <= 1);
      if (bon.significant[i]) assert.equal(bh.significant[i], 1);
    });
  }), RUNS);
});

test('histogram counts every value inside the range exactly once', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (values, bins) => {
    const h = histogram(values, { bins });
    assert.equal(h.counts.reduce((s, c) => s + c, 0), values.length);
    for (let i = 1; i < h.edges.length; i++) assert.ok(h.edges[i] >= h.edges[i - 1]);
  }), RUNS);
});

test('no statistic mutates its inputs', () => {
  fc.assert(fc.property(matrixOf(4, 8), (x) => {
    const original = clone(x);
    const sim = cosineSimilarityMatrix(x).similarity;
    const simCopy = clone(sim);
    const cats = Array.from({ length: x.rows }, (_, i) => (i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : null));
    const catsCopy = [...cats];
    gramMatrix(x);
    selectivityIndex(sim, cats);
    withinBetweenValues(sim, cats);
    try { representationalSimilarity(sim, sim, { permutations: 5 }); } catch { /* constant: fine */ }
    rsaByCategory(sim, sim, cats, { permutations: 5 });
    twoSampleTTest(x, x, { equalVariance: false });
    labelPermutationCheck(x, x, { equalVariance: true, correction: 'fdr', permutations: 3 });
    const p = Float64Array.from({ length: x.cols }, (_, i) => (i + 1) / (x.cols + 1));
    const pCopy = p.slice();
    benjaminiHochberg(p); bonferroni(p); histogram(p); pearson(p, p); spearman(p, p);
    assert.deepEqual(x, original);
    assert.deepEqual(sim, simCopy);
    assert.deepEqual(cats, catsCopy);
    assert.deepEqual(p, pCopy);
  }), { numRuns: 50, seed: 7 });
});

test('empty and degenerate inputs: clear errors or null, never NaN', () => {
  const empty: Matrix = { rows: 0, cols: 3, data: new Float64Array(0) };
  assert.deepEqual(cosineSimilarityMatrix(empty).similarity.data, new Float64Array(0));
  const none = selectivityIndex(cosineSimilarityMatrix(empty).similarity, []);
  assert.equal(none.index, null);
  assert.match(none.reason!, /at least 2 categories/);
  const allOne = selectivityIndex({ rows: 2, cols: 2, data: Float64Array.of(1, 0.5, 0.5, 1) }, ['a', 'b']);
  assert.equal(allOne.index, null);
  assert.match(allOne.reason!, /single item/);
  const negative = selectivityIndex({ rows: 4, cols: 4, data: Float64Array.of(1, 0.5, -0.2, -0.1, 0.5, 1, -0.3, -0.2, -0.2, -0.3, 1, 0.4, -0.1, -0.2, 0.4, 1) }, ['a', 'a', 'b', 'b']);
  assert.ok(Math.abs(negative.index! - 0.45 / -0.2) < 1e-12);
  assert.match(negative.warnings![0], /between-category similarity is negative/);
  const two = { rows: 2, cols: 2, data: Float64Array.of(1, 0.2, 0.2, 1) };
  assert.throws(() => representationalSimilarity(two, two), /at least 3 items/);
  const constant = { rows: 3, cols: 3, data: Float64Array.of(1, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 1) };
  assert.throws(() => representationalSimilarity(constant, constant), (e) => e instanceof MechLensError && /all similarities/.test(e.message));
  assert.throws(() => representationalSimilarity(constant, { rows: 4, cols: 4, data: new Float64Array(16) }), /3 and 4 items/);
  assert.throws(() => cosineSimilarityMatrix({ rows: 1, cols: 2, data: Float64Array.of(1, NaN) }), /row 0 contains NaN/);
  assert.equal(pearson([], []), null);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null);
  assert.equal(spearman([2, 2], [1, 2]), null);
  assert.equal(cosineAgreement([0, 0], [1, 2]), null);
  assert.throws(() => pearson([1], [1, 2]), /lengths 1 and 2/);
  const one: Matrix = { rows: 1, cols: 2, data: Float64Array.of(1, 2) };
  assert.throws(() => twoSampleTTest(one, one, { equalVariance: true }), /group A has 1 sample/);
  const flatA: Matrix = { rows: 3, cols: 2, data: Float64Array.of(0.1, 1, 0.1, 2, 0.1, 3) };
  const flatB: Matrix = { rows: 2, cols: 2, data: Float64Array.of(0.1, 5, 0.1, 6) };
  const t = twoSampleTTest(flatA, flatB, { equalVariance: false });
  assert.deepEqual(t.zeroVariance, [0]);
  assert.equal(t.t[0], 0); assert.equal(t.p[0], 1); assert.equal(t.cohenD[0], 0);
  assert.ok(t.p[1] > 0 && t.p[1] < 1);
  assert.throws(() => benjaminiHochberg([]), /no p-values/);
  assert.throws(() => bonferroni([0.5, 1.5]), /outside \[0, 1\]/);
  assert.deepEqual(Array.from(histogram([]).counts), new Array(10).fill(0));
  assert.throws(() => histogram([1, NaN]), /value 1 is NaN/);
  assert.throws(() => histogram([1], { bins: 0 }), /bins must be/);
  const cancelled = new AbortController();
  cancelled.abort();
  const sim = cosineSimilarityMatrix({ rows: 4, cols: 2, data: Float64Array.of(1, 0, 0, 1, 1, 1, 1, -1) }).similarity;
  assert.throws(() => representationalSimilarity(sim, sim, { signal: cancelled.signal }), /Cancelled/);
  assert.throws(() => cosineSimilarityMatrix({ rows: 2, cols: 1, data: Float64Array.of(1, 2) }, { signal: cancelled.signal }), /Cancelled/);
  const fractions: number[] = [];
  // Bands of 256 rows (core/linalg gramOfRows): 5 bands, reported before each.
  cosineSimilarityMatrix({ rows: 1200, cols: 2, data: new Float64Array(2400).fill(1) }, { onProgress: (p) => fractions.push(p.fraction!) });
  assert.ok(fractions.length === 5 && fractions.every((f, i) => f >= 0 && f < 1 && (i === 0 || f > fractions[i - 1])), String(fractions));
});
