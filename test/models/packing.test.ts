// Prefix-tree packing: the plan (which slots each text uses), the attention mask it feeds, and
// captureActivations on texts with common prefixes and early read positions, which must give the
// same rows as one padded row per text and as the reference forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packTexts, packedFeeds, paddedFeeds, batchRows } from '../../src/core/models/packing';
import { buildGpt2Graph, readRowHooks, READ_ROWS } from '../../src/core/models/graph-gpt2';
import { planWeights } from '../../src/core/models/graph-weights';
import { resolveHookName } from '../../src/core/models/hooks';
import { createInferenceSession } from '../../src/core/models/runtime';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { captureActivations } from '../../src/core/models/capture';
import { SessionCache } from '../../src/core/models/runtime';
import type { PositionInput } from '../../src/core/models/positions';

/** Every text's slots hold its own tokens at their positions, chained parent to child. */
function assertPlanHoldsTexts(plan: ReturnType<typeof packTexts>, texts: number[][], kept: number[]) {
  texts.forEach((text, i) => {
    const { row, slots } = plan.placements[i];
    const r = plan.rows[row];
    assert.equal(slots.length, kept[i]);
    slots.forEach((s, t) => {
      assert.equal(r.ids[s], text[t], `text ${i} token ${t}`);
      assert.equal(r.positions[s], t);
      assert.equal(r.parents[s], t === 0 ? -1 : slots[t - 1]);
    });
  });
}

test('texts with common prefixes share slots; duplicates and prefixes of others add none', () => {
  const texts = [[1, 2, 3, 4], [5, 6], [1, 2, 3, 9], [1, 2, 3, 4], [1, 2], [5, 7, 8]];
  const kept = texts.map((t) => t.length);
  const plan = packTexts(texts, kept);
  assertPlanHoldsTexts(plan, texts, kept);
  // Trees 1 → 2 → 3 → {4, 9} and 5 → {6, 7 → 8}: 5 + 4 slots for 19 text tokens, in one row.
  assert.equal(plan.textTokens, 19);
  assert.equal(plan.packedTokens, 9);
  assert.equal(plan.rows.length, 1);
  assert.deepEqual(plan.placements[3].slots, plan.placements[0].slots, 'a duplicate reads the same slots');
  assert.deepEqual([...plan.placements[4].slots], [...plan.placements[0].slots.subarray(0, 2)]);

  const unshared = packTexts(texts, kept, { packing: 'rows' });
  assertPlanHoldsTexts(unshared, texts, kept);
  assert.equal(unshared.packedTokens, 19, 'without sharing every text has its own slots');
  assert.equal(unshared.rows.length, 1, 'but short texts still fill one row together');
  const padded = packTexts(texts, kept, { packing: 'none' });
  assertPlanHoldsTexts(padded, texts, kept);
  assert.deepEqual(padded.rows.map((r) => r.ids.join()).sort(), texts.map((t) => t.join()).sort(), 'one text per row');
});

test('only tokens up to the last read position are kept; trees are cut at rowTokens and rows filled best-fit', () => {
  const texts = [[1, 2, 3, 4, 5, 6], [1, 2, 8, 8, 8], [1, 2, 3, 7]];
  const kept = [3, 3, 4];
  const plan = packTexts(texts, kept, { rowTokens: 5 });
  assertPlanHoldsTexts(plan, texts, kept);
  // [1,2,3] + [7] + [8] = 5 slots: one tree, one row.
  assert.equal(plan.packedTokens, 5);
  assert.equal(plan.rows.length, 1);
  // Width 4: the tree is cut after [1,2,3,7]; [1,2,8] starts a tree of its own in a second row.
  const tight = packTexts(texts, kept, { rowTokens: 4 });
  assertPlanHoldsTexts(tight, texts, kept);
  assert.equal(tight.packedTokens, 7);
  assert.deepEqual(tight.rows.map((r) => r.ids.length), [4, 3]);
  // A text longer than rowTokens widens the rows; groups fill them best-fit, largest first.
  const many = [[9, 9, 9, 9, 9, 9, 9, 9], [1, 2, 3], [4, 5, 6], [7, 8], [1, 2, 4, 4, 4]];
  const mixed = packTexts(many, many.map((t) => t.length), { rowTokens: 4 });
  assertPlanHoldsTexts(mixed, many, many.map((t) => t.length));
  assert.deepEqual(mixed.rows.map((r) => r.ids.length), [8, 8, 3], 'a 6-slot tree and [7, 8] fill the second row');
  assert.deepEqual(batchRows(mixed.rows, 2, 1000), [[0, 1], [2]]);
});

test('packed feeds: each slot attends to itself and its ancestors; pads only to themselves', () => {
  const plan = packTexts([[10, 11, 12], [10, 11, 13], [20]], [3, 3, 1]);
  const { feeds, width } = packedFeeds(plan.rows, 0);
  assert.equal(width, 5);
  assert.deepEqual(plan.rows[0].ids, [10, 11, 12, 13, 20]);
  assert.deepEqual(feeds.attention_allowed.dims, [1, 5, 5]);
  // Slot 3 (13) sees 10, 11 and itself but not its sibling 12; slot 4 (20) is a tree of its own.
  assert.deepEqual([...feeds.attention_allowed.data], [
    1, 0, 0, 0, 0,
    1, 1, 0, 0, 0,
    1, 1, 1, 0, 0,
    1, 1, 0, 1, 0,
    0, 0, 0, 0, 1,
  ]);
  assert.deepEqual([...feeds.position_ids.data].map(Number), [0, 1, 2, 2, 0]);

  const padded = paddedFeeds([[1, 2, 3], [4]], 0);
  assert.deepEqual([...padded.feeds.attention_allowed.data.subarray(0, 9)], [1, 0, 0, 1, 1, 0, 1, 1, 1], 'one text per row is the causal mask');
  assert.deepEqual([...padded.feeds.attention_allowed.data.subarray(9, 18)], [1, 0, 0, 0, 1, 0, 0, 0, 1], 'pad slots see only themselves');
  assert.deepEqual([...padded.feeds.input_ids.data.subarray(3, 6)].map(Number), [4, 0, 0]);
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-packing-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = path.join(tmp, 'gpt2-tiny');
writeRandomGpt2Checkpoint(dir, { nLayer: 2, nEmbd: 32, nHead: 4, seed: 11 });
const ckpt = openCheckpoint(dir);
const sessions = new SessionCache(4);

/** 'I saw {him} there' as an input whose target is the marked word. */
function marked(text: string): PositionInput {
  const targetStart = text.indexOf('{');
  return { text: text.replace(/[{}]/g, ''), target: text.slice(targetStart + 1, text.indexOf('}')), targetStart };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // equal infinities of masked scores
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst;
}

test('shared prefixes and early reads give the rows of one padded text per row and of the reference', async () => {
  const words = ['space', 'apple', 'car', 'house', 'dog', 'cat', 'tree'];
  const texts = [
    ...words.map((w) => `The next word is ${w}`),
    'I saw {him} at the market yesterday.', 'I saw {her} at the market yesterday.',
    'We met {him} near the station.', 'We met {her} near the station.',
    'The next word is {space}, then more words follow.',
  ];
  // Block 1 is the last: its attention runs on every slot, what follows only on the read rows.
  const hooks = ['blocks.1.attn.hook_pattern', 'blocks.1.attn.hook_attn_scores', 'blocks.1.attn.hook_q', 'blocks.0.mlp.hook_post', 'hook_pos_embed',
    'blocks.1.hook_attn_out', 'blocks.1.hook_resid_mid', 'blocks.1.mlp.hook_pre', 'blocks.1.hook_resid_post', 'ln_final.hook_normalized', 'logits'];
  for (const positions of ['target', 'all'] as const) {
    const inputs = positions === 'all' ? texts.map((t) => t.replace(/[{}]/g, '')) : texts.map((t) => marked(t.includes('{') ? t : t.replace(/ (\w+)$/, ' {$1}')));
    const options = { provider: 'cpu', threads: 1, sessions, rowTokens: 24, batchSize: 2 } as const;
    const shared = await captureActivations(dir, inputs, hooks, positions, options);
    const alone = await captureActivations(dir, inputs, hooks, positions, { ...options, packing: 'none' });
    const rows = await captureActivations(dir, inputs, hooks, positions, { ...options, packing: 'rows' });
    const textTokens = shared.tokenIds.reduce((n, ids) => n + ids.length, 0);
    assert.ok(shared.computedTokens < alone.computedTokens, `${positions}: sharing computes fewer tokens (${shared.computedTokens} vs ${alone.computedTokens})`);
    assert.equal(rows.computedTokens, alone.computedTokens);
    if (positions === 'target') assert.ok(alone.computedTokens < textTokens, `tokens after the target are not computed (${alone.computedTokens} of ${textTokens}, positions ${shared.positions})`);
    else assert.equal(alone.computedTokens, textTokens);
    assert.deepEqual(shared.positions, alone.positions);
    for (const h of hooks) {
      assert.ok(maxAbsDiff(shared.activations[h].data, alone.activations[h].data) <= 1e-5, `${positions} ${h}: shared vs one text per row`);
      assert.ok(maxAbsDiff(rows.activations[h].data, alone.activations[h].data) <= 1e-5, `${positions} ${h}: filled rows vs one text per row`);
      const width = shared.activations[h].dims[1];
      shared.rowInputs.forEach((input, row) => {
        const ids = shared.tokenIds[input];
        const ref = referenceForward(ckpt.config, (n) => ckpt.readF32(n), ids)[h];
        const pos = shared.positions[row];
        const got = shared.activations[h].data.subarray(row * width, (row + 1) * width);
        if (h.endsWith('hook_pattern') || h.endsWith('hook_attn_scores')) {
          // Reference rows are heads × L keys; ours heads × longest input, filled past the query.
          const L = ids.length, H = ckpt.config.nHead, maxLen = width / H;
          for (let head = 0; head < H; head++) {
            for (let k = 0; k < maxLen; k++) {
              const want = k <= pos ? ref.data[(head * L + pos) * L + k] : (h.endsWith('hook_pattern') ? 0 : -Infinity);
              const value = got[head * maxLen + k];
              assert.ok(value === want || Math.abs(value - want) <= 1e-4, `${positions} ${h} input ${input} pos ${pos} head ${head} key ${k}: ${value} vs ${want}`);
            }
          }
          return;
        }
        let worst = 0;
        for (let i = 0; i < width; i++) worst = Math.max(worst, Math.abs(got[i] - ref.data[pos * width + i]));
        assert.ok(worst <= 1e-4, `${positions} ${h} input ${input} pos ${pos}: ${worst}`);
      });
    }
  }
});

test('a graph with readRows computes the rest of the last block at the read slots only, with standard or contrib ops', async () => {
  const names = ['blocks.1.attn.hook_z', 'blocks.1.hook_resid_mid', 'blocks.1.mlp.hook_post', 'blocks.1.hook_resid_post', 'logits'];
  assert.deepEqual(readRowHooks(names, 2), ['blocks.1.hook_resid_mid', 'blocks.1.mlp.hook_post', 'blocks.1.hook_resid_post', 'logits']);
  assert.deepEqual(readRowHooks(['blocks.0.hook_resid_post', 'blocks.1.hook_resid_pre'], 1), ['blocks.0.hook_resid_post', 'blocks.1.hook_resid_pre']);
  const texts = [[464, 1306, 1573, 318], [40, 2497], [50255, 12, 99]];
  const { feeds, width: T } = paddedFeeds(texts, 50256);
  const read = [[0, 3], [1, 0], [1, 1], [2, 2]]; // (text, position) pairs, in READ_ROWS order
  const readFeeds = { ...feeds, [READ_ROWS]: { data: BigInt64Array.from(read.map(([b, t]) => BigInt(b * T + t))), dims: [read.length] } };
  const points = names.map((h) => resolveHookName(h, ckpt.config));
  for (const contribOps of [true, false]) {
    const plan = planWeights(ckpt);
    const full = buildGpt2Graph({ config: ckpt.config, hooks: points, weight: plan.weight, contribOps });
    const rows = buildGpt2Graph({ config: ckpt.config, hooks: points, weight: plan.weight, contribOps, readRows: true });
    assert.deepEqual(rows.rowOutputs, readRowHooks(names, 2));
    const where = plan.finish();
    const fullSession = await createInferenceSession({ bytes: full.bytes, label: 'full', ...where }, { provider: 'cpu', threads: 1 });
    const rowSession = await createInferenceSession({ bytes: rows.bytes, label: 'rows', ...where }, { provider: 'cpu', threads: 1 });
    const want = await fullSession.run(feeds);
    const got = await rowSession.run(readFeeds);
    for (const name of names) {
      const w = got[name].dims[got[name].dims.length - 1];
      if (!rows.rowOutputs.includes(name)) {
        assert.deepEqual(got[name].dims, want[name].dims, `${name} keeps [batch, positions, width]`);
        continue;
      }
      assert.deepEqual(got[name].dims, [1, read.length, w], name);
      read.forEach(([b, t], j) => {
        const a = got[name].data.subarray(j * w, (j + 1) * w);
        const e = want[name].data.subarray((b * T + t) * w, (b * T + t + 1) * w);
        let worst = 0;
        for (let i = 0; i < w; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
        assert.ok(worst <= 1e-5, `contribOps ${contribOps} ${name} read row ${j}: ${worst}`);
      });
    }
    await fullSession.dispose();
    await rowSession.dispose();
  }
});
