// The five jobs and the hook listing through the built CLI (dist/cli.js) on random checkpoints of
// other families in the hub layout: Pythia (gpt_neox, parallel residual, untied embed_out) and a
// Llama 3-style model (GQA 4 query heads / 2 kv heads, a tokenizer whose post-processor adds
// <|begin_of_text|>). Numbers: a CLI row equals the same tokens run through the decoder graph in
// one padded batch (the graph itself is checked against PyTorch in families-reference.test.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomCheckpoint } from '../../src/core/models/random-checkpoint';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { buildDecoderGraph } from '../../src/core/models/graph-decoder';
import { planWeights } from '../../src/core/models/graph-weights';
import { resolveHookName } from '../../src/core/models/hooks';
import { paddedFeeds } from '../../src/core/models/packing';
import { createInferenceSession } from '../../src/core/models/runtime';
import { loadTokenizer } from '../../src/core/models/tokenizer';

const root = path.join(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-familycli-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const pythia = path.join(tmp, 'pythia');
const llama = path.join(tmp, 'llama');
const words = path.join(tmp, 'w.words');

function cli(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, MECHLENS_EXECUTION_PROVIDER: 'cpu' } });
}

/** The hook at every position of `ids`, from one padded batch through the graph. */
async function graphRows(dir: string, hook: string, ids: number[]): Promise<Float32Array> {
  const ckpt = openCheckpoint(dir);
  const plan = planWeights(ckpt);
  const built = buildDecoderGraph({ config: ckpt.config, hooks: [resolveHookName(hook, ckpt.config)], weight: plan.weight, lmHead: ckpt.lmHead });
  const session = await createInferenceSession({ bytes: built.bytes, label: dir, ...plan.finish() }, { provider: 'cpu', threads: 1 });
  const out = await session.run(paddedFeeds([ids], 0).feeds);
  await session.dispose();
  return out[hook].data;
}

function assertRowsClose(got: number[][], want: Float32Array, label: string) {
  const width = got[0].length;
  got.forEach((row, t) => row.forEach((v, j) => assert.ok(Math.abs(v - want[t * width + j]) <= 1e-4, `${label}[${t}][${j}]: ${v} vs ${want[t * width + j]}`)));
}

before(() => {
  writeRandomCheckpoint(pythia, { family: 'gpt_neox', nLayer: 2, nEmbd: 64, nHead: 4, seed: 5 });
  writeRandomCheckpoint(llama, { family: 'llama', nLayer: 2, nEmbd: 64, nHead: 4, nKvHead: 2, seed: 6, dtype: 'BF16', shards: 2 });
  fs.writeFileSync(words, '[space]\nspace\nrocket\nplanet\nmoon\n[fruit]\napple\nbanana\norange\ngrapefruit\n');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
});

test('mechlens hooks lists each family\'s TransformerLens hooks with their Hugging Face module names', () => {
  const neox = cli(['hooks', '--model', pythia]);
  assert.equal(neox.status, 0, neox.stderr);
  assert.match(neox.stdout, /^blocks\.0\.attn\.hook_rot_q +\[4, 16\]/m);
  assert.match(neox.stdout, /^blocks\.0\.ln1\.hook_scale +\[1\]/m);
  assert.match(neox.stdout, /^blocks\.1\.hook_attn_out +\[64\] +\(= gpt_neox\.layers\.1\.attention, gpt_neox\.layers\.1\.attention\.dense\)/m);
  assert.match(neox.stdout, /^logits +\[50304\] +\(= embed_out\)/m);
  assert.doesNotMatch(neox.stdout, /hook_resid_mid|hook_pos_embed/, 'parallel residual: no resid_mid; rotary: no position embeddings');
  const gqa = cli(['hooks', '--model', llama]);
  assert.equal(gqa.status, 0, gqa.stderr);
  assert.match(gqa.stdout, /^blocks\.0\.attn\.hook_k +\[2, 16\] +\(= model\.layers\.0\.self_attn\.k_proj\).*query head h reads kv head floor\(h \/ 2\)/m);
  assert.match(gqa.stdout, /^blocks\.1\.mlp\.hook_pre_linear +\[192\] +\(= model\.layers\.1\.mlp\.up_proj\)/m);
});

test('activations on a Llama-style checkpoint start every text with the BOS token, say so, and equal the graph', async () => {
  const out = path.join(tmp, 'llama-act.json');
  const r = cli(['activations', '--model', llama, '--hook', 'model.layers.1.self_attn.k_proj', '--text', 'I saw him', '--position', 'all', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.hookResolved, 'blocks.1.attn.hook_k');
  assert.equal(json.bosAdded, true);
  assert.deepEqual(json.tokens[0], ['<|begin_of_text|>', 'I', '␣saw', '␣him']);
  assert.equal(json.activations.length, 4);
  assert.equal(json.activations[0].length, 2 * 16, 'k has the 2 kv heads');
  const tokenizer = await loadTokenizer(llama);
  assert.equal(tokenizer.bosTokenId, 50257);
  const ids = [50257, ...tokenizer.encode('I saw him')];
  assertRowsClose(json.activations, await graphRows(llama, 'blocks.1.attn.hook_k', ids), 'hook_k');
});

test('activations on Pythia add no BOS and equal the graph at every position', async () => {
  const out = path.join(tmp, 'pythia-act.json');
  const r = cli(['activations', '--model', pythia, '--hook', 'blocks.1.hook_resid_post', '--text', 'The next word is apple', '--position', 'all', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.bosAdded, false);
  assert.deepEqual(json.tokens[0], ['The', '␣next', '␣word', '␣is', '␣apple']);
  const tokenizer = await loadTokenizer(pythia);
  assertRowsClose(json.activations, await graphRows(pythia, 'blocks.1.hook_resid_post', tokenizer.encode('The next word is apple')), 'resid_post');
});

test('contrast runs on Pythia and on the Llama-style model (gated MLP hook_post)', () => {
  for (const [model, hook, width] of [[pythia, 'blocks.1.mlp.hook_post', 256], [llama, 'blocks.0.mlp.hook_post', 192]] as const) {
    const out = path.join(tmp, `contrast-${path.basename(model)}.json`);
    const r = cli(['contrast', '--sentences', 'samples/him-her.sentences', '--model', model, '--hook', hook, '--shuffles', '0', '--json', out]);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(json.t.length, width);
    assert.equal(json.bosAdded, model === llama);
    assert.equal(json.sentences[0].token, '␣him');
  }
});

test('attention under GQA compares each query head with the kv head it reads and says how they map', () => {
  const out = path.join(tmp, 'attn.json');
  const r = cli(['attention', '--words', words, '--model', llama, '--layer', '1', '--permutations', '20', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.deepEqual(json.heads.map((h: { kvHead: number }) => h.kvHead), [0, 0, 1, 1]);
  assert.deepEqual({ nKvHead: json.kvHeads.nKvHead, groups: json.kvHeads.groups }, { nKvHead: 2, groups: 2 });
  assert.match(json.kvHeads.note, /query head h reads kv head floor\(h \/ 2\)/);
  assert.equal(json.k.hook, 'blocks.1.attn.hook_k');
  const neox = cli(['attention', '--words', words, '--model', pythia, '--layer', '1', '--sweep', '--permutations', '0', '--json', path.join(tmp, 'attn-neox.json')]);
  assert.equal(neox.status, 0, neox.stderr);
  const sweep = JSON.parse(fs.readFileSync(path.join(tmp, 'attn-neox.json'), 'utf8'));
  assert.equal(sweep.sweep.length, 2);
  assert.equal(sweep.kvHeads, null);
});

test('tokens, compare and match read each family\'s embedding matrix (embed_in, embed_tokens)', () => {
  // match needs a static vector file on one side, and the models share GPT-2's vocabulary here.
  const tokensOut = path.join(tmp, 'tokens.json');
  const t = cli(['tokens', '--model', pythia, '--first', '30', '--method', 'pca', '--json', tokensOut]);
  assert.equal(t.status, 0, t.stderr);
  const tokens = JSON.parse(fs.readFileSync(tokensOut, 'utf8'));
  const embedIn = openCheckpoint(pythia).readF32('embed_in.weight');
  assert.equal(tokens.dims, 64);
  tokens.embeddings.slice(0, 3).forEach((row: number[], i: number) => row.forEach((v, j) => assert.equal(Math.fround(v), embedIn[i * 64 + j])));
  const compareOut = path.join(tmp, 'compare.json');
  const c = cli(['compare', '--words', words, '--a', `model:${llama}#embed`, '--b', `model:${pythia}#blocks.1.hook_resid_post`, '--permutations', '10', '--json', compareOut]);
  assert.equal(c.status, 0, c.stderr);
  const compare = JSON.parse(fs.readFileSync(compareOut, 'utf8'));
  assert.equal(compare.a.similarity.length, compare.items.length);
  const matchOut = path.join(tmp, 'match.json');
  const vectors = path.join(root, 'test/fixtures/tokens/match-vectors.txt');
  const m = cli(['match', '--a', `vectors:${vectors}`, '--b', `model:${llama}#embed`, '--length', '1', '--count', '10', '--leading-space', 'without', '--permutations', '0', '--no-map', '--json', matchOut]);
  assert.equal(m.status, 0, m.stderr);
  assert.equal(JSON.parse(fs.readFileSync(matchOut, 'utf8')).matches.length, 10);
});
