// The status bar and log line for a token map: model, token count, projection, groups and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeResult } from '../../../src/extension/job-table';
import type { TokensResult } from '../../../src/protocol/result';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'tokens-result.regression.json'), 'utf8')) as TokensResult;

test('a token map names the model, the token count, the projection and its DBSCAN groups', () => {
  const summary = summarizeResult({ ...fixture, run: { ...fixture.run, durationMs: 420 } });
  assert.equal(summary.text, 'random-gpt2 · 100 tokens · t-SNE (perplexity 5) · 420 ms');
  assert.equal(summary.tooltip, `${fixture.title}\n100 tokens × 32 dims, t-SNE (perplexity 5)\nDBSCAN eps 7, min_samples 3: ${fixture.clusters.length} groups, ${fixture.ungrouped.indices.length} ungrouped\nRun time: 420 ms`);
  const pca = summarizeResult({ ...fixture, method: 'pca', map: { ...fixture.map, method: 'pca', eps: 0.25 }, run: { ...fixture.run, durationMs: 1500 } });
  assert.equal(pca.text, 'random-gpt2 · 100 tokens · PCA · 1.50 s');
  assert.match(pca.tooltip, /DBSCAN eps 0\.25, min_samples 3/);
});
