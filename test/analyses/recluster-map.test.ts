// Re-clustering stored maps: DBSCAN on the stored t-SNE coordinates agrees with scikit-learn's
// labels in the compare fixture (test/webview/fixtures/make_compare_result.py), a changed eps or
// min_samples re-clusters without t-SNE, anything else asks for a full run, and inputs stay untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompareResult } from '../../src/protocol/result';
import { reclusterCompare, reclusterMap } from '../../src/core/analyses/recluster-map';

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
  const out = reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: 1e-6, minSamples: 2 });
  assert.ok(out);
  assert.ok(out.a.map!.labels.every((l) => l === -1));
  assert.deepEqual(out.a.map!.clusters, []);
  assert.equal(out.a.map!.options.minSamples, 2);
  assert.equal(out.run.options.reclustered, true);
  assert.equal(out.rsa, fixture.rsa, 'statistics other than the clusters are the same objects');
  assert.equal(JSON.stringify(fixture), before, 'the input result is not mutated');

  const auto = reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: null, minSamples: 3 });
  assert.equal(auto?.b.map?.options.epsChosen, 'auto');
  assert.ok((auto?.b.map?.options.eps as number) > 0);
});

test('a changed permutation count or perplexity needs the full run', () => {
  assert.equal(reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations + 1, perplexity: null, eps: 1, minSamples: 3 }), undefined);
  assert.equal(reclusterCompare(fixture, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: 4, eps: 1, minSamples: 3 }), undefined);
  const noMap: CompareResult = { ...fixture, a: { ...fixture.a, map: undefined } };
  assert.equal(reclusterCompare(noMap, { job: 'compare', permutations: fixture.rsa.permutations, perplexity: null, eps: 1, minSamples: 3 }), undefined);
});
