// runContrastJob runs job 5 in the real worker thread and returns what runContrast returns in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runContrastJob } from '../../src/extension/jobs';
import { runContrast } from '../../src/core/analyses/contrast';
import { checkJobInWorker } from '../helpers/job-in-worker';

const sentences = `[him]\nI saw {him} at the market.\nWe met {him} near the station.\nShe called {him} after lunch.\nThey invited {him} to the party.\n` +
  `[her]\nI saw {her} at the market.\nWe met {her} near the station.\nShe called {her} after lunch.\nThey invited {her} to the party.\n`;

test('runContrastJob in a worker equals runContrast in-process, with progress on the way; cancel stops it', () => checkJobInWorker({
  checkpoint: { nLayer: 1, nEmbd: 32, nHead: 2, seed: 2 },
  input: (dir, model) => {
    const sentencesPath = path.join(dir, 'hh.sentences');
    fs.writeFileSync(sentencesPath, sentences);
    return { sentencesPath, model, hook: 'blocks.0.mlp.hook_pre', shuffles: 20, perplexity: 5, seed: 1, offline: true };
  },
  viaWorker: runContrastJob,
  direct: runContrast,
  check: (viaWorker, direct, progress) => {
    assert.equal(viaWorker.job, 'contrast');
    assert.equal(viaWorker.t.length, 128);
    assert.deepEqual(viaWorker.t, direct.t);
    assert.deepEqual(viaWorker.significant, direct.significant);
    assert.deepEqual(viaWorker.labelShuffle, direct.labelShuffle);
    assert.ok(progress.length > 2 && progress.some((p) => p.message === 'Reading the sentences'));
  },
}));
