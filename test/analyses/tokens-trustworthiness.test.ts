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

const expected = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'tokens', 'trustworthiness.json'), 'utf8')) as Record<string, number>;

test('the map\'s trustworthiness equals sklearn.manifold.trustworthiness on the same rows and map', () => {
  for (const name of ['tokens-result.json', 'tokens-list-result.json']) {
    const result = JSON.parse(readFileSync(join(__dirname, '..', 'webview', 'fixtures', name), 'utf8')) as TokensResult;
    // The fixture stores rows and coordinates to 6 significant digits; the ranks, and so the value, survive that.
    assert.ok(Math.abs((result.map.trustworthiness ?? NaN) - expected[name]) < 1e-6, `${name}: ${result.map.trustworthiness} vs sklearn ${expected[name]}`);
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
