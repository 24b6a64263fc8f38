// runAttentionJob runs job 4 in the real worker thread and returns what runAttention returns in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runAttentionJob } from '../../src/extension/jobs';
import { runAttention } from '../../src/core/analyses/attention';
import { checkJobInWorker } from '../helpers/job-in-worker';

test('runAttentionJob in a worker equals runAttention in-process, with progress on the way; cancel stops it', () => checkJobInWorker({
  checkpoint: { nLayer: 2, nEmbd: 32, nHead: 2, seed: 4 },
  input: (dir, model) => {
    const wordsPath = path.join(dir, 'w.words');
    fs.writeFileSync(wordsPath, '[space]\nmoon\nstar\nsun\n[fruit]\napple\npear\nlime\n');
    return { wordsPath, model, layer: 1, sweep: true, permutations: 50, seed: 1, offline: true };
  },
  viaWorker: runAttentionJob,
  direct: runAttention,
  check: (viaWorker, direct, progress) => {
    assert.equal(viaWorker.job, 'attention');
    assert.deepEqual(viaWorker.items, direct.items);
    assert.deepEqual(viaWorker.q.similarity, direct.q.similarity);
    assert.deepEqual(viaWorker.rsa, direct.rsa);
    assert.deepEqual(viaWorker.heads, direct.heads);
    assert.deepEqual(viaWorker.sweep, direct.sweep);
    assert.equal(viaWorker.sweep?.length, 2);
    assert.ok(progress.length > 2 && progress.some((p) => p.message === 'Layer sweep'));
  },
}));
