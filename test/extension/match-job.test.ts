// runMatchJob runs job 3 in the real worker thread and returns what runMatch returns in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMatchJob } from '../../src/extension/jobs';
import { runMatch } from '../../src/core/analyses/match';
import { writeMatchVectors } from '../helpers/match-vocabulary';
import { checkJobInWorker } from '../helpers/job-in-worker';

test('runMatchJob in a worker equals runMatch in-process, with progress on the way; cancel stops it', () => checkJobInWorker({
  checkpoint: { nLayer: 1, nEmbd: 16, nHead: 2, seed: 4 },
  input: (dir, model) => ({ a: `vectors:${writeMatchVectors(dir).file}`, b: `model:${model}#embed`, length: 6, count: 30, leadingSpace: 'either' as const, permutations: 50, seed: 1, map: false as const, offline: true }),
  viaWorker: runMatchJob,
  direct: runMatch,
  check: (viaWorker, direct, progress) => {
    assert.equal(viaWorker.job, 'match');
    assert.deepEqual(viaWorker.matches, direct.matches);
    assert.equal(viaWorker.matches.length, 30);
    assert.deepEqual(viaWorker.compare?.a.similarity, direct.compare?.a.similarity);
    assert.deepEqual(viaWorker.rsa, direct.rsa);
    assert.ok(progress.some((p) => p.message.startsWith('Walking the vocabulary')) && progress.some((p) => p.message.startsWith('Comparing 30 matched words')));
  },
}));
