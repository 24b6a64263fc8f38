// Vocabulary diagnostics with the real GPT-2 tokenizer (the random checkpoint ships the real
// tokenizer files) and a real vector file: words that are not one token, named with their pieces;
// words missing from a vector set or found only lower-cased; {targets} that are split or share a
// token with their neighbours; and the quick fixes as text edits that, applied, make the finding go away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../../src/core/models/random-checkpoint';
import { loadVocabulary, vocabularyLocation, type Vocabulary } from '../../../src/core/diagnostics/vocabulary';
import { runInWorker, shutdownWorkers } from '../../../src/core/worker/client';
import { vocabularyDiagnostics } from '../../../src/extension/language/vocabulary-diagnostics';
import type { TextFix } from '../../../src/extension/language/document-diagnostics';

let root: string;
let model: Vocabulary;
let vectors: Vocabulary;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-vocab-'));
  writeRandomGpt2Checkpoint(path.join(root, 'tiny-gpt2'), { nLayer: 1, nEmbd: 16, nHead: 2, seed: 1 });
  fs.writeFileSync(path.join(root, 'vectors.txt'), 'moon 0.1 0.2\nstar 0.3 0.1\napple 0.5 0.5\nparis 0.2 0.9\n');
  model = (await loadVocabulary(path.join(root, 'tiny-gpt2'), root))!;
  vectors = (await loadVocabulary(`vectors:${path.join(root, 'vectors.txt')}`, root))!;
});

after(() => shutdownWorkers());

test('a vector file\'s words are read in a worker the way the extension loads them', async () => {
  const file = path.join(root, 'vectors.txt');
  assert.deepEqual(await runInWorker('vectorWords', { file }), ['moon', 'star', 'apple', 'paris']);
  const viaWorker = await loadVocabulary(`vectors:${file}`, root, (f) => runInWorker('vectorWords', { file: f }));
  assert.deepEqual(viaWorker, vectors);
});

/** Applies one fix to the text, as the code action's workspace edit does. */
function apply(text: string, fix: TextFix): string {
  const lines = text.split('\n');
  if (fix.deleteLine) lines.splice(fix.line, 1);
  else lines[fix.line] = lines[fix.line].slice(0, fix.start) + fix.newText + lines[fix.line].slice(fix.end);
  return lines.join('\n');
}


test('vocabularies load from what is on disk only: a model folder\'s tokenizer, a vector file\'s words; a hub id not in the cache is none', async () => {
  assert.equal(model.kind, 'tokenizer');
  assert.equal(vectors.kind, 'words');
  assert.deepEqual(vectors.kind === 'words' ? [...vectors.words] : [], ['moon', 'star', 'apple', 'paris']);
  assert.equal(vocabularyLocation('gpt2', root), undefined);
  assert.equal(await loadVocabulary('model:gpt2-medium#embed', root), undefined);
  assert.equal(await loadVocabulary(`vectors:${path.join(root, 'nope.txt')}`, root), undefined);
  assert.equal(await loadVocabulary('glove-wiki-gigaword-50', root), undefined, 'catalog set not downloaded');
  assert.deepEqual(vocabularyLocation(`model:${path.join(root, 'tiny-gpt2')}#blocks.0.attn.hook_q`, root), { kind: 'tokenizer', dir: path.join(root, 'tiny-gpt2') });
});

test('word lists against a model: words that are several tokens are named with their pieces; lower-case fix only when that is one token', () => {
  const text = '[fruit]\napple\nAPPLE2\n  cantaloupe\nAPPLE\n';
  const d = vocabularyDiagnostics(text.replace('APPLE2\n', ''), 'words', model);
  assert.deepEqual(d.map((x) => [x.line, x.start, x.end, x.code, x.severity]), [
    [2, 2, 12, 'not-single-token', 'warning'],
    [3, 0, 5, 'not-single-token', 'warning'],
  ]);
  assert.match(d[0].message, /^"cantaloupe" is not a single token for tiny-gpt2: after a space it is 4 pieces, ␣cant \| al \| ou \| pe\./);
  assert.deepEqual(d[0].fixes?.map((f) => f.title), ['Remove "cantaloupe" (line 3)'], 'no lower-case fix: it is lower-case already');
  assert.deepEqual(d[1].fixes?.map((f) => f.title), ['Use the lower-cased form "apple" (one token)', 'Remove "APPLE" (line 4)']);
  assert.match(d[1].message, /␣AP \| PLE/);
});

test('word lists against a vector set: missing words warned, lower-cased matches noted; fixes remove the finding', () => {
  const text = '[space]\nmoon\nStar\nnebula\n[city]\nParis\n';
  const d = vocabularyDiagnostics(text, 'words', vectors);
  assert.deepEqual(d.map((x) => [x.line, x.code, x.severity]), [[2, 'vocabulary-lowercase', 'information'], [3, 'vocabulary-missing', 'warning'], [5, 'vocabulary-lowercase', 'information']]);
  assert.match(d[1].message, /^"nebula" is not in the vocabulary of vectors\.txt: the job will list it as missing/);
  let fixed = text;
  for (const finding of [...d].reverse()) fixed = apply(fixed, finding.fixes![0]);
  assert.equal(fixed, '[space]\nmoon\nstar\n[city]\nparis\n');
  assert.deepEqual(vocabularyDiagnostics(fixed, 'words', vectors), []);
});

test('sentence targets: split, glued to the word before, or sharing a token with the text after; leading-space and lower-case fixes', () => {
  const text = '[him]\nI saw{him} at the market.\nI saw {him}self.\nI saw {PEAR} there.\nI saw {him} there.\n[her]\nI saw {her} there.\nNo target here.\n';
  const d = vocabularyDiagnostics(text, 'sentences', model);
  assert.deepEqual(d.map((x) => [x.line, x.code]), [[1, 'target-not-whole-tokens'], [2, 'target-not-whole-tokens'], [3, 'target-several-tokens']]);
  assert.match(d[0].message, /^The target \{him\} is not whole tokens for tiny-gpt2: it shares wh \| im with the text around it/);
  assert.deepEqual(d[0].fixes?.map((f) => f.title), ['Add a leading space before {him}']);
  assert.deepEqual([d[1].start, d[1].end], [7, 10], 'the range is the target inside its braces');
  assert.deepEqual(d[1].fixes, [], 'nothing to offer for {him}self: the fix is to move the brace');
  assert.match(d[2].message, /^The target \{PEAR\} is 2 tokens for tiny-gpt2 \(␣P \| EAR\); the job reads its last piece\.$/);
  assert.deepEqual(d[2].fixes?.map((f) => f.title), ['Use the lower-cased form "pear" (one token)']);
  const fixed = apply(apply(text, d[2].fixes![0]), d[0].fixes![0]);
  assert.equal(fixed.split('\n')[1], 'I saw {him} at the market.');
  assert.deepEqual(vocabularyDiagnostics(fixed, 'sentences', model).map((x) => x.line), [2]);
  // A vector set says nothing about tokens, and a text the parser refuses gets no vocabulary findings.
  assert.deepEqual(vocabularyDiagnostics(text, 'sentences', vectors), []);
  assert.deepEqual(vocabularyDiagnostics('[x]\nmoon\nmoon\n', 'words', vectors), []);
});

test('a word list with a duplicate-word error still gets its vocabulary findings, on every word line', () => {
  const text = '# planets\n[space]\nmoon\nnebula\nmoon\nStar\n';
  const d = vocabularyDiagnostics(text, 'words', vectors);
  assert.deepEqual(d.map((x) => [x.line, x.code]), [[3, 'vocabulary-missing'], [5, 'vocabulary-lowercase']]);
  assert.deepEqual([d[0].start, d[0].end], [0, 'nebula'.length]);
});
