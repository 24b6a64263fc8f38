// editDistance backs the "did you mean" hints of catalog names and hook/tensor names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance } from '../../src/core/text/edit-distance';

test('edit distance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('flaw', 'lawn'), 2);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('glove-wiki-gigaword-50', 'glove-wiki-gigaword-50'), 0);
  assert.equal(editDistance('glove-wiki-gigawrd-50', 'glove-wiki-gigaword-50'), 1);
  assert.equal(editDistance('ab', 'ba'), 2, 'a transposition is two edits, not one (Levenshtein, not Damerau)');
});

test('edit distance is symmetric', () => {
  for (const [a, b] of [['hook_q', 'hook_k'], ['blocks.5.mlp', 'block.5.mlp.hook_pre'], ['', 'x']]) {
    assert.equal(editDistance(a, b), editDistance(b, a));
  }
});
