// runMatchJob runs job 3 in the real worker thread and returns what runMatch returns in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMatchJob } from '../../src/extension/jobs';
import { runMatch } from '../../src/core/analyses/match';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { CancelledError } from '../../src/core/errors';
import type { Progress } from '../../src/core/run-control';
import { writeMatchVectors } from '../helpers/match-vocabulary';

test('runMatchJob in a worker equals runMatch in-process, with progress on the way; cancel stops it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const model = path.join(dir, 'model');
    writeRandomGpt2Checkpoint(model, { nLayer: 1, nEmbd: 16, nHead: 2, seed: 4 });
    const { file } = writeMatchVectors(dir);
    const input = { a: `vectors:${file}`, b: `model:${model}#embed`, length: 6, count: 30, leadingSpace: 'either' as const, permutations: 50, seed: 1, map: false as const, offline: true };
    const progress: Progress[] = [];
    const viaWorker = await runMatchJob(input, { onProgress: (p) => progress.push(p) });
    const direct = await runMatch(input);
    assert.equal(viaWorker.job, 'match');
    assert.deepEqual(viaWorker.matches, direct.matches);
    assert.equal(viaWorker.matches.length, 30);
    assert.deepEqual(viaWorker.compare?.a.similarity, direct.compare?.a.similarity);
    assert.deepEqual(viaWorker.rsa, direct.rsa);
    assert.ok(progress.some((p) => p.message.startsWith('Walking the vocabulary')) && progress.some((p) => p.message.startsWith('Comparing 30 matched words')));
    const controller = new AbortController();
    const run = runMatchJob(input, { signal: controller.signal });
    controller.abort();
    await assert.rejects(run, (err) => err instanceof CancelledError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
