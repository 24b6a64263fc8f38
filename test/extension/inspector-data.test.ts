import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectSelection } from '../../src/extension/inspector-data';
import { SCHEMA_VERSION, type CompareResult } from '../../src/protocol/result';

function result(): CompareResult {
  const items = ['moon', 'star', 'pear', 'kiwi'];
  const space = (label: string, similarity: number[][]) => ({ source: { spec: label, label, kind: 'catalog' as const, dims: 2 }, similarity,
    selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [] });
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title: 't', items, itemCategories: ['space', 'space', 'fruit', 'fruit'], categories: ['space', 'fruit'], missing: [],
    a: space('A50', [[1, 0.9, 0.1, 0.2], [0.9, 1, 0.3, 0.0], [0.1, 0.3, 1, 0.8], [0.2, 0.0, 0.8, 1]]),
    b: space('B300', [[1, 0.5, 0.6, NaN], [0.5, 1, 0.2, 0.1], [0.6, 0.2, 1, 0.7], [NaN, 0.1, 0.7, 1]]),
    rsa: { pearson: 0, spearman: 0, cosine: 0, pValue: null, permutations: 0, n: 6 }, rsaByCategory: [], warnings: [],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words: 'w', seed: 0 } };
}

test('one selected word shows its nearest neighbours in each space, most similar first, itself and NaN left out', () => {
  assert.deepEqual(inspectSelection(result(), ['moon'], 2), {
    kind: 'word', word: 'moon', category: 'space',
    spaces: [
      { label: 'A50', neighbours: [{ word: 'star', similarity: 0.9 }, { word: 'kiwi', similarity: 0.2 }] },
      { label: 'B300', neighbours: [{ word: 'pear', similarity: 0.6 }, { word: 'star', similarity: 0.5 }] },
    ],
  });
});

test('two words show their similarity in both spaces; anything else says what to do', () => {
  assert.deepEqual(inspectSelection(result(), ['pear', 'kiwi']), { kind: 'pair', words: ['pear', 'kiwi'], spaces: [{ label: 'A50', similarity: 0.8 }, { label: 'B300', similarity: 0.7 }] });
  assert.equal(inspectSelection(undefined, ['moon']).kind, 'empty');
  assert.deepEqual(inspectSelection(result(), ['comet']), { kind: 'empty', message: '"comet" is not a word of this result.' });
  assert.deepEqual(inspectSelection(result(), []), { kind: 'empty', message: 'Nothing selected.' });
});
