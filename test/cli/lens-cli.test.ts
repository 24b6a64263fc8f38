// `mechlens lens` through the built CLI on a random GPT-2 checkpoint with the real tokenizer: the
// JSON has exactly the contract's shape (texts[].text, tokens[{id, token}], layers[{hook,
// positions[{top[{id, token, prob}], target{id, prob, rank}}]}]), probabilities in order, and the
// errors name their input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { builtCli, repoRoot } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-lenscli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'gpt2');
writeRandomGpt2Checkpoint(model, { nLayer: 2, nEmbd: 32, nHead: 4, seed: 9 });

function cli(args: string[]) {
  return spawnSync(process.execPath, [builtCli(), 'lens', ...args], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
}

test('mechlens lens writes the contract JSON', () => {
  const out = path.join(tmp, 'lens.json');
  const r = cli(['--model', model, '--text', 'The cat sat on the', '--text', 'Paris is', '--target', 'mat', '--top', '3', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.texts.length, 2);
  assert.equal(json.texts[0].text, 'The cat sat on the');
  for (const text of json.texts) {
    assert.ok(text.tokens.length > 0);
    for (const t of text.tokens) assert.deepEqual(Object.keys(t).sort(), ['id', 'token']);
    assert.equal(text.tokens.map((t: { token: string }) => t.token).join(''), text.text, 'tokens decode to the text');
    assert.equal(text.layers.length, 2);
    text.layers.forEach((layer: { hook: string; positions: { top: { id: number; token: string; prob: number }[]; target: { id: number; prob: number; rank: number } }[] }, l: number) => {
      assert.equal(layer.hook, `blocks.${l}.hook_resid_post`);
      assert.equal(layer.positions.length, text.tokens.length);
      for (const p of layer.positions) {
        assert.equal(p.top.length, 3);
        for (const c of p.top) assert.deepEqual(Object.keys(c).sort(), ['id', 'prob', 'token']);
        assert.ok(p.top[0].prob >= p.top[1].prob && p.top[1].prob >= p.top[2].prob);
        assert.deepEqual(Object.keys(p.target).sort(), ['id', 'prob', 'rank']);
        assert.equal(p.target.id, json.target.id);
        assert.ok(p.target.rank >= 1 && Number.isInteger(p.target.rank));
        assert.equal(p.target.rank === 1, p.top[0].id === p.target.id);
      }
    });
  }
  assert.equal(json.target.token, ' mat');
  assert.match(r.stderr, /next token/);
});

test('mechlens lens errors name the input and the fix', () => {
  const out = path.join(tmp, 'bad.json');
  const pieces = cli(['--model', model, '--text', 'Hi', '--target', 'Eiffelicious', '--json', out]);
  assert.notEqual(pieces.status, 0);
  assert.match(pieces.stderr, /"Eiffelicious" is not one token.*\|/);
  const noText = cli(['--model', model, '--json', out]);
  assert.notEqual(noText.status, 0);
  assert.match(noText.stderr, /--text is required/);
  const top = cli(['--model', model, '--text', 'Hi', '--top', '0', '--json', out]);
  assert.notEqual(top.status, 0);
  assert.match(top.stderr, /--top/);
  assert.ok(!fs.existsSync(out));
});
