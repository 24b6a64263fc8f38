import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompare } from '../../src/core/analyses/compare';

const dir = join(__dirname, '../fixtures/compare');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
const words = join(__dirname, '../../samples/space-furniture-fruit.words');

function assertClose(actual: number | null, wanted: number, tol: number, what: string) {
  assert.ok(actual !== null && Math.abs(actual - wanted) <= tol, `${what}: ${actual} vs numpy ${wanted}`);
}

test('compare matches numpy/scipy on a GloVe text file vs a word2vec text file', async () => {
  const r = await runCompare({ wordsPath: words, a: `vectors:${join(dir, 'a.glove.txt')}`, b: `vectors:${join(dir, 'b.w2v.txt')}`, map: false, permutations: 200 });
  assert.deepEqual(r.items, expected.items);
  assert.deepEqual(r.missing, ['date']);
  assert.deepEqual(r.b.missing, ['date']);
  assert.deepEqual(r.a.missing, []);
  assert.equal(r.a.source.format, 'glove-text');
  assert.equal(r.b.source.dims, 12);
  for (const side of ['a', 'b'] as const) {
    const n = expected.items.length;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assertClose(r[side].similarity[i][j], expected[side].similarity[i][j], 1e-6, `${side}.similarity[${i}][${j}]`);
    assertClose(r[side].selectivity.index, expected[side].selectivity, 1e-9, `${side}.selectivity`);
    assertClose(r[side].selectivity.within, expected[side].within, 1e-9, `${side}.within`);
    assertClose(r[side].selectivity.between, expected[side].between, 1e-9, `${side}.between`);
  }
  assertClose(r.rsa.pearson, expected.rsa.pearson, 1e-9, 'rsa.pearson');
  assertClose(r.rsa.spearman, expected.rsa.spearman, 1e-9, 'rsa.spearman');
  assertClose(r.rsa.cosine, expected.rsa.cosine, 1e-9, 'rsa.cosine');
  // r ≈ 0.8 over 171 pairs: no relabelling of the items comes close, so p is the smallest possible.
  assert.equal(r.rsa.pValue, 1 / 201);
  assert.deepEqual(r.rsaByCategory.map((c) => c.category), Object.keys(expected.rsaByCategory));
  for (const c of r.rsaByCategory) assertClose(c.pearson, expected.rsaByCategory[c.category], 1e-9, `rsa in ${c.category}`);
  assert.deepEqual(r.itemCategories.slice(0, 7), ['space', 'space', 'space', 'space', 'space', 'space', 'furniture']);
});

test('compare maps each space with t-SNE and lists DBSCAN clusters', async () => {
  const r = await runCompare({ wordsPath: words, a: `vectors:${join(dir, 'a.glove.txt')}`, b: `vectors:${join(dir, 'b.w2v.txt')}`, permutations: 0, seed: 3 });
  for (const side of [r.a, r.b]) {
    assert.ok(side.map);
    assert.equal(side.map.coords.length, r.items.length);
    assert.equal(side.map.labels.length, r.items.length);
    const clustered = side.map.clusters.flatMap((c) => c.members);
    assert.equal(clustered.length, side.map.labels.filter((l) => l >= 0).length);
    assert.ok(side.map.clusters.length >= 2, `expected the three categories to form clusters, got ${side.map.clusters.length}`);
  }
  assert.equal(r.rsa.pValue, null);
  assert.equal(r.adjusted, undefined, 'the automatic perplexity is no adjustment');

  // A perplexity the words cannot carry is lowered, and the result records it for the panel.
  const lowered = await runCompare({ wordsPath: words, a: `vectors:${join(dir, 'a.glove.txt')}`, b: `vectors:${join(dir, 'b.w2v.txt')}`, permutations: 0, seed: 3, map: { perplexity: 50 } });
  const n = lowered.items.length;
  assert.deepEqual(lowered.adjusted, { perplexity: { asked: 50, used: (n - 1) / 3, why: `at most (n − 1) / 3 for ${n} words` } });
  assert.equal(lowered.a.map?.options.perplexity, (n - 1) / 3);
});

test('compare names the word list and the fix when too few words are shared', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mechlens-'));
  const few = join(tmp, 'few.words');
  writeFileSync(few, 'zebra\nquark\napple\n');
  await assert.rejects(
    runCompare({ wordsPath: few, a: `vectors:${join(dir, 'a.glove.txt')}`, b: `vectors:${join(dir, 'b.w2v.txt')}`, map: false }),
    (e: Error) => /few\.words/.test(e.message) && /at least 3 shared words/.test(e.message),
  );
});

test('compare rejects an unknown source spec with the accepted forms', async () => {
  await assert.rejects(
    runCompare({ wordsPath: words, a: 'no-such-vectors', b: `vectors:${join(dir, 'b.w2v.txt')}`, map: false }),
    /"no-such-vectors" is not a vector catalog name.*vectors:PATH/,
  );
});
