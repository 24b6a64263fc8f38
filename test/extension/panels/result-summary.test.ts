import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeResult } from '../../../src/extension/job-table';
import { formatMs } from '../../../src/extension/log-format';
import { SCHEMA_VERSION, type CompareResult } from '../../../src/protocol/result';

function result(providerB?: string): CompareResult {
  const space = (label: string, provider?: string) => ({ source: { spec: label, label, kind: 'catalog' as const, dims: 1, provider }, similarity: [], selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [] });
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title: 'GloVe-50 vs GPT-2', items: ['a', 'b', 'c'], itemCategories: [null, null, null], categories: [], missing: ['d'],
    a: space('GloVe-50'), b: space('gpt2 embed', providerB), rsa: { pearson: 0.61234, spearman: 0.5, cosine: 0.9, pValue: 0.000999, permutations: 1000, n: 3 }, rsaByCategory: [], warnings: [],
    run: { createdAt: '', version: '0', durationMs: 1234, options: {} }, inputs: { words: 'w', seed: 0 } };
}

test('the status bar names both sources, the provider when a model ran, and the run time', () => {
  assert.equal(summarizeResult(result()).text, 'GloVe-50 vs gpt2 embed · 1.23 s');
  const withModel = summarizeResult(result('cuda'));
  assert.equal(withModel.text, 'GloVe-50 vs gpt2 embed · CUDA · 1.23 s');
  assert.equal(withModel.tooltip, 'GloVe-50 vs GPT-2\n3 words, 1 missing\nRSA r = 0.612, ρ = 0.500, p = 0.0010\nExecution provider: cuda\nRun time: 1.23 s');
  assert.match(summarizeResult(result()).tooltip, /No model inference/);
  assert.deepEqual([formatMs(12.4), formatMs(999.6), formatMs(1000), formatMs(65432)], ['12 ms', '1000 ms', '1.00 s', '65.43 s']);
});

test('a contrast result names the model, the hook, the provider and the significant neurons', () => {
  const contrast = { schemaVersion: 1, job: 'contrast', title: 'him vs her', model: { label: 'gpt2' }, hook: 'blocks.5.mlp.hook_pre', provider: 'cpu',
    groups: ['him', 'her'], significant: [3, 7], t: [0, 0, 0, 5, 0, 0, 0, -6], run: { durationMs: 250 } };
  const summary = summarizeResult(contrast as never);
  assert.equal(summary.text, 'gpt2 · blocks.5.mlp.hook_pre · CPU · 250 ms');
  assert.equal(summary.tooltip, 'him vs her\nhim vs her: 2 of 8 neurons significant\nExecution provider: cpu\nRun time: 250 ms');
});
