// Job 4 with an SAE (attention --sae) against numpy and scipy (test/fixtures/sae/make_sae_fixtures.py,
// attention()): the words' features at the SAE's hook, their cosine similarities, and RSA with Q and K
// at the layer, per head and over the sweep (with the residual stream), Pearson and Spearman to 1e-4.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAttention } from '../../src/core/analyses/attention';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { SAE_FIXTURE_CHECKPOINT } from '../fixtures/sae/dump-activations';
import { ATTENTION_SAE_WORDS } from '../fixtures/sae/attention/dump-attention';

type Pair = { pearson: number; spearman: number } | null;
interface Expected {
  items: string[]; hook: string; meanL0: number; silent: number[]; similarity: number[][];
  layers: { layer: number; rsaQ: Pair; rsaK: Pair; rsaResid: Pair; heads: { head: number; rsaQ: Pair; rsaK: Pair }[] }[];
}
const fixtures = join(__dirname, '../fixtures/sae');
const expected = JSON.parse(readFileSync(join(fixtures, 'attention/expected.json'), 'utf8')) as Expected;

let model = '';
let words = '';
before(() => {
  const tmp = mkdtempSync(join(tmpdir(), 'mechlens-attn-sae-'));
  model = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(model, SAE_FIXTURE_CHECKPOINT);
  words = join(tmp, 'kinds.words');
  writeFileSync(words, ATTENTION_SAE_WORDS);
});

const close = (actual: number | null | undefined, wanted: number | null | undefined, what: string) => {
  if (wanted === null || wanted === undefined) return assert.equal(actual ?? null, null, what);
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - wanted) <= 1e-4, `${what}: ${actual} vs scipy ${wanted}`);
};

for (const layer of [0, 1]) {
  test(`attention --sae at layer ${layer}: features' similarities and their RSA with Q, K, heads and the sweep match numpy/scipy`, async () => {
    const r = await runAttention({ wordsPath: words, model, layer, sweep: true, permutations: 200, seed: 3, sae: join(fixtures, 'e2e/sae') });
    assert.deepEqual(r.items, expected.items);
    const sae = r.sae!;
    assert.ok(sae, 'the result carries the SAE row');
    assert.equal(sae.hook, expected.hook);
    assert.equal(sae.info.dSae, 96);
    assert.equal(sae.bosFromSae, true, 'the SAE asks for a BOS and GPT-2 adds none');
    close(sae.meanL0, expected.meanL0, 'mean L0');
    assert.deepEqual(sae.silent, expected.silent.map((i) => expected.items[i]));
    sae.space.similarity.forEach((row, i) => row.forEach((v, j) => close(v, expected.similarity[i][j], `similarity[${i}][${j}]`)));
    const want = expected.layers[layer];
    for (const [got, wanted, what] of [[sae.rsaQ, want.rsaQ, 'features vs Q'], [sae.rsaK, want.rsaK, 'features vs K']] as const) {
      close(got?.pearson, wanted?.pearson, `${what} Pearson`);
      close(got?.spearman, wanted?.spearman, `${what} Spearman`);
      assert.equal(got?.permutations, 200);
      assert.ok(got!.pValue! > 0 && got!.pValue! <= 1);
    }
    assert.equal(sae.heads.length, SAE_FIXTURE_CHECKPOINT.nHead);
    for (const h of want.heads) {
      close(sae.heads[h.head].rsaQ, h.rsaQ?.pearson, `head ${h.head} features vs Q`);
      close(sae.heads[h.head].rsaK, h.rsaK?.pearson, `head ${h.head} features vs K`);
    }
    for (const l of expected.layers) {
      const s = r.sweep![l.layer].sae!;
      close(s.q, l.rsaQ?.pearson, `sweep layer ${l.layer} features vs Q`);
      close(s.k, l.rsaK?.pearson, `sweep layer ${l.layer} features vs K`);
      close(s.resid, l.rsaResid?.pearson, `sweep layer ${l.layer} features vs resid`);
    }
    assert.equal(r.inputs.sae, join(fixtures, 'e2e/sae'));
    assert.match(r.title, /with features of sae/);
  });
}

test('attention without --sae has no SAE row, and the Q–K statistics are the same with one', async () => {
  const plain = await runAttention({ wordsPath: words, model, layer: 1, permutations: 50 });
  const withSae = await runAttention({ wordsPath: words, model, layer: 1, permutations: 50, sae: join(fixtures, 'e2e/sae') });
  assert.equal(plain.sae, undefined);
  assert.deepEqual(withSae.rsa, plain.rsa);
  assert.deepEqual(withSae.heads, plain.heads);
});
