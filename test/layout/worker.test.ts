import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runInWorker, workerEntry } from '../../src/core/worker/client';
import { CancelledError, MechLensError } from '../../src/core/errors';
import { createRandom } from '../../src/core/random';
import { tsne } from '../../src/core/layout/tsne';
import { letHelperGoFirst } from '../../src/core/layout/helper-thread';

function blobs(n: number, d: number, seed = 1) {
  const random = createRandom(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) data[i * d + c] = (i % 3) * 5 + random.gaussian();
  return { rows: n, cols: d, data };
}

const activeWorkers = () => process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;

/** Active worker handles once terminations have had up to 2 s to finish. */
async function workersLeft(): Promise<number> {
  for (let waited = 0; waited < 2000 && activeWorkers() > 0; waited += 20) await new Promise((r) => setTimeout(r, 20));
  return activeWorkers();
}

test('worker entry: main.ts under tsx from source, worker.js next to the bundle', () => {
  const source = workerEntry();
  assert.equal(source.file, join(__dirname, '../../src/core/worker/main.ts'));
  assert.match(source.bootstrap ?? '', /tsx\/cjs.*main\.ts/);
  assert.deepEqual(workerEntry('/opt/ext/dist/extension.js'), { file: '/opt/ext/dist/worker.js', bootstrap: null });
});

test('tsne in a worker equals tsne in-process, with progress and animation frames', async () => {
  const x = blobs(120, 5);
  const frames: number[] = [];
  let progress = 0;
  const result = await runInWorker('tsne', { x, options: { seed: 2, iterations: 300 } }, {
    onProgress: () => progress++,
    onIteration: (iteration, kl, coords) => { frames.push(iteration); assert.equal(coords.length, 240); assert.ok(Number.isFinite(kl)); },
  });
  assert.deepEqual(result.coords.data, tsne(x, { seed: 2, iterations: 300 }).coords.data);
  assert.equal(frames.length, 12);
  assert.ok(progress > 0);
  assert.equal(x.data.length, 600, 'input cloned, not transferred');
  assert.equal(await workersLeft(), 0, 'worker terminated');
});

test('transferInput moves the buffers; other tasks run too', async () => {
  const x = blobs(90, 4);
  const [dbscanLabels, km, p] = await Promise.all([
    runInWorker('dbscan', { x: { ...x, data: x.data.slice() }, options: { eps: 3, minSamples: 4 } }),
    runInWorker('kmeans', { x: { ...x, data: x.data.slice() }, options: { k: 3, seed: 1 } }),
    runInWorker('pca', { x, options: { components: 2 } }, { transferInput: true }),
  ]);
  assert.ok(dbscanLabels instanceof Int32Array && dbscanLabels.length === 90);
  assert.equal(new Set(km.labels).size, 3);
  assert.equal(p.coords.rows, 90);
  assert.equal(x.data.length, 0, 'input buffer was transferred');
});

test('cancelling stops a long synchronous t-SNE quickly, and nothing leaks', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const run = runInWorker('tsne', { x: blobs(2000, 10), options: { iterations: 100000 } }, {
    signal: controller.signal,
    onIteration: (iteration) => { if (iteration >= 25) controller.abort(); },
  });
  await assert.rejects(run, CancelledError);
  assert.ok(Date.now() - started < 30000);
  assert.equal(await workersLeft(), 0, 'worker terminated');
  await assert.rejects(runInWorker('pca', { x: blobs(5, 2) }, { signal: AbortSignal.abort() }), CancelledError);
});

test('errors come back as MechLensError with their message', async () => {
  await assert.rejects(runInWorker('kmeans', { x: blobs(5, 2), options: { k: 9 } }), (err: unknown) => {
    assert.ok(err instanceof MechLensError);
    assert.equal(err.code, 'bad-argument');
    assert.match(err.message, /k-means needs 1 ≤ k ≤ 5/);
    return true;
  });
  await assert.rejects(runInWorker('nope' as 'pca', { x: blobs(5, 2) }), /unknown worker task "nope"/);
});

test('Barnes-Hut t-SNE with a helper thread gives exactly the single-thread result, and the helper did part of the work', () => {
  const x = blobs(700, 6, 3);
  const one = tsne(x, { method: 'barnes-hut', iterations: 120, threads: 1 });
  // The helper takes the first chunk of every generation, however late its thread starts.
  letHelperGoFirst(true);
  try {
    const two = tsne(x, { method: 'barnes-hut', iterations: 120, threads: 2 });
    assert.equal(one.helperChunks, 0);
    assert.equal(two.threads, 2);
    assert.ok(two.helperChunks > 0, 'the helper thread did chunks');
    assert.deepEqual(two.coords.data, one.coords.data);
    assert.equal(two.kl, one.kl);
  } finally {
    letHelperGoFirst(false);
  }
});
