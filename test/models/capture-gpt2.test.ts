// captureActivations end to end on a random 3-layer d=64 checkpoint with the real GPT-2 tokenizer:
// rows read at the last token, a {marker}, a searched target, every token and given indices, in
// small batches (so inputs are padded), checked against the reference forward per input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { captureActivations } from '../../src/core/models/capture';
import { makeBatches } from '../../src/core/models/packing';
import { loadModel, tokenEmbeddings, listModelHooks } from '../../src/core/models/capture-model';
import { SessionCache } from '../../src/core/models/runtime';
import { MechLensError, CancelledError } from '../../src/core/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-capture-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = path.join(tmp, 'gpt2-tiny');
writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 64, nHead: 4, seed: 5, prefix: true });
const ckpt = openCheckpoint(dir);
const refCache = new Map<string, ReturnType<typeof referenceForward>>();
const reference = (ids: number[]) => {
  const key = ids.join(',');
  if (!refCache.has(key)) refCache.set(key, referenceForward(ckpt.config, (n) => ckpt.readF32(n), ids));
  return refCache.get(key)!;
};
const sessions = new SessionCache(4);
const common = { provider: 'cpu', threads: 1, sessions, batchSize: 2 } as const;

function assertRow(got: Float32Array, row: number, width: number, want: Float64Array, wantOffset: number, label: string) {
  let worst = 0;
  for (let i = 0; i < width; i++) worst = Math.max(worst, Math.abs(got[row * width + i] - want[wantOffset + i]));
  assert.ok(worst <= 1e-4, `${label}: max abs error ${worst}`);
}

const SENTENCES = [
  { text: 'I saw him at the market.', target: 'him', targetStart: 6 },
  { text: 'She told her brother a very long story about the sea.', target: 'her', targetStart: 9 },
  { text: 'Hello', target: 'Hello', targetStart: 0 },
];

test('last-token rows of q, k, v, z, mlp and residual hooks match the reference, across padded batches', async () => {
  const texts = ['The next word is space', 'The next word is spaceship and more words follow here', 'apple', 'A fruit: grape'];
  const hooks = ['blocks.1.attn.hook_q', 'blocks.1.attn.hook_k', 'blocks.1.attn.hook_v', 'blocks.1.attn.hook_z', 'blocks.1.mlp.hook_pre', 'blocks.1.mlp.hook_post', 'blocks.0.hook_resid_post', 'blocks.1.hook_attn_out', 'blocks.1.hook_mlp_out', 'blocks.1.hook_resid_mid'];
  const r = await captureActivations(dir, texts, hooks, 'last', common);
  assert.equal(r.provider, 'cpu');
  assert.equal(r.layersBuilt, 2, 'block 2 is not built');
  assert.deepEqual(r.rowInputs, [0, 1, 2, 3]);
  const tokenizer = (await loadModel(dir)).tokenizer!;
  texts.forEach((t, i) => assert.deepEqual(r.tokenIds[i], tokenizer.encode(t)));
  assert.deepEqual(r.tokens[2], ['apple']);
  for (const h of hooks) {
    const a = r.activations[h];
    assert.equal(a.dims[0], 4);
    texts.forEach((_, i) => {
      const ids = r.tokenIds[i];
      const ref = reference(ids)[h];
      const width = ref.dims[1];
      assert.equal(a.dims[1], width);
      assertRow(a.data, i, width, ref.data, (ids.length - 1) * width, `${h} input ${i}`);
    });
  }
  assert.deepEqual(r.activations['blocks.1.attn.hook_q'].shape, [4, 16]);
});

test('target positions: {marker}, searched target string, and multi-token targets with a warning', async () => {
  const r = await captureActivations(dir, SENTENCES, ['blocks.2.attn.hook_pattern', 'blocks.2.attn.hook_attn_scores', 'transformer.h.0.mlp.c_fc'], 'target', common);
  const tok = r.tokens;
  assert.equal(tok[0][r.positions[0]], '␣him');
  assert.equal(tok[1][r.positions[1]], '␣her');
  assert.equal(r.positions[2], 0);
  const maxLen = Math.max(...r.tokenIds.map((x) => x.length));
  const H = 4;
  const pattern = r.activations['blocks.2.attn.hook_pattern'];
  const scores = r.activations['blocks.2.attn.hook_attn_scores'];
  assert.deepEqual(pattern.dims, [3, H * maxLen]);
  assert.deepEqual(pattern.shape, [H, maxLen]);
  r.tokenIds.forEach((ids, i) => {
    const L = ids.length;
    const q = r.positions[i];
    const ref = reference(ids);
    for (let h = 0; h < H; h++) for (let k = 0; k < maxLen; k++) {
      const got = pattern.data[i * H * maxLen + h * maxLen + k];
      const gotScore = scores.data[i * H * maxLen + h * maxLen + k];
      if (k < L) {
        assert.ok(Math.abs(got - ref['blocks.2.attn.hook_pattern'].data[(h * L + q) * L + k]) <= 1e-4);
        const want = ref['blocks.2.attn.hook_attn_scores'].data[(h * L + q) * L + k];
        if (want === -Infinity) assert.equal(gotScore, -Infinity); else assert.ok(Math.abs(gotScore - want) <= 1e-4);
      } else {
        assert.equal(got, 0, 'keys past the input are 0 in the pattern');
        assert.equal(gotScore, -Infinity, 'and -Infinity in the scores');
      }
    }
    // The HF alias resolves to mlp.hook_pre.
    assert.equal(r.activations['transformer.h.0.mlp.c_fc'].hook, 'blocks.0.mlp.hook_pre');
    assertRow(r.activations['transformer.h.0.mlp.c_fc'].data, i, 256, ref['blocks.0.mlp.hook_pre'].data, q * 256, `c_fc input ${i}`);
  });

  const searched = await captureActivations(dir, ['I saw him.', 'Give it to him now'], ['blocks.0.attn.hook_q'], 'target', { ...common, targets: [' him'] });
  assert.deepEqual(searched.positions, [2, 3]);
  const split = await captureActivations(dir, [{ text: 'A grapefruit here', target: 'grapefruit', targetStart: 2 }], ['hook_embed'], 'target', common);
  assert.equal(split.warnings.length, 1);
  assert.match(split.warnings[0], /grape|fruit/);
  await assert.rejects(
    captureActivations(dir, ['no target in here'], ['hook_embed'], 'target', { ...common, targets: [' him'] }),
    (e: unknown) => e instanceof MechLensError && /does not contain the target/.test(e.message),
  );
});

test('all positions and explicit indices; embeddings, ln_final and logits', async () => {
  const texts = ['one two three four five', 'six'];
  const hooks = ['hook_embed', 'hook_pos_embed', 'ln_final.hook_normalized', 'logits'];
  const all = await captureActivations(dir, texts, hooks, 'all', common);
  const L0 = all.tokenIds[0].length;
  assert.deepEqual(all.rowInputs, [...Array(L0).fill(0), 1]);
  assert.deepEqual(all.positions, [...Array.from({ length: L0 }, (_, t) => t), 0]);
  for (const h of hooks) {
    const width = all.activations[h].dims[1];
    all.rowInputs.forEach((input, row) => {
      const ref = reference(all.tokenIds[input])[h];
      assertRow(all.activations[h].data, row, width, ref.data, all.positions[row] * width, `${h} row ${row}`);
    });
  }
  assert.equal(all.activations.logits.dims[1], 50257);
  const picked = await captureActivations(dir, texts, ['blocks.2.hook_resid_post'], [1, -1], common);
  assert.deepEqual(picked.positions, [1, 0]);
  assert.equal(all.layersBuilt, 3);
  await assert.rejects(captureActivations(dir, texts, ['hook_embed'], [9, 0], common), /position 9 is outside input 1/);
  await assert.rejects(captureActivations(dir, texts, ['hook_embed'], [0], common), /one token index per input/);
});

test('errors name the input and the fix; cancellation stops between batches; sessions are reused', async () => {
  await assert.rejects(captureActivations(dir, ['x'], ['blocks.7.attn.hook_q'], 'last', common), /layer 7, but the model has 3 layers/);
  await assert.rejects(captureActivations(dir, ['x'], ['blocks.1.attn.hook_qq'], 'last', common), (e: unknown) =>
    e instanceof MechLensError && /unknown hook point "blocks.1.attn.hook_qq"/.test(e.message) && /blocks\.1\.attn\.hook_q\b/.test(e.message));
  await assert.rejects(captureActivations(dir, [''], ['hook_embed'], 'last', common), /empty/);
  await assert.rejects(captureActivations(path.join(tmp, 'nope'), ['x'], ['hook_embed'], 'last', common), /no such model folder or file/);
  await assert.rejects(captureActivations(dir, ['x'], ['hook_embed'], 'last', { ...common, provider: 'tpu' }), /unknown execution provider "tpu"/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(captureActivations(dir, ['x'], ['hook_embed'], 'last', { ...common, signal: controller.signal }), CancelledError);

  const before = sessions.size;
  const progress: string[] = [];
  // Rows 3 tokens wide: 'd e f' fills one, 'a b' and 'c' share the other; one row per batch.
  await captureActivations(dir, ['a b', 'c', 'd e f'], ['blocks.0.attn.hook_k'], 'last', { ...common, batchSize: 1, rowTokens: 1, onProgress: (p) => progress.push(p.message) });
  await captureActivations(dir, ['other text'], ['blocks.0.attn.hook_k'], 'last', common);
  assert.equal(sessions.size, Math.min(4, before + 1), 'the second capture reused the session');
  assert.ok(progress.some((m) => /batch 2 of 2/.test(m)), progress.join('; '));
});

test('inputs are not mutated; batches are sorted by length and respect the token budget', async () => {
  const inputs = [{ text: 'I saw him at the market.', target: 'him', targetStart: 6 }];
  const copy = structuredClone(inputs);
  const hooks = ['hook_embed'];
  await captureActivations(dir, inputs, hooks, 'target', common);
  assert.deepEqual(inputs, copy);
  assert.deepEqual(hooks, ['hook_embed']);
  assert.deepEqual(makeBatches([3, 10, 5, 10, 1], 2, 1000), [[1, 3], [2, 0], [4]]);
  assert.deepEqual(makeBatches([3, 10, 5, 10, 1], 64, 20), [[1, 3], [2, 0, 4]]);
  assert.deepEqual(makeBatches([50], 8, 10), [[0]], 'one long input still makes a batch');
});

test('tokenEmbeddings reads wte rows (all or chosen) equal to the checkpoint, F16 converted', async () => {
  const wte = ckpt.readF32('wte.weight');
  const some = await tokenEmbeddings(dir, [50256, 0, 1, 2, 464]);
  assert.deepEqual(some.dims, [5, 64]);
  [50256, 0, 1, 2, 464].forEach((id, r) => assert.deepEqual(some.data.subarray(r * 64, (r + 1) * 64), wte.subarray(id * 64, (id + 1) * 64)));
  const every = await tokenEmbeddings(dir);
  assert.deepEqual(every.dims, [50257, 64]);
  assert.deepEqual(every.data, wte);
  const f16 = path.join(tmp, 'f16');
  writeRandomGpt2Checkpoint(f16, { nLayer: 1, nEmbd: 64, nHead: 4, seed: 5, dtype: 'F16' });
  const half = await tokenEmbeddings(f16, [7, 8]);
  const full = openCheckpoint(f16).readF32('wte.weight');
  assert.deepEqual(half.data, full.subarray(7 * 64, 9 * 64));
  await assert.rejects(tokenEmbeddings(dir, [50257]), /outside the embedding matrix/);
  assert.equal(listModelHooks(await loadModel(dir)).length, 2 + 3 * 14 + 2);
});
