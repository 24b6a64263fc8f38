// The neighbours the cluster map lists for a clicked point (charts/nearest-neighbours.ts) against
// scikit-learn's brute-force NearestNeighbors (test/fixtures/neighbours/make_fixtures.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nearestNeighbours } from '../../src/webview/charts/nearest-neighbours';

interface Expected { index: number[]; distance: number[] }
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/neighbours/neighbours.json'), 'utf8')) as {
  vectors: number[]; dims: number; k: number; queries: number[]; cosine: Record<string, Expected>; euclidean: Record<string, Expected>;
};
const labels = Array.from({ length: fixture.vectors.length / fixture.dims }, (_, i) => `w${i}`);
const vectors = { data: Float32Array.from(fixture.vectors), dims: fixture.dims };
const vectors64 = { data: fixture.vectors, dims: fixture.dims };

for (const metric of ['cosine', 'euclidean'] as const) {
  test(`${metric} neighbours match scikit-learn`, () => {
    for (const q of fixture.queries) {
      const expected = fixture[metric][String(q)];
      const found = nearestNeighbours(vectors64, labels, q, fixture.k, metric);
      assert.deepEqual(found.map((n) => n.index), expected.index, `query ${q}`);
      found.forEach((n, j) => {
        assert.ok(Math.abs(n.distance - expected.distance[j]) < 1e-12, `query ${q}, neighbour ${j}: ${n.distance} vs ${expected.distance[j]}`);
        assert.equal(n.label, labels[n.index]);
      });
      // Float32 input (what a panel passes) gives the same order to float32 precision.
      assert.deepEqual(nearestNeighbours(vectors, labels, q, fixture.k, metric).map((n) => n.index), expected.index, `float32 query ${q}`);
    }
  });
}

test('a zero vector is at cosine distance 1 from everything; ties go to the lower index', () => {
  const found = nearestNeighbours(vectors64, labels, 5, 4, 'cosine');
  assert.deepEqual(found.map((n) => n.index), [0, 1, 2, 3]);
  assert.deepEqual(found.map((n) => n.distance), [1, 1, 1, 1]);
  assert.ok(!nearestNeighbours(vectors64, labels, 0, 39, 'cosine').some((n) => n.index === 0), 'the point itself is never its own neighbour');
});
