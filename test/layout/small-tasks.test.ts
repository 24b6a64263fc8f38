// Small k-means and DBSCAN runs skip the worker thread (core/worker/small-tasks.ts) on the worker's
// terms: the same result, an own copy of the input (or the caller's buffers moved), the same errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInWorker } from '../../src/core/worker/client';
import { runsHere } from '../../src/core/worker/small-tasks';
import { kmeans } from '../../src/core/cluster/kmeans';
import { dbscan } from '../../src/core/cluster/dbscan';
import { CancelledError, MechLensError } from '../../src/core/errors';
import { createRandom } from '../../src/core/random';

function blobs(n: number, d: number, seed = 1) {
  const random = createRandom(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) data[i * d + c] = (i % 3) * 5 + random.gaussian();
  return { rows: n, cols: d, data };
}

const threads = () => process.getActiveResourcesInfo().filter((r) => r === 'Worker').length;

test('which runs stay on the calling thread: small k-means and DBSCAN only', () => {
  assert.ok(runsHere('kmeans', { x: blobs(50, 8), options: { k: 3 } }));
  assert.ok(runsHere('dbscan', { x: blobs(1000, 2), options: { eps: 1 } }));
  assert.ok(!runsHere('kmeans', { x: blobs(5000, 64), options: { k: 8 } }));
  assert.ok(!runsHere('dbscan', { x: blobs(2000, 64), options: { eps: 1 } }));
  assert.ok(!runsHere('tsne', { x: blobs(20, 2) }));
  assert.ok(!runsHere('pca', { x: blobs(20, 2) }));
});

test('a small run here equals the function, starts no thread, and leaves the input alone', async () => {
  const x = blobs(60, 4);
  const before = Float64Array.from(x.data);
  const km = await runInWorker('kmeans', { x, options: { k: 3, seed: 1 } });
  assert.deepEqual(km, kmeans(x, { k: 3, seed: 1 }));
  const labels = await runInWorker('dbscan', { x, options: { eps: 3, minSamples: 4 } });
  assert.deepEqual(labels, dbscan(x, { eps: 3, minSamples: 4 }));
  assert.equal(threads(), 0, 'no worker thread');
  assert.deepEqual(x.data, before);
});

test('transferInput moves the buffers here too; cancel and errors as on a worker', async () => {
  const x = blobs(60, 4);
  await runInWorker('kmeans', { x, options: { k: 2 } }, { transferInput: true });
  assert.equal(x.data.length, 0, 'input buffer was transferred');
  await assert.rejects(runInWorker('kmeans', { x: blobs(5, 2), options: { k: 2 } }, { signal: AbortSignal.abort() }), CancelledError);
  await assert.rejects(runInWorker('kmeans', { x: blobs(5, 2), options: { k: 9 } }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.match(err.message, /k-means needs 1 ≤ k ≤ 5/);
    return true;
  });
});
