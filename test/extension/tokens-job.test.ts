// runTokensJob runs job 2 in the real worker thread and returns what runTokens returns in-process,
// with t-SNE progress on the way; cancelling mid-run stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTokensJob } from '../../src/extension/jobs';
import { runTokens } from '../../src/core/analyses/tokens';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { CancelledError } from '../../src/core/errors';
import type { Progress } from '../../src/core/run-control';

test('runTokensJob in a worker equals runTokens in-process, with progress on the way; cancel stops it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const model = path.join(dir, 'model');
    writeRandomGpt2Checkpoint(model, { nLayer: 1, nEmbd: 16, nHead: 2, seed: 4 });
    const input = { model, first: 60, perplexity: 5, offline: true };
    const progress: Progress[] = [];
    const viaWorker = await runTokensJob(input, { onProgress: (p) => progress.push(p) });
    const direct = await runTokens(input);
    assert.equal(viaWorker.job, 'tokens');
    for (const key of ['tokens', 'tokenIds', 'embeddings', 'gram', 'norms', 'coords', 'labels', 'clusters', 'ungrouped', 'map'] as const) {
      assert.deepEqual(viaWorker[key], direct[key], key);
    }
    assert.ok(progress.some((p) => /^t-SNE of 60 tokens, iteration \d+/.test(p.message)), progress.map((p) => p.message).join(' | '));
    const controller = new AbortController();
    const run = runTokensJob({ ...input, first: 400 }, { signal: controller.signal, onProgress: (p) => { if (p.message.startsWith('t-SNE')) controller.abort(); } });
    await assert.rejects(run, (err) => err instanceof CancelledError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
