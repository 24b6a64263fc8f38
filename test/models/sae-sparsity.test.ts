// SAELens's sparsity.safetensors (log10 feature density, [d_sae]) beside an SAE's weights: read from a
// local folder and from the hub (test/fixtures/sae/make_sae_fixtures.py wrote a random one with numpy,
// one feature −inf), carried per feature in the sae job's profiles, null where the feature never fired;
// a file that does not fit is reported and left out; no file is fine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSae } from '../../src/core/analyses/sae';
import { loadSae, readSaeFiles } from '../../src/core/models/sae/load';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { FakeHub } from '../helpers/fake-hub';
import { SAE_FIXTURE_CHECKPOINT, SAE_FIXTURE_TEXTS } from '../fixtures/sae/dump-activations';

const fixtures = path.join(__dirname, '../fixtures/sae');
const expected = (JSON.parse(fs.readFileSync(path.join(fixtures, 'sparsity/expected.json'), 'utf8')) as { log10: (number | null)[] }).log10;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-sparsity-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const withSparsity = path.join(tmp, 'with-sparsity');
const model = path.join(tmp, 'tiny-gpt2');
const hub = new FakeHub();

before(async () => {
  fs.cpSync(path.join(fixtures, 'e2e/sae'), withSparsity, { recursive: true });
  fs.copyFileSync(path.join(fixtures, 'sparsity/sparsity.safetensors'), path.join(withSparsity, 'sparsity.safetensors'));
  writeRandomGpt2Checkpoint(model, SAE_FIXTURE_CHECKPOINT);
  await hub.start();
  hub.addFolder('someone/saes', 'with', withSparsity);
  hub.addFolder('someone/saes', 'without', path.join(fixtures, 'e2e/sae'));
});
after(() => hub.stop());

const matches = (got: Float32Array | undefined) => {
  assert.ok(got, 'the log densities were read');
  assert.equal(got.length, expected.length);
  expected.forEach((want, i) => {
    if (want === null) assert.equal(got[i], -Infinity, `feature ${i} never fired`);
    else assert.ok(Math.abs(got[i] - want) < 1e-6, `feature ${i}: ${got[i]} vs numpy ${want}`);
  });
};

test('a local folder with sparsity.safetensors: each feature\'s log10 density as numpy wrote it', () => {
  matches(readSaeFiles(withSparsity).logDensity);
  assert.equal(readSaeFiles(path.join(fixtures, 'e2e/sae')).logDensity, undefined, 'no file: no densities, no warning');
  assert.deepEqual(readSaeFiles(path.join(fixtures, 'e2e/sae')).warnings, []);
});

test('the sae job carries the release density per profile (null for −inf); the contract\'s fields are unchanged', async () => {
  const r = await runSae({ model, sae: withSparsity, texts: SAE_FIXTURE_TEXTS, provider: 'cpu' });
  assert.ok(r.profiles.length > 0);
  for (const p of r.profiles) {
    const want = expected[p.feature];
    if (want === null) assert.equal(p.releaseLogDensity, null);
    else assert.ok(Math.abs((p.releaseLogDensity as number) - want) < 1e-6, `feature ${p.feature}`);
  }
  const plain = await runSae({ model, sae: path.join(fixtures, 'e2e/sae'), texts: SAE_FIXTURE_TEXTS, provider: 'cpu' });
  assert.ok(plain.profiles.every((p) => !('releaseLogDensity' in p)));
  assert.deepEqual(r.texts, plain.texts, 'texts, tokens, positions, MSE: the same with or without the file');
  assert.equal(JSON.stringify(r).includes('Infinity'), false, 'JSON-safe');
});

test('a sparsity file of the wrong shape is reported and left out', () => {
  const bad = path.join(tmp, 'bad-sparsity');
  fs.cpSync(path.join(fixtures, 'e2e/sae'), bad, { recursive: true });
  fs.copyFileSync(path.join(fixtures, 'unit/standard/sae_weights.safetensors'), path.join(bad, 'sparsity.safetensors'));
  const sae = readSaeFiles(bad);
  assert.equal(sae.logDensity, undefined);
  assert.match(sae.warnings.join('\n'), /sparsity\.safetensors was not read: it should hold a tensor "sparsity" of 96 values/);
});

test('from the hub: sparsity.safetensors is downloaded with the SAE when the repository has it, and its absence is fine', async () => {
  const cacheDir = path.join(tmp, 'cache');
  const saved = process.env.HF_ENDPOINT;
  process.env.HF_ENDPOINT = hub.endpoint;
  try {
    matches((await loadSae('hf:someone/saes/with', { cacheDir })).logDensity);
    assert.ok(hub.log.some((l) => l.method === 'GET' && l.url.endsWith('with/sparsity.safetensors')));
    const without = await loadSae('hf:someone/saes/without', { cacheDir });
    assert.equal(without.logDensity, undefined);
    assert.ok(hub.log.some((l) => l.method === 'HEAD' && l.url.endsWith('without/sparsity.safetensors')), 'asked for, and missing');
  } finally {
    if (saved === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = saved;
  }
});
