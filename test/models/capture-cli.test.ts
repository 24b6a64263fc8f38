// mechlens activations and mechlens hooks through the built CLI (dist/cli.js), per the contract.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { builtCli } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-actcli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = path.join(tmp, 'tiny-gpt2');

function cli(args: string[]) {
  return spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
}

before(() => {
  writeRandomGpt2Checkpoint(dir, { nLayer: 2, nEmbd: 64, nHead: 4, seed: 3 });
});

test('activations --words --template writes rows × dims at each word, tokens, provider, and warns about split words', () => {
  const words = path.join(tmp, 'w.words');
  fs.writeFileSync(words, '[space]\nspace\nrocket\n[fruit]\napple\ngrapefruit\n');
  const out = path.join(tmp, 'out', 'q.json');
  const r = cli(['activations', '--model', dir, '--hook', 'blocks.1.attn.hook_q', '--words', words, '--template', 'The next word is {word}', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.provider, 'cpu');
  assert.equal(json.hookResolved, 'blocks.1.attn.hook_q');
  assert.deepEqual(json.items.map((i: { word: string }) => i.word), ['space', 'rocket', 'apple', 'grapefruit']);
  assert.equal(json.activations.length, 4);
  assert.equal(json.activations[0].length, 64);
  assert.deepEqual(json.tokens[0], ['The', '␣next', '␣word', '␣is', '␣space']);
  assert.equal(json.positions[0], 4);
  assert.match(json.warnings.join('\n'), /"grapefruit" is not a single token/);
  assert.match(r.stderr, /warning: "grapefruit"/);
  // The template's four tokens once, then each word's own (␣grape|fruit is two): 9 of 5 + 5 + 5 + 6.
  assert.match(r.stderr, /computed 9 of 21 tokens: common prefixes once/);
  assert.equal(json.tokens[3][json.positions[3]], 'fruit', 'a split word is read at its last piece');
  const ckpt = openCheckpoint(dir);
  // Row 0 against the reference forward of the same tokens.
  const ref = referenceForward(ckpt.config, (n) => ckpt.readF32(n), [464, 1306, 1573, 318, 2272]);
  const want = ref['blocks.1.attn.hook_q'].data.subarray(4 * 64, 5 * 64);
  json.activations[0].forEach((v: number, j: number) => assert.ok(Math.abs(v - want[j]) <= 1e-4));
});

test('activations --text with a {marker}, --position all, and an HF alias', () => {
  const out = path.join(tmp, 'all.json');
  const r = cli(['activations', '--model', dir, '--hook', 'transformer.h.0.mlp.c_fc', '--text', 'I saw him', '--text', 'apple', '--position', 'all', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.hookResolved, 'blocks.0.mlp.hook_pre');
  assert.deepEqual(json.rowInputs, [0, 0, 0, 1]);
  assert.deepEqual(json.positions, [0, 1, 2, 0]);
  assert.equal(json.activations[0].length, 256);
  const marked = path.join(tmp, 'marked.json');
  const m = cli(['activations', '--model', dir, '--hook', 'blocks.0.attn.hook_attn_scores', '--text', 'I saw {him} at noon', '--json', marked]);
  assert.equal(m.status, 0, m.stderr);
  const mj = JSON.parse(fs.readFileSync(marked, 'utf8'));
  assert.equal(mj.position, 'target');
  assert.equal(mj.tokens[0][mj.positions[0]], '␣him');
  assert.equal(mj.activations[0][mj.positions[0] + 1], null, 'a masked future key is written as null');
});

test('bad arguments exit non-zero with one line naming the input and the fix', () => {
  const cases: [string[], RegExp][] = [
    [['activations', '--model', dir, '--hook', 'blocks.9.attn.hook_q', '--text', 'x', '--json', 'o.json'], /blocks\.9\.attn\.hook_q: hook "blocks\.9\.attn\.hook_q" asks for layer 9, but the model has 2 layers/],
    [['activations', '--model', dir, '--hook', 'blocks.0.attn.hook_q', '--json', 'o.json'], /give --text T \(repeatable\) or --words FILE --template T/],
    [['activations', '--model', dir, '--hook', 'blocks.0.attn.hook_q', '--text', 'x', '--position', 'first', '--json', 'o.json'], /--position must be last, target or all/],
    [['activations', '--model', path.join(tmp, 'nope', 'dir'), '--hook', 'hook_embed', '--text', 'x', '--json', 'o.json'], /is neither a folder nor a Hugging Face model id/],
    [['hooks', '--model', path.join(tmp, 'x.onnx')], /is neither a folder nor a Hugging Face model id/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('hooks lists every hook point with shapes and HF aliases', () => {
  const out = path.join(tmp, 'hooks.json');
  const r = cli(['hooks', '--model', dir, '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2 + 2 * 14 + 2);
  assert.match(lines.find((l) => l.startsWith('blocks.1.attn.hook_q '))!, /\[4, 16\]/);
  assert.match(lines.find((l) => l.startsWith('blocks.1.mlp.hook_pre '))!, /\[256\].*transformer\.h\.1\.mlp\.c_fc/);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.hooks.length, lines.length);
  assert.equal(json.kind, 'gpt2');
});
