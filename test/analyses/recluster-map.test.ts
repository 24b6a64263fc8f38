// Re-clustering stored maps: DBSCAN on the stored t-SNE coordinates agrees with scikit-learn's
// labels in the compare fixture (test/webview/fixtures/make_compare_result.py), a changed eps or
// min_samples re-clusters without t-SNE, anything else asks for a full run, and inputs stay untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompareResult, ContrastResult } from '../../src/protocol/result';
import type { ContrastRerunParams } from '../../src/protocol/rerun';
import { reclusterCompare, reclusterContrast, reclusterMap } from '../../src/core/analyses/recluster-map';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'webview', 'fixtures', 'compare-result.json'), 'utf8')) as CompareResult;

test('DBSCAN on the stored coordinates gives scikit-learn\'s labels for the fixture\'s eps and min_samples', () => {
  for (const key of ['a', 'b'] as const) {
    const map = fixture[key].map!;
    const eps = map.options.eps as number;
    const again = reclusterMap(map, fixture[key].vectors, fixture.items, { eps, minSamples: 3 });
    assert.deepEqual(again.labels, map.labels, `space ${key}`);
    assert.deepEqual(again.clusters.map((c) => c.members), map.clusters.filter((c) => c.label >= 0).map((c) => c.members));
    // Centroids are means of the item vectors (as embeddingMap reports them), not of the map coordinates.
    const first = again.clusters[0];
    const rows = first.members.map((w) => fixture[key].vectors[fixture.items.indexOf(w)]);
    assert.ok(Math.abs(first.centroid[0] - rows.reduce((s, r) => s + r[0], 0) / rows.length) < 1e-12);
    assert.equal(again.options.epsChosen, 'given');
    assert.deepEqual(again.coords, map.coords, 'the map itself is kept');
  }
});

test('only eps or min_samples changed: both maps are re-clustered; a tiny eps leaves every word as noise', () => {
  const before = JSON.stringify(fixture);
  const out = reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: 1e-6, minSamples: 2, k: null });
  assert.ok(out);
  assert.ok(out.a.map!.labels.every((l) => l === -1));
  assert.deepEqual(out.a.map!.clusters, []);
  assert.equal(out.a.map!.options.minSamples, 2);
  assert.equal(out.run.options.reclustered, true);
  const cached = { ...fixture, run: { ...fixture.run, fromCache: { storedAt: '2026-11-23T20:00:00.000Z' } } };
  assert.equal(reclusterCompare(cached, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: 1e-6, minSamples: 2, k: null })?.run.fromCache, undefined,
    'clustered now: no longer the stored result');
  assert.equal(out.rsa, fixture.rsa, 'statistics other than the clusters are the same objects');
  assert.equal(JSON.stringify(fixture), before, 'the input result is not mutated');

  const auto = reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: null, minSamples: 3, k: null });
  assert.equal(auto?.b.map?.options.epsChosen, 'auto');
  assert.ok((auto?.b.map?.options.eps as number) > 0);
});

test('a k above the words is lowered on both maps and recorded as an adjustment, which the next re-clustering replaces', () => {
  const n = fixture.items.length;
  const params = (k: number | null) => ({ job: 'compare' as const, permutations: fixture.rsa.permutations, perplexity: null, eps: null, minSamples: 3, k });
  const withPerplexity: CompareResult = { ...fixture, adjusted: { perplexity: { asked: 50, used: 6, why: 'at most (n − 1) / 3 for 19 words' } } };
  const high = reclusterCompare(withPerplexity, params(n + 5));
  assert.equal(high?.a.map?.kmeans?.k, n);
  assert.equal(high?.b.map?.kmeans?.k, n);
  assert.deepEqual(high?.adjusted, { perplexity: withPerplexity.adjusted!.perplexity, k: { asked: n + 5, used: n, why: `at most the ${n} words` } });
  const fits = reclusterCompare(high!, params(3));
  assert.deepEqual(fits?.adjusted, { perplexity: withPerplexity.adjusted!.perplexity }, 'k 3 ran as asked: only the perplexity record is left');
  assert.equal(reclusterCompare(fixture, params(3))?.adjusted, undefined, 'nothing adjusted, no record');
  assert.equal(reclusterCompare({ ...fixture, adjusted: { k: { asked: 99, used: n, why: '' } } }, params(null))?.adjusted, undefined, 'no k, no k record');
});

test('a changed permutation count or perplexity needs the full run', () => {
  assert.equal(reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations + 1, perplexity: null, eps: 1, minSamples: 3, k: null }), undefined);
  assert.equal(reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: 4, eps: 1, minSamples: 3, k: null }), undefined);
  const noMap: CompareResult = { ...fixture, a: { ...fixture.a, map: undefined } };
  assert.equal(reclusterCompare(noMap, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: 1, minSamples: 3, k: null }), undefined);
});

function assertClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected) && Array.isArray(actual)) {
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object' && actual && typeof actual === 'object') {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const k of Object.keys(expected)) assertClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

const contrast = JSON.parse(readFileSync(join(__dirname, '..', 'webview', 'fixtures', 'contrast-result.regression.json'), 'utf8')) as ContrastResult;
const contrastParams = (): ContrastRerunParams => {
  const o = contrast.run.options as { perplexity: number; eps: number; minSamples: number; k: number };
  return { job: 'contrast', hook: contrast.hook, test: contrast.test, correction: contrast.correction, alpha: contrast.alpha,
    perplexity: o.perplexity, eps: o.eps, minSamples: o.minSamples, k: o.k, shuffles: contrast.labelShuffle.shuffles };
};

test('contrast: re-clustering the stored map with the run\'s own eps, min_samples and k reproduces runContrast\'s clusters exactly', () => {
  assert.ok(contrast.significant.length >= 3, 'the fixture has a map');
  const before = JSON.stringify(contrast);
  const again = reclusterContrast(contrast, contrastParams());
  assert.ok(again);
  // Exact for labels and orders; numbers to the 6 significant digits the fixture file keeps (make-contrast-fixture.ts).
  for (const key of ['labels', 'clusterOrder'] as const) assert.deepEqual(again[key], contrast[key], key);
  for (const key of ['clusters', 'kmeans', 'gram', 'cosine'] as const) assertClose(again[key], contrast[key], key);
  assert.equal(JSON.stringify(contrast), before, 'the input result is not mutated');
});

test('contrast: a new k or eps re-clusters; a new hook, test, alpha, perplexity or shuffle count needs the model', () => {
  const k2 = reclusterContrast(contrast, { ...contrastParams(), k: 2 });
  assert.equal(k2?.kmeans?.k, 2);
  assert.equal(new Set(k2?.kmeans?.labels).size, 2);
  assert.equal(k2?.run.options.k, 2);
  const cached = { ...contrast, run: { ...contrast.run, fromCache: { storedAt: '2026-11-23T20:00:00.000Z' } } };
  assert.equal(reclusterContrast(cached, { ...contrastParams(), k: 2 })?.run.fromCache, undefined, 'clustered now: no longer the stored result');
  const tiny = reclusterContrast(contrast, { ...contrastParams(), eps: 1e-9 });
  assert.ok(tiny?.labels.every((l) => l === -1));
  for (const change of [{ hook: 'blocks.0.mlp.hook_pre' }, { test: 'welch' as const }, { alpha: 0.01 }, { perplexity: 5 }, { shuffles: 10 }, { correction: 'fdr' as const }]) {
    assert.equal(reclusterContrast(contrast, { ...contrastParams(), ...change }), undefined, JSON.stringify(change));
  }
});

test('compare: a k adds seeded k-means on each stored map, with centroids from the item vectors; k null removes it', () => {
  const p = { job: 'compare' as const, permutations: fixture.rsa.permutations, perplexity: null, eps: fixture.a.map!.options.eps as number, minSamples: 3 };
  const withK = reclusterCompare(fixture, { ...p, k: 3 });
  const km = withK?.a.map?.kmeans;
  assert.ok(km);
  assert.equal(km.k, 3);
  assert.equal(km.labels.length, fixture.items.length);
  assert.equal(new Set(km.labels).size, 3);
  // Inertia is the sum of squared distances on the map to each cluster's mean position.
  const coords = fixture.a.map!.coords;
  let inertia = 0;
  for (const label of new Set(km.labels)) {
    const members = coords.filter((_, i) => km.labels[i] === label);
    const mean = [0, 1].map((d) => members.reduce((s, c) => s + c[d], 0) / members.length);
    inertia += members.reduce((s, c) => s + (c[0] - mean[0]) ** 2 + (c[1] - mean[1]) ** 2, 0);
  }
  assert.ok(Math.abs(km.inertia - inertia) <= 1e-9 * inertia, `${km.inertia} vs ${inertia}`);
  assert.deepEqual(withK?.a.map?.labels, fixture.a.map!.labels, 'DBSCAN is unchanged');
  assert.deepEqual(reclusterCompare(fixture, { ...p, k: 3 })?.a.map?.kmeans?.labels, km.labels, 'seeded: the same labels again');
  assert.equal(reclusterCompare(withK!, { ...p, k: null })?.a.map?.kmeans, undefined);
  assert.equal(reclusterCompare(fixture, { ...p, k: 500 })?.a.map?.kmeans?.k, fixture.items.length, 'k is capped at the number of words');
});

test('contrast: re-clustering on screen rewrites the adjusted.k record and its warning (one rule for adjustments)', () => {
  const n = contrast.significant.length;
  const lowered = reclusterContrast(contrast, { ...contrastParams(), k: n + 50 });
  assert.ok(lowered);
  assert.equal(lowered.kmeans?.k, n);
  assert.deepEqual(lowered.adjusted?.k, { asked: n + 50, used: n, why: `at most the ${n} significant neurons` });
  assert.equal(lowered.warnings.filter((w) => w.startsWith('k-means: k ')).length, 1);
  // A perplexity the run lowered stays recorded: re-clustering does not touch the map.
  const perplexity = { asked: 30, used: 4.33, why: 'at most (n − 1) / 3 for 14 significant neurons' };
  const withPerplexity: ContrastResult = { ...lowered, adjusted: { ...lowered.adjusted, perplexity } };
  const fits = reclusterContrast(withPerplexity, { ...contrastParams(), k: 2 });
  assert.ok(fits);
  assert.deepEqual(fits.adjusted, { perplexity }, 'a k that fits leaves no k record');
  assert.deepEqual(fits.warnings.filter((w) => w.startsWith('k-means: k ')), [], 'nor its warning');
  const none = reclusterContrast(lowered, { ...contrastParams(), k: 3 });
  assert.equal(none && 'adjusted' in none, false, 'no adjustment left: no record at all');
});
