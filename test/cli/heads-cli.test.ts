// mechlens heads through the built CLI: the JSON's shape (scores L × H per detector, texts with
// {id, token}, patterns[text][layer][head][q][k] with --patterns), its numbers against the PyTorch
// fixture (test/fixtures/heads), and the errors that name the fix.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtCli, repoRoot } from '../helpers/cli';
import { HEADS_FIXTURE_MODELS, HEADS_FIXTURE_PROBE, HEADS_FIXTURE_TEXTS, fixtureDir } from '../fixtures/heads/checkpoints';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-heads-cli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/heads/reference.json'), 'utf8')) as {
  models: { name: string; textsMean: Record<string, number[][]>; probe: { ids: number[]; scores: Record<string, number[][]>; patterns: number[][][][] } }[];
};
const gpt2 = HEADS_FIXTURE_MODELS.find((m) => m.name === 'gpt2')!;
const llama = HEADS_FIXTURE_MODELS.find((m) => m.name === 'llama')!;

function cli(args: string[]) {
  return spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
}

before(() => { for (const m of [gpt2, llama]) m.write(fixtureDir(tmp, m)); });

const close = (got: number[][], want: number[][], what: string) => got.forEach((row, l) => row.forEach((v, h) => assert.ok(Math.abs(v - want[l][h]) <= 1e-4, `${what}[${l}][${h}]: ${v} vs torch ${want[l][h]}`)));

test('mechlens heads --repeat-random --patterns writes scores L × H, the tokens and patterns[text][layer][head][q][k], as PyTorch computes them', () => {
  const out = path.join(tmp, 'probe.json');
  const r = cli(['heads', '--model', fixtureDir(tmp, gpt2), '--repeat-random', String(HEADS_FIXTURE_PROBE.tokens), '--seed', String(HEADS_FIXTURE_PROBE.seed), '--patterns', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /top induction heads: L\dH\d/);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  const want = fixture.models.find((m) => m.name === 'gpt2')!.probe;
  assert.deepEqual(Object.keys(json.scores).sort(), ['duplicateToken', 'induction', 'previousToken']);
  for (const name of ['previousToken', 'duplicateToken', 'induction']) {
    assert.equal(json.scores[name].length, 3, 'one row per layer');
    assert.ok(json.scores[name].every((row: number[]) => row.length === 4), 'one column per head');
    close(json.scores[name], want.scores[name], name);
  }
  assert.equal(json.texts.length, 1);
  assert.deepEqual(json.texts[0].tokens.map((t: { id: number }) => t.id), want.ids);
  assert.deepEqual(json.texts[0].tokens[0], { id: 50256, token: '<|endoftext|>' }, 'GPT-2: the probe starts with <|endoftext|>');
  const T = want.ids.length;
  assert.equal(json.patterns.length, 1);
  assert.equal(json.patterns[0].length, 3);
  assert.equal(json.patterns[0][2].length, 4);
  assert.equal(json.patterns[0][2][3].length, T);
  assert.equal(json.patterns[0][2][3][T - 1].length, T);
  assert.ok(Math.abs(json.patterns[0][2][3][T - 1][5] - want.patterns[2][3][T - 1][5]) < 1e-4);
  assert.deepEqual(json.probe, { kind: 'repeat-random', tokens: HEADS_FIXTURE_PROBE.tokens, seed: HEADS_FIXTURE_PROBE.seed, bos: { id: 50256, token: '<|endoftext|>' } });
});

test('mechlens heads --text … averages the texts\' scores; without --patterns there are none (Llama: GQA, BOS added)', () => {
  const out = path.join(tmp, 'texts.json');
  const r = cli(['heads', '--model', fixtureDir(tmp, llama), ...HEADS_FIXTURE_TEXTS.flatMap((t) => ['--text', t]), '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.patterns, undefined);
  assert.equal(json.bosAdded, true);
  assert.equal(json.texts.length, 2);
  assert.equal(json.texts[0].tokens[0].token, '<|begin_of_text|>');
  const want = fixture.models.find((m) => m.name === 'llama')!.textsMean;
  for (const name of ['previousToken', 'duplicateToken', 'induction']) close(json.scores[name], want[name], name);
});

test('mechlens heads names the fix for a missing or doubled input and a bad N', () => {
  const dir = fixtureDir(tmp, gpt2);
  const none = cli(['heads', '--model', dir, '--json', path.join(tmp, 'x.json')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /give --text T \(repeatable\) or --repeat-random N/);
  const both = cli(['heads', '--model', dir, '--text', 'a', '--repeat-random', '5', '--json', path.join(tmp, 'x.json')]);
  assert.match(both.stderr, /--text and --repeat-random cannot be combined/);
  const bad = cli(['heads', '--model', dir, '--repeat-random', '1', '--json', path.join(tmp, 'x.json')]);
  assert.match(bad.stderr, /--repeat-random must be/);
  const seed = cli(['heads', '--model', dir, '--text', 'a b', '--seed', '3', '--json', path.join(tmp, 'x.json')]);
  assert.match(seed.stderr, /--seed goes with --repeat-random/);
});
