// Job 5 end to end through the CLI on a seeded random checkpoint: activations must reproduce the
// dumped fixture, and t, p and the corrections must match scipy/statsmodels computed on it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../helpers/cli';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { FIXTURE_CHECKPOINT, FIXTURE_HOOK } from '../fixtures/contrast/dump-activations';

const root = join(__dirname, '../..');
const fixtures = join(root, 'test/fixtures/contrast');
const dumped = JSON.parse(readFileSync(join(fixtures, 'activations.regression.json'), 'utf8'));
const scipy = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
let model = '';
let tmp = '';

const cli = (args: string[]) => spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: root });

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mechlens-contrast-'));
  model = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(model, FIXTURE_CHECKPOINT);
});

function close(a: number, b: number, rel: number, abs = 1e-9) {
  return Math.abs(a - b) <= abs + rel * Math.abs(b);
}

for (const testName of ['student', 'welch'] as const) {
  test(`mechlens contrast --test ${testName} matches scipy.stats.ttest_ind and statsmodels`, () => {
    const out = join(tmp, `${testName}.json`);
    const r = cli(['contrast', '--sentences', 'samples/him-her.sentences', '--model', model, '--hook', FIXTURE_HOOK, '--test', testName, '--correction', 'fdr', '--shuffles', '20', '--json', out]);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(json.groups, ['him', 'her']);
    assert.equal(json.sentences.length, 108);
    assert.equal(json.sentences[0].token, '␣him');
    assert.equal(json.sentences[54].token, '␣her');
    assert.equal(json.provider, 'cpu');
    json.activations.forEach((row: number[], i: number) => row.forEach((v, j) => assert.ok(Math.abs(v - dumped.activations[i][j]) < 1e-4, `activation ${i},${j}`)));
    const want = scipy[testName];
    json.t.forEach((t: number, j: number) => assert.ok(close(t, want.t[j], 1e-4, 1e-6), `t[${j}] ${t} vs scipy ${want.t[j]}`));
    json.p.forEach((p: number, j: number) => assert.ok(close(p, want.p[j], 1e-3, 1e-12), `p[${j}] ${p} vs scipy ${want.p[j]}`));
    assert.deepEqual(json.significant, want.fdr);
    assert.equal(json.labelShuffle.shuffles, 20);
    assert.equal(json.coords.length, json.significant.length);
    assert.equal(json.labels.length, json.significant.length);
    assert.equal(json.gram.length, json.significant.length);
  });
}

test('mechlens contrast with Bonferroni reproduces the notebook threshold alpha / nNeurons', () => {
  const out = join(tmp, 'bonf.json');
  const r = cli(['contrast', '--sentences', 'samples/him-her.sentences', '--model', model, '--hook', FIXTURE_HOOK, '--shuffles', '0', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(json.threshold, 0.05 / 128);
  assert.deepEqual(json.significant, scipy.student.bonferroni);
  assert.match(r.stderr, /significant \(p threshold/);
});

test('mechlens contrast names the sentence whose target is missing, and rejects bad options', () => {
  const bad = join(tmp, 'bad.sentences');
  writeFileSync(bad, '[a]\nI saw him there.\nWe met him.\n[b]\nI saw her there.\nWe met nobody.\n');
  const r = cli(['contrast', '--sentences', bad, '--model', model, '--hook', FIXTURE_HOOK, '--target', ' him', '--target', ' her', '--json', join(tmp, 'x.json')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /We met nobody/);
  const opt = cli(['contrast', '--sentences', 'samples/him-her.sentences', '--model', model, '--test', 'mann-whitney', '--json', join(tmp, 'y.json')]);
  assert.equal(opt.status, 1);
  assert.match(opt.stderr, /--test must be student or welch/);
});
