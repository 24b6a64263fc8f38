// The ONNX GPT-2 graph against the independent reference forward, hook by hook, on random
// checkpoints in both tensor-name conventions and in F16, with right-padded batches of unequal length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCheckpoint, type Checkpoint } from '../../src/core/models/checkpoint';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { buildGpt2Graph, layersNeeded } from '../../src/core/models/graph-gpt2';
import { paddedFeeds } from '../../src/core/models/packing';
import { planWeights, type WeightMode } from '../../src/core/models/graph-weights';
import { listHookPoints, resolveHookName } from '../../src/core/models/hooks';
import { referenceForward } from '../helpers/reference-forward';
import { createInferenceSession, type Tensor32 } from '../../src/core/models/runtime';
import { onnx } from 'onnx-proto';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-graph-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// Unequal lengths, so rows 1 and 2 are right-padded; ids span the whole vocabulary.
const SEQUENCES = [
  [464, 1306, 1573, 318, 2272, 50256, 11, 13, 0, 7],
  [40, 2497, 683],
  [50255, 12, 99, 3000, 18],
];

async function runGraph(ckpt: Checkpoint, hooks: string[], mode: WeightMode = 'auto', convertedDir?: string, contribOps?: boolean) {
  const points = hooks.map((h) => resolveHookName(h, ckpt.config));
  const plan = planWeights(ckpt, mode, convertedDir);
  const built = buildGpt2Graph({ config: ckpt.config, hooks: points, weight: plan.weight, lmHead: ckpt.lmHead, contribOps });
  const where = plan.finish();
  const session = await createInferenceSession({ bytes: built.bytes, label: ckpt.dir, ...where }, { provider: 'cpu', threads: 1 });
  const { feeds, width: T } = paddedFeeds(SEQUENCES, 50256);
  const out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]])));
  await session.dispose();
  return { out, built, plan, T };
}

/** Compares every real (unpadded) position of every sequence with the reference, to `tol` absolute. */
function compareWithReference(ckpt: Checkpoint, out: Record<string, Tensor32>, T: number, tol = 1e-4) {
  const read = (n: string) => ckpt.readF32(n);
  const refs = SEQUENCES.map((s) => referenceForward(ckpt.config, read, s, ckpt.lmHead));
  let compared = 0;
  for (const [name, got] of Object.entries(out)) {
    const hook = resolveHookName(name, ckpt.config);
    SEQUENCES.forEach((seq, b) => {
      const ref = refs[b][name];
      assert.ok(ref, `reference has ${name}`);
      const L = seq.length;
      if (hook.positionAxis === 2) {
        // got [B, H, T, T]; ref [H, L, L]: compare the real query × key block.
        const H = got.dims[1];
        assert.deepEqual(got.dims, [SEQUENCES.length, H, T, T]);
        for (let h = 0; h < H; h++) for (let q = 0; q < L; q++) for (let k = 0; k < L; k++) {
          const g = got.data[((b * H + h) * T + q) * T + k];
          const r = ref.data[(h * L + q) * L + k];
          if (r === -Infinity) assert.equal(g, -Infinity, `${name}[${b},${h},${q},${k}] masked`);
          else assert.ok(Math.abs(g - r) <= tol, `${name}[${b},${h},${q},${k}]: ${g} vs ${r}`);
          compared++;
        }
        // Padding keys of real queries are masked too.
        for (let h = 0; h < H; h++) for (let q = 0; q < L; q++) for (let k = L; k < T; k++) {
          const g = got.data[((b * H + h) * T + q) * T + k];
          assert.ok(name.endsWith('hook_pattern') ? g === 0 : g === -Infinity, `${name} pad key ${k} of query ${q}: ${g}`);
        }
      } else {
        const width = got.dims[2];
        assert.deepEqual(got.dims, [SEQUENCES.length, T, width]);
        assert.equal(ref.data.length, L * width, `${name} width`);
        let worst = 0;
        for (let t = 0; t < L; t++) for (let i = 0; i < width; i++) {
          worst = Math.max(worst, Math.abs(got.data[(b * T + t) * width + i] - ref.data[t * width + i]));
        }
        assert.ok(worst <= tol, `${name} row ${b}: max abs error ${worst}`);
        compared += L * width;
      }
    });
  }
  return compared;
}

const ALL_KINDS = (l: number) => [
  `blocks.${l}.hook_resid_pre`, `blocks.${l}.attn.hook_qkv`, `blocks.${l}.attn.hook_q`, `blocks.${l}.attn.hook_k`, `blocks.${l}.attn.hook_v`,
  `blocks.${l}.attn.hook_attn_scores`, `blocks.${l}.attn.hook_pattern`, `blocks.${l}.attn.hook_z`, `blocks.${l}.hook_attn_out`,
  `blocks.${l}.hook_resid_mid`, `blocks.${l}.mlp.hook_pre`, `blocks.${l}.mlp.hook_post`, `blocks.${l}.hook_mlp_out`, `blocks.${l}.hook_resid_post`,
];

test('every hook point of a 3-layer d=64 model matches the reference forward to 1e-4 (no prefix, external weights)', async () => {
  const dir = path.join(tmp, 'plain');
  writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 64, nHead: 4, seed: 11, tokenizer: false });
  const ckpt = openCheckpoint(dir);
  const hooks = listHookPoints(ckpt.config).map((h) => h.name);
  const { out, built, plan, T } = await runGraph(ckpt, hooks);
  assert.equal(plan.mode, 'external');
  assert.equal(built.inlineBytes, 0, 'no weight bytes copied into the model');
  assert.equal(built.layersBuilt, 3);
  assert.deepEqual(Object.keys(out).sort(), [...hooks].sort(), 'outputs are exactly the requested hooks');
  const compared = compareWithReference(ckpt, out, T);
  assert.ok(compared > 100_000, `compared ${compared} values`);
});

test('transformer.-prefixed names, legacy attn.bias buffers and F16 weights (converted in memory) give the same hooks', async () => {
  const dir = path.join(tmp, 'prefixed-f16');
  writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 64, nHead: 4, seed: 12, prefix: true, legacyBias: true, dtype: 'F16', tokenizer: false });
  const ckpt = openCheckpoint(dir);
  const hooks = [...ALL_KINDS(0), ...ALL_KINDS(2), 'hook_embed', 'hook_pos_embed', 'ln_final.hook_normalized', 'logits'];
  const { out, plan, T } = await runGraph(ckpt, hooks);
  assert.equal(plan.mode, 'memory');
  compareWithReference(ckpt, out, T);
  // The converted F32 sidecar gives the same numbers, and is written once.
  const sidecar = path.join(tmp, 'converted');
  const converted = await runGraph(ckpt, hooks, 'auto', sidecar);
  assert.equal(converted.plan.mode, 'converted');
  for (const h of hooks) assert.deepEqual(converted.out[h].data, out[h].data, h);
  const file = path.join(sidecar, 'weights-f32.bin');
  const written = fs.statSync(file).mtimeMs;
  const total = ckpt.tensorNames.reduce((n, name) => n + ckpt.tensor(name).info.shape.reduce((a, b) => a * b, 1) * 4, 0);
  assert.equal(fs.statSync(file).size, total);
  await runGraph(ckpt, ['blocks.0.attn.hook_q'], 'auto', sidecar);
  assert.equal(fs.statSync(file).mtimeMs, written, 'the sidecar is reused');
});

test('an F32 checkpoint read into memory matches the external-data graph bit for bit; sharded checkpoints load', async () => {
  const dir = path.join(tmp, 'sharded');
  writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 64, nHead: 4, seed: 13, shards: 3, prefix: true, lmHead: 'separate', tokenizer: false });
  const ckpt = openCheckpoint(dir);
  assert.equal(ckpt.files.length, 3);
  const hooks = ['blocks.1.attn.hook_q', 'blocks.2.mlp.hook_post', 'logits'];
  const ext = await runGraph(ckpt, hooks, 'external');
  const mem = await runGraph(ckpt, hooks, 'memory');
  for (const h of hooks) assert.deepEqual(mem.out[h].data, ext.out[h].data, h);
  compareWithReference(ckpt, ext.out, ext.T);
});

test('only the blocks up to the deepest hook are built', async () => {
  const dir = path.join(tmp, 'plain');
  if (!fs.existsSync(dir)) writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 64, nHead: 4, seed: 11, tokenizer: false });
  const ckpt = openCheckpoint(dir);
  const plan = planWeights(ckpt);
  const build = (hooks: string[]) => buildGpt2Graph({ config: ckpt.config, hooks: hooks.map((h) => resolveHookName(h, ckpt.config)), weight: plan.weight });
  const embedOnly = build(['hook_embed']);
  const one = build(['blocks.0.attn.hook_pattern']);
  const two = build(['blocks.1.attn.hook_pattern']);
  const three = build(['blocks.2.attn.hook_pattern']);
  assert.deepEqual([embedOnly.layersBuilt, one.layersBuilt, two.layersBuilt, three.layersBuilt], [0, 1, 2, 3]);
  const perBlock = two.nodeCount - one.nodeCount;
  assert.ok(perBlock > 20, `a block is ${perBlock} nodes`);
  assert.equal(three.nodeCount - two.nodeCount, perBlock, 'each extra block adds the same nodes');
  assert.ok(embedOnly.nodeCount < 12, `embeddings only: ${embedOnly.nodeCount} nodes`);
  // Within the last block, only what the hooks depend on is kept, weights included.
  const qOnly = build(['blocks.1.attn.hook_q']);
  const initializers = (bytes: Uint8Array) => new Set((onnx.ModelProto.decode(bytes).graph?.initializer ?? []).map((t) => t.name));
  const qWeights = initializers(qOnly.bytes);
  assert.ok(qWeights.has('h.1.attn.c_attn.weight') && qWeights.has('h.0.mlp.c_fc.weight'));
  assert.ok(!qWeights.has('h.1.mlp.c_fc.weight') && !qWeights.has('h.1.attn.c_proj.weight') && !qWeights.has('h.2.ln_1.weight'));
  assert.ok(qOnly.nodeCount < two.nodeCount);
  // The residual stream entering block 2 is complete after block 1.
  assert.equal(build(['blocks.2.hook_resid_pre']).layersBuilt, 2);
  assert.equal(layersNeeded([resolveHookName('logits', ckpt.config)], 3), 3);
  const { out } = await runGraph(ckpt, ['blocks.2.hook_resid_pre', 'blocks.0.hook_resid_pre']);
  assert.deepEqual(Object.keys(out).sort(), ['blocks.0.hook_resid_pre', 'blocks.2.hook_resid_pre']);
  compareWithReference(ckpt, out, Math.max(...SEQUENCES.map((s) => s.length)));
});

test('fused contrib ops (SkipLayerNormalization, FastGelu with the biases folded in) give the hooks of the plain ONNX graph', async () => {
  const dir = path.join(tmp, 'plain');
  if (!fs.existsSync(dir)) writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 64, nHead: 4, seed: 11, tokenizer: false });
  const ckpt = openCheckpoint(dir);
  // Only residual-stream hooks: every bias is then folded into a SkipLayerNormalization or FastGelu node.
  const hooks = ['blocks.0.hook_resid_mid', 'blocks.1.hook_resid_pre', 'blocks.1.hook_resid_post', 'blocks.2.hook_resid_mid', 'blocks.2.mlp.hook_post', 'logits'];
  const fused = await runGraph(ckpt, hooks);
  const plain = await runGraph(ckpt, hooks, 'auto', undefined, false);
  const opTypes = (bytes: Uint8Array) => new Set((onnx.ModelProto.decode(bytes).graph?.node ?? []).map((n) => `${n.domain ? `${n.domain}:` : ''}${n.opType}`));
  const fusedOps = opTypes(fused.built.bytes);
  assert.ok(fusedOps.has('com.microsoft:SkipLayerNormalization') && fusedOps.has('com.microsoft:FastGelu'), [...fusedOps].join(' '));
  assert.ok(!fusedOps.has('Tanh'));
  assert.ok(![...opTypes(plain.built.bytes)].some((op) => op.startsWith('com.microsoft:')));
  assert.ok(fused.built.nodeCount < plain.built.nodeCount, `${fused.built.nodeCount} vs ${plain.built.nodeCount} nodes`);
  for (const h of hooks) {
    const a = fused.out[h].data;
    const b = plain.out[h].data;
    assert.equal(a.length, b.length, h);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst <= 1e-4, `${h}: fused vs plain max abs difference ${worst}`);
  }
  compareWithReference(ckpt, fused.out, fused.T);
  compareWithReference(ckpt, plain.out, plain.T);
});
