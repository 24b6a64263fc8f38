// src/core/stats against numpy / scipy / statsmodels / mpmath values from test/fixtures/stats/make_fixtures.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromJson, matrix } from '../../src/core/matrix';
import {
  benjaminiHochberg, bonferroni, cosineAgreement, cosineSimilarityMatrix, gramMatrix, histogram, logGamma, pearson,
  averageRanks, labelPermutationCheck, regularizedIncompleteBeta, representationalSimilarity, rsaByCategory, selectivityIndex, spearman,
  studentTTwoSidedP, twoSampleTTest, upperTriangle, withinBetweenValues,
} from '../../src/core/stats';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/stats.json', import.meta.url), 'utf8'));

function close(actual: number, expected: number, relative: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-300);
  assert.ok(Math.abs(actual - expected) <= relative * scale || Math.abs(actual - expected) <= 1e-300,
    `${what}: got ${actual}, expected ${expected} (relative error ${Math.abs(actual - expected) / scale})`);
}

function closeArray(actual: ArrayLike<number>, expected: number[], relative: number, what: string, absolute = 0): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (absolute && Math.abs(actual[i] - expected[i]) <= absolute) continue;
    close(actual[i], expected[i], relative, `${what}[${i}]`);
  }
}

const flat = (m: number[][]) => fromJson(m);

test('cosine matrix matches numpy, zero row reported with 0 off-diagonal and 1 on the diagonal', () => {
  const { x, similarity, zeroRows, gram } = fixture.cosine;
  const result = cosineSimilarityMatrix(flat(x));
  assert.deepEqual(result.zeroRows, zeroRows);
  closeArray(result.similarity.data, similarity.flat(), 1e-12, 'cosine', 1e-15);
  closeArray(gramMatrix(flat(x)).data, gram.flat(), 1e-12, 'gram', 1e-15);
});

test('cosine matrix from Float32 input is computed in Float64 from the exact float32 values', () => {
  const { x, similarity } = fixture.cosine;
  const m = flat(x);
  const as32 = matrix(m.rows, m.cols, Float32Array.from(m.data));
  closeArray(cosineSimilarityMatrix(as32).similarity.data, similarity.flat(), 1e-6, 'cosine f32', 1e-6);
});

test('selectivity index matches the plain numpy implementation of the definition', () => {
  for (const [k, c] of fixture.selectivity.entries()) {
    const s = selectivityIndex(flat(c.similarity), c.categories);
    const e = c.expected;
    close(s.index!, e.index, 1e-12, `case ${k} index`);
    close(s.within!, e.within, 1e-12, `case ${k} within`);
    close(s.between!, e.between, 1e-12, `case ${k} between`);
    assert.equal(s.perCategory.length, e.perCategory.length);
    s.perCategory.forEach((p, i) => {
      assert.equal(p.category, e.perCategory[i].category);
      assert.equal(p.n, e.perCategory[i].n);
      if (e.perCategory[i].within === null) assert.equal(p.within, null);
      else close(p.within!, e.perCategory[i].within, 1e-12, `case ${k} ${p.category}`);
    });
  }
  const oneWord = selectivityIndex(flat(fixture.selectivity[1].similarity), fixture.selectivity[1].categories);
  assert.match(oneWord.warnings?.[0] ?? '', /"furniture" has one item/);
  assert.equal(oneWord.reason, undefined);
});

test('within/between values hold every pair once, in category order', () => {
  const c = fixture.selectivity[0];
  const v = withinBetweenValues(flat(c.similarity), c.categories);
  // 4, 3 and 5 items: 6 + 3 + 10 within pairs, 4·3 + 4·5 + 3·5 between pairs; the null item takes no part.
  assert.deepEqual(v.perCategory.map((p) => p.values.length), [6, 3, 10]);
  assert.equal(v.within.length, 19);
  assert.equal(v.between.length, 47);
  assert.deepEqual(v.perCategoryPair.map((p) => p.categories), [['space', 'furniture'], ['space', 'fruit'], ['furniture', 'fruit']]);
  const sim = c.similarity as number[][];
  const pairs = v.perCategory[2].pairs;
  assert.equal(v.perCategory[2].values[0], sim[pairs[0]][pairs[1]]);
});

test('pearson, spearman (ties) and cosine agreement match scipy', () => {
  const { x, y } = fixture.correlation;
  close(pearson(x, y)!, fixture.correlation.pearson, 1e-12, 'pearson');
  close(spearman(x, y)!, fixture.correlation.spearman, 1e-12, 'spearman');
  close(cosineAgreement(x, y)!, fixture.correlation.cosine, 1e-12, 'cosine agreement');
  assert.deepEqual(Array.from(averageRanks(x)), fixture.correlation.ranksX);
});

test('RSA statistics match scipy on the upper triangles', () => {
  const { a, b } = fixture.rsa;
  const r = representationalSimilarity(flat(a), flat(b), { permutations: 200, seed: 1 });
  close(r.pearson, fixture.rsa.pearson, 1e-12, 'rsa pearson');
  close(r.spearman, fixture.rsa.spearman, 1e-12, 'rsa spearman');
  close(r.cosine, fixture.rsa.cosine, 1e-12, 'rsa cosine');
  assert.equal(r.n, fixture.rsa.n);
  assert.equal(upperTriangle(flat(a)).length, fixture.rsa.n);
  assert.ok(r.pValue! > 0 && r.pValue! <= 1);
});

test('RSA permutation p-value converges to the exact p over all 6! relabellings', () => {
  const { a, b, exactP, pearson: r } = fixture.rsaExactPermutation;
  const result = representationalSimilarity(flat(a), flat(b), { permutations: 20000, seed: 3 });
  close(result.pearson, r, 1e-12, 'pearson');
  // Binomial standard error at 20,000 draws is ≤ 0.0036; 0.015 is four of them.
  assert.ok(Math.abs(result.pValue! - exactP) < 0.015, `p ${result.pValue} vs exact ${exactP}`);
});

test('RSA of a matrix with itself: every permutation is at most as extreme, p = 1 / (P + 1) only if none ties', () => {
  const { a } = fixture.rsa;
  const r = representationalSimilarity(flat(a), flat(a), { permutations: 99, seed: 0 });
  close(r.pearson, 1, 1e-15, 'self pearson');
  assert.equal(r.pValue, 1 / 100);
});

test('RSA by category runs within each category and skips those with fewer than 3 items', () => {
  const c = fixture.selectivity[1]; // space 4, furniture 1, fruit 7
  const sim = flat(c.similarity);
  const { rsa, skipped } = rsaByCategory(sim, sim, c.categories, { permutations: 10 });
  assert.deepEqual(rsa.map((r) => [r.category, r.n]), [['space', 6], ['fruit', 21]]);
  assert.deepEqual(skipped.map((s) => [s.category, s.items]), [['furniture', 1]]);
  assert.match(skipped[0].reason, /at least 3 items/);
});

for (const kind of ['student', 'welch'] as const) {
  test(`${kind} t-test per column matches scipy.stats.ttest_ind, tiny p-values included`, () => {
    const f = fixture.ttest;
    const res = twoSampleTTest(flat(f.a), flat(f.b), { equalVariance: kind === 'student' });
    closeArray(res.t, f[kind].t, 1e-10, `${kind} t`);
    closeArray(res.df, f[kind].df, 1e-10, `${kind} df`);
    closeArray(res.p, f[kind].p, 1e-10, `${kind} p`);
    closeArray(res.meanA, f.meanA, 1e-12, 'meanA', 1e-15);
    closeArray(res.meanB, f.meanB, 1e-12, 'meanB', 1e-15);
    closeArray(res.cohenD, f.cohenD, 1e-10, 'cohenD');
    assert.ok(res.p[0] < 1e-27, 'the separated column has a tiny p');
    assert.deepEqual(res.zeroVariance, []);
  });
}

test('Student t two-sided p matches 60-digit mpmath to 1e-12, from p≈1 to p≈1e-100 and df up to 1e9', () => {
  for (const { t, df, p } of fixture.distributions.studentT) close(studentTTwoSidedP(t, df), p, 1e-12, `t=${t} df=${df}`);
  for (const { t, df, p } of fixture.distributions.studentT) close(studentTTwoSidedP(-t, df), p, 1e-12, `t=-${t} df=${df}`);
});

test('regularized incomplete beta and log-gamma match mpmath', () => {
  for (const { x, a, b, value } of fixture.distributions.incompleteBeta) {
    close(regularizedIncompleteBeta(x, a, b), value, 1e-12, `I(${x}; ${a}, ${b})`);
  }
  for (const { x, value } of fixture.distributions.logGamma) {
    assert.ok(Math.abs(logGamma(x) - value) <= 1e-14 * Math.max(1, Math.abs(value)), `logGamma(${x}) = ${logGamma(x)} vs ${value}`);
  }
});

test('Bonferroni and Benjamini–Hochberg match statsmodels.multipletests', () => {
  const { p, alpha, bh, bonferroni: bon } = fixture.corrections;
  const b = benjaminiHochberg(p, alpha);
  closeArray(b.adjusted, bh.adjusted, 1e-14, 'bh adjusted', 1e-300);
  assert.deepEqual(Array.from(b.significant), bh.significant);
  assert.equal(b.count, bh.significant.reduce((s: number, v: number) => s + v, 0));
  const f = bonferroni(p, alpha);
  closeArray(f.adjusted, bon.adjusted, 1e-14, 'bonferroni adjusted', 1e-300);
  assert.deepEqual(Array.from(f.significant), bon.significant);
  assert.equal(f.threshold, bon.threshold);
});

test('Benjamini–Hochberg is step-up: the largest passing rank k counts, not k - 1 or k + 1', () => {
  // Worked by hand (statsmodels' fdr_bh gives the same): sorted p 0.005, 0.019, 0.031, 0.039, 0.2 against
  // i/5 · 0.05 = 0.01, 0.02, 0.03, 0.04, 0.05. Rank 3 fails (0.031 > 0.03) but rank 4 passes (0.039 ≤ 0.04),
  // so k = 4: four discoveries at threshold 0.04. k - 1 would give 3, k + 1 would take p = 0.2 as well.
  const p = [0.039, 0.2, 0.005, 0.031, 0.019];
  const b = benjaminiHochberg(p, 0.05);
  assert.deepEqual(Array.from(b.significant).map(Number), [1, 0, 1, 1, 1]);
  assert.equal(b.count, 4);
  close(b.threshold, 0.04, 1e-15, 'threshold');
  // Adjusted p: p · m / rank, then the running minimum from the largest rank down.
  closeArray(b.adjusted, [0.04875, 0.2, 0.025, 0.04875, 0.0475], 1e-14, 'adjusted', 1e-300);
});

test('histogram edges and counts match numpy.histogram, edge values and the closed last bin included', () => {
  for (const [k, c] of fixture.histogram.entries()) {
    const h = histogram(c.values, { bins: c.options.bins, range: c.options.range });
    assert.deepEqual(Array.from(h.counts), c.counts, `case ${k} counts`);
    closeArray(h.edges, c.edges, 0, `case ${k} edges`, 0);
  }
});

test('label-shuffle check counts significant neurons per shuffle like scipy + statsmodels', () => {
  const { a, b, shuffles, cases } = fixture.labelPermutation;
  for (const c of cases) {
    const result = labelPermutationCheck(flat(a), flat(b), { equalVariance: c.equalVariance, correction: c.correction, shuffles });
    const what = `${c.equalVariance ? 'student' : 'welch'} ${c.correction}`;
    assert.equal(result.observed, c.observed, what);
    assert.deepEqual(Array.from(result.counts), c.counts, what);
    const atLeast = c.counts.filter((k: number) => k >= c.observed).length;
    assert.equal(result.pValue, (atLeast + 1) / (c.counts.length + 1));
  }
  const seeded = labelPermutationCheck(flat(a), flat(b), { equalVariance: false, correction: 'fdr', permutations: 50, seed: 4 });
  assert.equal(seeded.counts.length, 50);
  assert.ok(seeded.pValue < 0.1 && seeded.meanShuffled < seeded.observed, JSON.stringify(seeded));
  assert.throws(() => labelPermutationCheck(flat(a), flat(b), { equalVariance: true, correction: 'fdr', shuffles: [[0, 0, 1]] }), /not a permutation/);
});
