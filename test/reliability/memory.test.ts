import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MechLensError } from '../../src/core/errors';
import { assertFits, assertSquareFits, formatBytes, matrixBytes, memoryShare } from '../../src/core/memory';
import { assertModelFits, modelWeightBytes } from '../../src/core/models/weight-memory';
import { cosineSimilarityMatrix, gramMatrix } from '../../src/core/stats/similarity';
import { loadVectors } from '../../src/core/vectors';
import { loadModel } from '../../src/core/models/capture-model';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';

const GB = 1e9;

function withShare<T>(share: string, run: () => T): T {
  const before = process.env.MECHLENS_MEMORY_SHARE;
  process.env.MECHLENS_MEMORY_SHARE = share;
  try { return run(); } finally {
    if (before === undefined) delete process.env.MECHLENS_MEMORY_SHARE; else process.env.MECHLENS_MEMORY_SHARE = before;
  }
}

test('a 50,000 × 50,000 similarity matrix is refused with the size, the free memory and the fix', () => {
  assert.equal(matrixBytes(50_000, 50_000), 20e9);
  assert.throws(() => assertSquareFits(50_000, 'similarity matrix', 'words.words', { freeBytes: 16 * GB }), (e: unknown) => {
    assert.ok(e instanceof MechLensError);
    assert.equal(e.code, 'memory');
    assert.equal(e.input, 'words.words');
    assert.match(e.message, /^words\.words: a 50,000 × 50,000 similarity matrix needs 20\.0 GB, but only 16\.0 GB of memory is free and MechLens may use 80% of it \(12\.8 GB\)/);
    assert.match(e.message, /fewer items/);
    assert.match(e.message, /mechlens\.memoryShare/);
    return true;
  });
});

test('small requests pass; the share is configurable and checked', () => {
  assert.doesNotThrow(() => assertSquareFits(300, 'similarity matrix', undefined, { freeBytes: 16 * GB }));
  assert.doesNotThrow(() => assertFits(10 * GB, 'x', undefined, { freeBytes: 16 * GB, share: 0.8 }));
  assert.throws(() => assertFits(10 * GB, 'x', undefined, { freeBytes: 16 * GB, share: 0.5 }), /x needs 10\.0 GB.*may use 50%/);
  assert.equal(memoryShare(), withShare('', () => memoryShare()));
  assert.equal(withShare('0.25', () => memoryShare()), 0.25);
  assert.throws(() => withShare('2', () => memoryShare()), /MECHLENS_MEMORY_SHARE must be a number above 0 and at most 1, got 2/);
  assert.throws(() => memoryShare(0), /memoryShare must be/);
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(1_500_000), '1.5 MB');
});

test('cosineSimilarityMatrix and gramMatrix refuse before allocating anything', () => {
  // 50,000 rows of 1 value: the input is tiny, the 10 GB result is what would be allocated (float32
  // rows this many give float32 products and a float32 result, as numpy does).
  const x = { rows: 50_000, cols: 1, data: new Float32Array(50_000).fill(1) };
  const heapBefore = process.memoryUsage().arrayBuffers;
  withShare('0.0001', () => {
    assert.throws(() => cosineSimilarityMatrix(x), (e: unknown) => e instanceof MechLensError && e.code === 'memory' && /a 50,000 × 50,000 similarity matrix .* needs 10\.0 GB/.test(e.message));
    assert.throws(() => gramMatrix(x), (e: unknown) => e instanceof MechLensError && e.code === 'memory' && /50,000 × 50,000 Gram matrix/.test(e.message));
  });
  assert.ok(process.memoryUsage().arrayBuffers - heapBefore < 50e6, 'nothing large was allocated');
  const small = { rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 1, 1]) };
  assert.ok(Math.abs(cosineSimilarityMatrix(small).similarity.data[2] - Math.SQRT1_2) < 1e-12);
});

test('loading a whole vector file is refused when it would not fit; a lying header is not mistaken for a big file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  const file = path.join(dir, 'v.txt');
  fs.writeFileSync(file, '3 2\na 1 2\nb 3 4\nc 5 6\n');
  process.env.MECHLENS_MEMORY_SHARE = '1e-12';
  await assert.rejects(loadVectors(file).finally(() => delete process.env.MECHLENS_MEMORY_SHARE), (e: unknown) => e instanceof MechLensError && e.code === 'memory' && /loading all 3 × 2 vectors of the file needs/.test(e.message) && e.input === file);
  const loaded = await loadVectors(file);
  assert.deepEqual(loaded.words, ['a', 'b', 'c']);
  // The header claims a billion rows: the reader's own message, not a memory refusal.
  fs.writeFileSync(file, '1000000000 2\na 1 2\n');
  await assert.rejects(loadVectors(file), /header says 1000000000 rows but the file has 1/);
});

test('model weights are estimated as Float32 from the checkpoint and refused when too big', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 32, nHead: 2, seed: 1 });
  const model = await loadModel(dir, { fresh: true });
  assert.equal(model.kind, 'gpt2');
  if (model.kind !== 'gpt2') return;
  let elements = 0;
  for (const name of model.checkpoint.tensorNames) elements += model.checkpoint.tensor(name).info.shape.reduce((a, b) => a * b, 1);
  assert.ok(modelWeightBytes(model) >= elements * 4);
  assert.throws(() => assertModelFits(model, 'tiny-gpt2', { freeBytes: 1000 }), /loading the weights of tiny-gpt2 needs .* but only 1\.0 kB of memory is free/);
  assert.doesNotThrow(() => assertModelFits(model, 'tiny-gpt2', { freeBytes: 16 * GB }));
});
