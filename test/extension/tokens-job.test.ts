// runTokensJob runs job 2 in the real worker thread and returns what runTokens returns in-process,
// with t-SNE progress on the way; cancelling mid-run stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTokensJob } from '../../src/extension/jobs';
import { runTokens } from '../../src/core/analyses/tokens';
import { checkJobInWorker } from '../helpers/job-in-worker';

test('runTokensJob in a worker equals runTokens in-process, with progress on the way; cancel stops it', () => checkJobInWorker({
  checkpoint: { nLayer: 1, nEmbd: 16, nHead: 2, seed: 4 },
  input: (_dir, model) => ({ model, first: 60, perplexity: 5, offline: true }),
  viaWorker: runTokensJob,
  direct: runTokens,
  check: (viaWorker, direct, progress) => {
    assert.equal(viaWorker.job, 'tokens');
    for (const key of ['tokens', 'tokenIds', 'embeddings', 'gram', 'norms', 'coords', 'labels', 'clusters', 'ungrouped', 'map'] as const) {
      assert.deepEqual(viaWorker[key], direct[key], key);
    }
    assert.ok(progress.some((p) => /^t-SNE of 60 tokens, iteration \d+/.test(p.message)), progress.map((p) => p.message).join(' | '));
  },
  // Mid-run: aborted at the first t-SNE progress of a bigger map.
  cancelled: (input, controller) => ({ input: { ...input, first: 400 }, control: { signal: controller.signal, onProgress: (p) => { if (p.message.startsWith('t-SNE')) controller.abort(); } } }),
}));
