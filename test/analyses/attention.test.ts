// Job 4 on a random checkpoint: Q/K/V read at the word's token must equal the independent reference
// forward pass, per-head slices must be head-major, and the sweep must agree with the single layer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAttention } from '../../src/core/analyses/attention';
import { openCheckpoint } from '../../src/core/models/checkpoint';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { referenceForward } from '../helpers/reference-forward';
import { loadTokenizer } from '../../src/core/models/tokenizer';
import { representationalSimilarity } from '../../src/core/stats/rsa';
import { cosineSimilarityMatrix } from '../../src/core/stats/similarity';

let dir = '';
let words = '';
before(() => {
  const tmp = mkdtempSync(join(tmpdir(), 'mechlens-attn-'));
  dir = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(dir, { nLayer: 3, nEmbd: 32, nHead: 4, seed: 9 });
  words = join(tmp, 'next.words');
  writeFileSync(words, '[space]\nmoon\nstar\nplanet\ncomet\n[furniture]\nchair\ntable\nsofa\nlamp\n[fruit]\napple\npear\ngrapefruit\nlime\n');
});

test('runAttention reads Q, K, V at the word and compares them as the reference forward says', async () => {
  const r = await runAttention({ wordsPath: words, model: dir, layer: 1, permutations: 100, sweep: true });
  assert.equal(r.items.length, 11);
  assert.deepEqual(r.missing, ['comet', 'grapefruit'].filter((w) => !r.items.includes(w)));
  assert.ok(r.pieces.length >= 1 && r.pieces.every((p) => p.pieces.length > 1));
  assert.ok(r.warnings.some((w) => /not a single token/.test(w)));

  const ckpt = openCheckpoint(dir);
  const tok = await loadTokenizer(dir);
  const ref = (hook: string) => {
    const data = new Float64Array(r.items.length * 32);
    r.items.forEach((w, i) => {
      const ids = tok.encode(`The next word is ${w}`);
      const t = referenceForward(ckpt.config, (n) => ckpt.readF32(n), ids)[hook];
      data.set(t.data.subarray((ids.length - 1) * 32, ids.length * 32), i * 32);
    });
    return { rows: r.items.length, cols: 32, data };
  };
  const q = ref('blocks.1.attn.hook_q');
  const k = ref('blocks.1.attn.hook_k');
  const qSim = cosineSimilarityMatrix(q).similarity;
  const kSim = cosineSimilarityMatrix(k).similarity;
  r.q.similarity.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - qSim.data[i * r.items.length + j]) < 1e-4)));
  r.k.similarity.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - kSim.data[i * r.items.length + j]) < 1e-4)));
  const want = representationalSimilarity(qSim, kSim, { permutations: 0 });
  assert.ok(Math.abs(r.rsa.pearson - want.pearson) < 1e-4);
  assert.ok(r.rsa.pValue !== null && r.rsa.pValue > 0 && r.rsa.pValue <= 1);

  // Head 2 is columns 16..23 of the head-major row.
  const slice = (m: { rows: number; data: Float64Array }) => {
    const out = new Float64Array(m.rows * 8);
    for (let i = 0; i < m.rows; i++) out.set(m.data.subarray(i * 32 + 16, i * 32 + 24), i * 8);
    return cosineSimilarityMatrix({ rows: m.rows, cols: 8, data: out }).similarity;
  };
  const head2 = representationalSimilarity(slice(q), slice(k), { permutations: 0 }).pearson;
  assert.equal(r.heads.length, 4);
  assert.ok(Math.abs((r.heads[2].rsa ?? NaN) - head2) < 1e-4);

  assert.equal(r.sweep?.length, 3);
  assert.ok(Math.abs((r.sweep![1].rsaQK ?? NaN) - r.rsa.pearson) < 1e-9);
  assert.equal(r.sweep![1].selectivity.q, r.q.selectivity.index);
  assert.equal(r.q.histogram.counts.reduce((a, b) => a + b, 0), (11 * 10) / 2);
});

test('runAttention names the layer range when the layer does not exist', async () => {
  await assert.rejects(runAttention({ wordsPath: words, model: dir, layer: 7, permutations: 0 }), /layer 7 does not exist.*0 to 2/);
});
