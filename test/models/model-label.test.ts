import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { captureActivations } from '../../src/core/models/capture';
import { SOURCE_FILE } from '../../src/core/models/checkpoint';
import { modelCacheDir } from '../../src/core/models/hub';
import { modelLabel } from '../../src/core/models/model-label';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { SessionCache } from '../../src/core/models/runtime';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-label-'));

test('a hub model in the cache is named by its id in progress messages, not by its revision folder "main"', async () => {
  const dir = modelCacheDir('test-org/tiny', 'main', tmp());
  writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 16, nHead: 2, nPositions: 32, seed: 2 });
  fs.writeFileSync(path.join(dir, SOURCE_FILE), JSON.stringify({ id: 'test-org/tiny', revision: 'main', commit: null, endpoint: 'x', files: [], downloadedAt: '' }));
  assert.equal(path.basename(dir), 'main');
  const messages: string[] = [];
  await captureActivations(dir, ['a b c'], ['blocks.0.hook_resid_post'], 'last', { provider: 'cpu', threads: 1, sessions: new SessionCache(1), onProgress: (p) => messages.push(p.message) });
  const running = messages.filter((m) => m.startsWith('Running '));
  assert.ok(running.length > 0);
  for (const m of running) assert.match(m, /^Running test-org\/tiny: batch/);
});

test('modelLabel: the record id (with a non-main revision), the Hugging Face hub cache layout, else the folder name', () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, SOURCE_FILE), JSON.stringify({ id: 'owner/m', revision: 'v2' }));
  assert.equal(modelLabel(dir), 'owner/m@v2');
  assert.equal(modelLabel('/home/u/.cache/huggingface/hub/models--openai-community--gpt2/snapshots/607a30d783dfa663caf39e06633721c8d4cfcd7e'), 'openai-community/gpt2');
  assert.equal(modelLabel('/data/checkpoints/my-gpt2'), 'my-gpt2');
});
