// `mechlens attribution` through the built CLI: the JSON has issue 16's contract shape (target,
// contrast, logitDiff, constant, components named embed / pos_embed / blocks.L.attn|mlp, heads
// L × H), its numbers equal the PyTorch fixture's (test/fixtures/attribution) to 1e-4, rotary models
// have no pos_embed, and a target that is several tokens exits 1 naming its pieces.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtCli, repoRoot } from '../helpers/cli';
import { FIXTURE_MODELS } from '../fixtures/attribution/checkpoints';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-attribution-cli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const expected = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/attribution/expected.json'), 'utf8')) as {
  models: { name: string; cases: { text: string; target: string; contrast: string | null; logitDiff: number; constant: number; components: { name: string; value: number }[]; heads: number[][] }[] }[];
};

function cli(args: string[]) {
  return spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: repoRoot, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
}

before(() => {
  for (const name of ['gpt2', 'gemma2']) FIXTURE_MODELS.find((m) => m.name === name)!.write(path.join(tmp, name));
});

for (const name of ['gpt2', 'gemma2']) {
  test(`${name}: the JSON has the contract's shape and PyTorch's numbers`, () => {
    const want = expected.models.find((m) => m.name === name)!.cases[0];
    const out = path.join(tmp, `${name}.json`);
    const html = path.join(tmp, `${name}.html`);
    const r = cli(['attribution', '--model', path.join(tmp, name), '--text', want.text, '--target', want.target, '--contrast', want.contrast!, '--json', out, '--html', html]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(fs.readFileSync(html, 'utf8'), /"job":"attribution"/);
    assert.match(r.stderr, /Σ components \+ constant = /);
    const json = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      target: { id: number; token: string }; contrast: { id: number; token: string }; logitDiff: number; constant: number;
      components: { name: string; value: number }[]; heads: number[][]; softcap: number | null; nLayer: number; nHead: number;
    };
    assert.deepEqual(Object.keys(json.target).sort(), ['id', 'token']);
    assert.equal(json.target.token, '␣Paris');
    assert.equal(json.contrast.token, '␣London');
    assert.deepEqual(json.components.map((c) => c.name), want.components.map((c) => c.name));
    assert.equal(json.components.some((c) => c.name === 'pos_embed'), name === 'gpt2', 'pos_embed only for learned positions');
    assert.equal(json.heads.length, json.nLayer);
    json.heads.forEach((row) => assert.equal(row.length, json.nHead));
    const close = (got: number, w: number, what: string) => assert.ok(Math.abs(got - w) <= 1e-4 * Math.abs(w) + 1e-6, `${what}: ${got} vs ${w}`);
    close(json.logitDiff, want.logitDiff, 'logitDiff');
    close(json.constant, want.constant, 'constant');
    json.components.forEach((c, i) => close(c.value, want.components[i].value, c.name));
    json.heads.forEach((row, l) => row.forEach((v, h) => close(v, want.heads[l][h], `head ${l}.${h}`)));
    close(json.components.reduce((s, c) => s + c.value, 0) + json.constant, json.logitDiff, 'Σ + constant');
    assert.equal(json.softcap, name === 'gemma2' ? 0.1 : null);
    if (name === 'gemma2') assert.match(r.stderr, /before the final softcap/);
  });
}

test('a target of several tokens exits 1 naming the pieces', () => {
  const r = cli(['attribution', '--model', path.join(tmp, 'gpt2'), '--text', 'I ate a', '--target', 'grapefruitz', '--json', path.join(tmp, 'bad.json')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /target "grapefruitz" is not one token with a leading space: it is \d tokens \(␣/);
  assert.equal(fs.existsSync(path.join(tmp, 'bad.json')), false);
});
