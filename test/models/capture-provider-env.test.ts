// The mechlens.executionProvider setting reaches captureActivations through the environment (the
// extension sets it; worker threads inherit it); an explicit option still wins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureActivations } from '../../src/core/models/capture';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';

let dir = '';
const saved = process.env.MECHLENS_EXECUTION_PROVIDER;
before(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'mechlens-provider-')), 'm');
  writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 16, nHead: 2, seed: 3 });
});
after(() => {
  if (saved === undefined) delete process.env.MECHLENS_EXECUTION_PROVIDER;
  else process.env.MECHLENS_EXECUTION_PROVIDER = saved;
});

test('MECHLENS_EXECUTION_PROVIDER is the default provider, and is checked like the setting', async () => {
  process.env.MECHLENS_EXECUTION_PROVIDER = 'tpu';
  await assert.rejects(captureActivations(dir, ['hello world'], ['blocks.0.hook_resid_post']), /mechlens\.executionProvider: unknown execution provider "tpu"/);
  const explicit = await captureActivations(dir, ['hello world'], ['blocks.0.hook_resid_post'], 'last', { provider: 'cpu' });
  assert.equal(explicit.provider, 'cpu');
  process.env.MECHLENS_EXECUTION_PROVIDER = 'cpu';
  const fromEnv = await captureActivations(dir, ['hello world'], ['blocks.0.hook_resid_post']);
  assert.equal(fromEnv.provider, 'cpu');
});
