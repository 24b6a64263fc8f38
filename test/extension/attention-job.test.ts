// runAttentionJob runs job 4 in the real worker thread and returns what runAttention returns in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAttentionJob } from '../../src/extension/jobs';
import { runAttention } from '../../src/core/analyses/attention';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { CancelledError } from '../../src/core/errors';
import type { Progress } from '../../src/core/run-control';

test('runAttentionJob in a worker equals runAttention in-process, with progress on the way; cancel stops it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const model = path.join(dir, 'model');
    writeRandomGpt2Checkpoint(model, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 4 });
    const wordsPath = path.join(dir, 'w.words');
    fs.writeFileSync(wordsPath, '[space]\nmoon\nstar\nsun\n[fruit]\napple\npear\nlime\n');
    const input = { wordsPath, model, layer: 1, sweep: true, permutations: 50, seed: 1, offline: true };
    const progress: Progress[] = [];
    const viaWorker = await runAttentionJob(input, { onProgress: (p) => progress.push(p) });
    const direct = await runAttention(input);
    assert.equal(viaWorker.job, 'attention');
    assert.deepEqual(viaWorker.items, direct.items);
    assert.deepEqual(viaWorker.q.similarity, direct.q.similarity);
    assert.deepEqual(viaWorker.rsa, direct.rsa);
    assert.deepEqual(viaWorker.heads, direct.heads);
    assert.deepEqual(viaWorker.sweep, direct.sweep);
    assert.equal(viaWorker.sweep?.length, 2);
    assert.ok(progress.length > 2 && progress.some((p) => p.message === 'Layer sweep'));
    const controller = new AbortController();
    const run = runAttentionJob(input, { signal: controller.signal });
    controller.abort();
    await assert.rejects(run, (err) => err instanceof CancelledError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
