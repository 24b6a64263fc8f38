// runContrast refuses sentence sets it cannot test before it opens any model: not exactly two
// groups, or a group with fewer than 2 sentences (a t-test needs two per group).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MechLensError } from '../../src/core/errors';
import { runContrast } from '../../src/core/analyses/contrast';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';

test('a contrast needs exactly two groups with at least two sentences each, and says so naming the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const cases: [string, RegExp][] = [
      ['[him]\nI saw {him}.\nWe met {him}.\n[her]\nI saw {her}.\nWe met {her}.\n[them]\nI saw {them}.\n', /a contrast needs exactly two \[groups\], found 3 \(him, her, them\)/],
      ['I saw {him}.\nI saw {her}.\n', /a contrast needs exactly two \[groups\], found 0\./],
      ['[him]\nI saw {him}.\n[her]\nI saw {her}.\nWe met {her}.\n', /each group needs at least 2 sentences for a t-test \(him: 1, her: 2\)/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const file = path.join(dir, `s${i}.sentences`);
      fs.writeFileSync(file, text);
      // The model does not exist: the check must come first.
      await assert.rejects(runContrast({ sentencesPath: file, model: path.join(dir, 'no-model') }), (e: unknown) =>
        e instanceof MechLensError && e.code === 'bad-argument' && e.input === file && message.test(e.message));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a --k larger than the significant neurons is lowered and the result says so', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    writeRandomGpt2Checkpoint(path.join(dir, 'model'), { nLayer: 1, nEmbd: 32, nHead: 2, nPositions: 64, seed: 2 });
    const sentencesPath = path.join(__dirname, '../../samples/him-her.sentences');
    const result = await runContrast({ sentencesPath, model: path.join(dir, 'model'), hook: 'blocks.0.mlp.hook_pre', correction: 'fdr', alpha: 0.99, shuffles: 0, k: 100_000 });
    const n = result.significant.length;
    assert.ok(n >= 2, `${n} significant neurons to cluster`);
    assert.equal(result.kmeans?.k, n);
    assert.ok(result.warnings.includes(`k-means: k 100000 is more than the ${n} significant neurons, so k was lowered to ${n}.`), result.warnings.join('\n'));
    const fits = await runContrast({ sentencesPath, model: path.join(dir, 'model'), hook: 'blocks.0.mlp.hook_pre', correction: 'fdr', alpha: 0.99, shuffles: 0, k: 2 });
    assert.ok(!fits.warnings.some((w) => w.startsWith('k-means')), 'no warning when k fits');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without --eps, DBSCAN on the neuron map uses the map\'s own spacing (autoEps, as Compare) and says so; an explicit eps is kept', async () => {
  const { autoEps } = await import('../../src/core/analyses/embedding-map');
  const { fromJson } = await import('../../src/core/matrix');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    writeRandomGpt2Checkpoint(path.join(dir, 'model'), { nLayer: 1, nEmbd: 32, nHead: 2, nPositions: 64, seed: 2 });
    const base = { sentencesPath: path.join(__dirname, '../../samples/him-her.sentences'), model: path.join(dir, 'model'), hook: 'blocks.0.mlp.hook_pre', correction: 'fdr' as const, alpha: 0.99, shuffles: 0 };
    const auto = await runContrast(base);
    assert.ok(auto.significant.length >= 2);
    const eps = autoEps(fromJson(auto.coords), 3, 0);
    assert.deepEqual([auto.run.options.eps, auto.run.options.epsChosen], [eps, 'auto']);
    assert.ok(auto.clusters.some((c) => c.label >= 0), 'the automatic eps finds at least one cluster on this map');
    const given = await runContrast({ ...base, eps: 1 });
    assert.deepEqual([given.run.options.eps, given.run.options.epsChosen], [1, 'given']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
