// SAE features as a source for the other jobs: `mechlens contrast --sae` (per-feature t-tests with the
// same corrections, shuffle check and clusters) and `model:ID#HOOK@sae:SPEC` word sources, checked
// against `mechlens sae`'s encoding of the same tokens (itself checked against numpy in sae-cli.test.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSae } from '../../src/core/analyses/sae';
import { loadSourceVectors, parseModelSpec } from '../../src/core/analyses/sources';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import type { ContrastResult } from '../../src/protocol/result';
import { builtCli, repoRoot } from '../helpers/cli';
import { SAE_FIXTURE_CHECKPOINT } from '../fixtures/sae/dump-activations';

const saeDir = path.join(__dirname, '../fixtures/sae/e2e/sae');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-saesrc-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'tiny-gpt2');
before(() => writeRandomGpt2Checkpoint(model, SAE_FIXTURE_CHECKPOINT));

const close = (actual: number, wanted: number, what: string) =>
  assert.ok(Math.abs(actual - wanted) <= 1e-4 * Math.max(1, Math.abs(wanted)), `${what}: ${actual} vs ${wanted}`);

/** scipy.stats.ttest_ind(a, b) (pooled variance), for one column. */
function studentT(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ss = (x: number[], m: number) => x.reduce((s, v) => s + (v - m) ** 2, 0);
  const ma = mean(a), mb = mean(b);
  const pooled = (ss(a, ma) + ss(b, mb)) / (a.length + b.length - 2);
  return (ma - mb) / Math.sqrt(pooled * (1 / a.length + 1 / b.length));
}

test('mechlens contrast --sae runs the t-tests, corrections, shuffle check and clusters on SAE features', async () => {
  const out = path.join(tmp, 'contrast.json');
  const r = spawnSync(process.execPath, [builtCli(), 'contrast', '--sentences', path.join(repoRoot, 'samples/him-her.sentences'), '--model', model, '--sae', saeDir,
    '--correction', 'fdr', '--shuffles', '20', '--json', out], { encoding: 'utf8', env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as ContrastResult;
  assert.equal(result.hook, 'blocks.1.hook_resid_pre', "the SAE's hook, as no --hook was given");
  assert.equal(result.sae?.dSae, 96);
  assert.equal(result.t.length, 96);
  assert.equal(result.activations[0].length, 96);
  assert.equal(result.neuroscope, null);
  assert.equal(result.labelShuffle.shuffles, 20);
  assert.equal(result.tokens[0][0], '<|endoftext|>', "the SAE's prepend_bos");
  assert.match(r.stderr, /96 features of the SAE sae at blocks\.1\.hook_resid_pre/);

  // Each row is the SAE's encoding of the sentence's target token, as mechlens sae gives it.
  for (const i of [0, 1, 60]) {
    const s = result.sentences[i];
    const sae = await runSae({ model, sae: saeDir, texts: [s.text], top: 96, provider: 'cpu' });
    const at = sae.texts[0].positions[s.position];
    const row = result.activations[i];
    for (const { feature, value } of at.top) close(row[feature], value, `sentence ${i} feature ${feature}`);
    assert.equal(row.filter((v) => v !== 0).length, at.l0, `sentence ${i}: L0`);
  }
  // And the t-test is scipy's on those columns.
  const nA = result.sentences.filter((s) => s.group === 0).length;
  for (let f = 0; f < 96; f += 7) {
    const column = result.activations.map((row) => row[f]);
    const a = column.slice(0, nA), b = column.slice(nA);
    if (new Set(column).size === 1) { assert.equal(result.t[f], 0); continue; }
    close(result.t[f], studentT(a, b), `t of feature ${f}`);
  }
});

test('model:ID#HOOK@sae:SPEC and model:ID#sae:SPEC are word sources of SAE features', async () => {
  assert.deepEqual(parseModelSpec('model:gpt2#blocks.8.hook_resid_pre@sae:gpt2-small-res-jb/blocks.8.hook_resid_pre'), { model: 'gpt2', hook: 'blocks.8.hook_resid_pre', sae: 'gpt2-small-res-jb/blocks.8.hook_resid_pre' });
  assert.deepEqual(parseModelSpec('model:gpt2#sae:/x/y'), { model: 'gpt2', hook: '', sae: '/x/y' });
  assert.deepEqual(parseModelSpec('model:gpt2#blocks.1.hook_q'), { model: 'gpt2', hook: 'blocks.1.hook_q' });
  assert.throws(() => parseModelSpec('model:gpt2#embed@sae:x'), /a feature source needs a model, an SAE and a hook the SAE reads/);

  const words = ['apple', 'market', 'station'];
  const source = await loadSourceVectors(`model:${model}#sae:${saeDir}`, words, {});
  assert.equal(source.info.dims, 96);
  assert.match(source.info.label, /#blocks\.1\.hook_resid_pre SAE features$/);
  const same = await loadSourceVectors(`model:${model}#blocks.1.hook_resid_pre@sae:${saeDir}`, words, {});
  assert.deepEqual(same.vectors.data, source.vectors.data);
  for (const [i, word] of words.entries()) {
    const sae = await runSae({ model, sae: saeDir, texts: [`The next word is ${word}`], top: 96, provider: 'cpu' });
    const last = sae.texts[0].positions.at(-1)!;
    for (const { feature, value } of last.top) close(source.vectors.data[i * 96 + feature], value, `${word} feature ${feature}`);
  }
});
