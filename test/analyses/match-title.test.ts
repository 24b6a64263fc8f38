// The match panel's title reads as a sentence (issue 20: "First 4 6-character words of … that are
// single tokens in tiny"): lengths to twelve spelled out, one match in the singular, none said so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { letterWords, matchTitle } from '../../src/core/analyses/match';

test('match titles read naturally', () => {
  assert.equal(matchTitle(4, 6, 'b.w2v.bin', 'tiny'), 'First 4 six-letter words of b.w2v.bin that are single tokens in tiny');
  assert.equal(matchTitle(100, 15, 'glove', 'gpt2'), 'First 100 15-letter words of glove that are single tokens in gpt2');
  assert.equal(matchTitle(1, 1, 'a.txt', 'gpt2'), 'The first one-letter word of a.txt that is a single token in gpt2');
  assert.equal(matchTitle(0, 7, 'a.txt', 'gpt2'), 'No seven-letter words of a.txt are single tokens in gpt2');
  assert.equal(letterWords(12), 'twelve-letter words');
});
