// Job 2 reports how well its map keeps each token's neighbours: sklearn's trustworthiness (k = 5),
// checked against sklearn on the rows and coordinates of the stored panel fixtures
// (test/fixtures/tokens/make_trustworthiness.py), and left out above 2,000 tokens, where its N² cost
// would rival the map itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokensResult } from '../../src/protocol/result';
import { runTokens, TRUSTWORTHINESS_UP_TO } from '../../src/core/analyses/tokens';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { trustworthiness } from '../../src/core/layout/trustworthiness';
import { fromJson } from '../../src/core/matrix';

const expected = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'tokens', 'trustworthiness.json'), 'utf8')) as Record<string, number>;

test('trustworthiness() recomputed here on the fixture rows and map equals sklearn.manifold.trustworthiness', () => {
  for (const name of ['tokens-result.regression.json', 'tokens-list-result.regression.json']) {
    const result = JSON.parse(readFileSync(join(__dirname, '..', 'webview', 'fixtures', name), 'utf8')) as TokensResult;
    // MechLens's trustworthiness.ts runs here on the stored rows and coordinates (rounded to 6 significant
    // digits; the ranks, and so the value, survive that), and is held to sklearn's value on the same data.
    assert.ok(result.embeddings, `${name} carries its rows`);
    const value = trustworthiness(fromJson(result.embeddings), fromJson(result.coords), 5, 'euclidean');
    assert.ok(Math.abs(value - expected[name]) < 1e-9, `${name}: ${value} vs sklearn ${expected[name]}`);
    // The value the job stored with the fixture agrees too (a regression check on the stored run).
    assert.ok(Math.abs((result.map.trustworthiness ?? NaN) - expected[name]) < 1e-6, `${name}: stored ${result.map.trustworthiness}`);
  }
});

test('above 2,000 tokens the map has no trustworthiness (its cost is N² · d)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-trust-'));
  try {
    writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 8, nHead: 2, seed: 2 });
    const over = await runTokens({ model: dir, first: TRUSTWORTHINESS_UP_TO + 1, method: 'pca', offline: true });
    assert.equal(over.map.trustworthiness, undefined);
    const under = await runTokens({ model: dir, first: 40, method: 'pca', offline: true });
    assert.ok(under.map.trustworthiness !== undefined && under.map.trustworthiness > 0.5 && under.map.trustworthiness <= 1, String(under.map.trustworthiness));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
