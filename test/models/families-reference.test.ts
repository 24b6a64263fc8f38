// The decoder graph of every family beyond GPT-2 against PyTorch forwards that follow Hugging
// Face's modeling_<family>.py (test/fixtures/families/make_family_fixtures.py): Pythia with a
// parallel and a sequential residual, Llama 3 with GQA and llama3 RoPE scaling, Llama with
// rope_parameters (linear) and biases, Qwen2 with MQA and a sliding window, Qwen3 with head_dim !=
// hidden/heads and q/k norms, Gemma-2 with softcaps and sliding windows; F32, F16, BF16 and
// sharded checkpoints in the hub layout. Every hook of the table, to 1e-4, in one padded batch and
// (for packed rows and read_rows) through the packing path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { buildDecoderGraph, READ_ROWS, readRowHooks } from '../../src/core/models/graph-decoder';
import { packTexts, packedFeeds, paddedFeeds } from '../../src/core/models/packing';
import { planWeights } from '../../src/core/models/graph-weights';
import { listHookPoints } from '../../src/core/models/hooks';
import { createInferenceSession } from '../../src/core/models/runtime';
import { unpaddedRow } from '../helpers/padded-rows';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'families');
interface Stored { dims: number[]; data: (number | null)[] }
const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as {
  models: { name: string; family: string; dtype: string; shards: number; dir: string; runs: { ids: number[]; hooks: Record<string, Stored> }[] }[];
};

function assertClose(name: string, got: ArrayLike<number>, want: Stored, tol: number) {
  assert.equal(got.length, want.data.length, `${name}: length`);
  for (let i = 0; i < got.length; i++) {
    const w = want.data[i];
    if (w === null) assert.equal(got[i], -Infinity, `${name}[${i}] masked`);
    else assert.ok(Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w)), `${name}[${i}]: ${got[i]} vs torch ${w}`);
  }
}

for (const model of fixture.models) {
  test(`${model.name} (${model.family}, ${model.dtype}${model.shards > 1 ? `, ${model.shards} shards` : ''}): every hook equals the torch HF forward to 1e-4, batched with padding`, async () => {
    const ckpt = openCheckpoint(path.join(FIXTURES, model.dir));
    assert.equal(ckpt.config.modelType, model.family);
    assert.equal(ckpt.files.length, model.shards);
    // Old GPTNeoX checkpoints' buffers (the BOOL causal mask, masked_bias, rotary inv_freq) are not weights.
    if (model.name === 'neox-parallel') assert.equal(ckpt.ignoredTensors.filter((n) => /attention\.(bias|masked_bias|rotary_emb\.inv_freq)$/.test(n)).length, 6);
    const hooks = listHookPoints(ckpt.config);
    assert.deepEqual(Object.keys(model.runs[0].hooks).sort(), hooks.map((h) => h.name).sort(), 'the torch script and the hook table name the same hooks');
    const plan = planWeights(ckpt);
    const built = buildDecoderGraph({ config: ckpt.config, hooks, weight: plan.weight, lmHead: ckpt.lmHead });
    const session = await createInferenceSession({ bytes: built.bytes, label: model.name, ...plan.finish() }, { provider: 'cpu', threads: 1 });
    const { feeds, width: T } = paddedFeeds(model.runs.map((r) => r.ids), 0);
    const out = await session.run(feeds);
    await session.dispose();
    model.runs.forEach((run, b) => {
      const L = run.ids.length;
      for (const hook of hooks) {
        const picked = unpaddedRow(out[hook.name], hook.positionAxis, b, L, T);
        assertClose(`${hook.name} (row ${b})`, picked, run.hooks[hook.name], 1e-4);
      }
    });
  });
}

test('packed prefix rows and read_rows give the torch hooks on every family (GQA, sliding window, parallel residual)', async () => {
  for (const model of fixture.models) {
    const ckpt = openCheckpoint(path.join(FIXTURES, model.dir));
    const layers = ckpt.config.nLayer;
    const last = `blocks.${layers - 1}.`;
    const names = ['hook_embed', `${last}attn.hook_rot_k`, `${last}attn.hook_z`, `${last}ln2.hook_normalized`, `${last}mlp.hook_post`, `${last}hook_resid_post`, 'ln_final.hook_scale', 'logits'];
    const hooks = listHookPoints(ckpt.config).filter((h) => names.includes(h.name));
    const plan = planWeights(ckpt);
    const built = buildDecoderGraph({ config: ckpt.config, hooks, weight: plan.weight, lmHead: ckpt.lmHead, readRows: true });
    assert.deepEqual(built.rowOutputs.sort(), readRowHooks(names, layers).sort());
    const session = await createInferenceSession({ bytes: built.bytes, label: model.name, ...plan.finish() }, { provider: 'cpu', threads: 1 });
    // The long text, its prefix of 4 and the short text: the first two share a row as a prefix tree.
    const long = model.runs[0];
    const texts = [long.ids, long.ids.slice(0, 4), model.runs[1].ids];
    const packing = packTexts(texts, texts.map((t) => t.length), { packing: 'prefixes', rowTokens: 16 });
    const { feeds, width } = packedFeeds(packing.rows, 0);
    // Read every position of every text.
    const reads: { text: number; t: number; slot: number }[] = [];
    texts.forEach((text, i) => {
      const p = packing.placements[i];
      text.forEach((_, t) => reads.push({ text: i, t, slot: p.row * width + p.slots[t] }));
    });
    feeds[READ_ROWS] = { data: BigInt64Array.from(reads, (r) => BigInt(r.slot)), dims: [reads.length] };
    const out = await session.run(feeds);
    await session.dispose();
    for (const hook of hooks) {
      const got = out[hook.name];
      const rowWise = built.rowOutputs.includes(hook.name);
      const width = got.dims[2];
      reads.forEach((r, j) => {
        const want = (r.text === 2 ? model.runs[1] : long).hooks[hook.name];
        const wantWidth = want.data.length / want.dims[0];
        const stored: Stored = { dims: [wantWidth], data: want.data.slice(r.t * wantWidth, (r.t + 1) * wantWidth) };
        const at = rowWise ? j * width : r.slot * width;
        assertClose(`${model.name} ${hook.name} text ${r.text} token ${r.t}`, got.data.subarray(at, at + width), stored, 1e-4);
      });
    }
  }
});
