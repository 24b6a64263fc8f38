// Job 3: A's vocabulary walked in file order against single tokens of a seeded random checkpoint.
// Indices, token ids and the job-1 numbers on the matches are checked against
// test/fixtures/tokens/make_match_fixture.py (numpy/scipy on the same vectors and wte rows).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMatch } from '../../src/core/analyses/match';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { writeVectorFile } from '../../src/core/vectors/write';
import { FIXTURE_CHECKPOINT } from '../fixtures/tokens/dump-rows';

const fixtures = join(__dirname, '../fixtures/tokens');
const expected = JSON.parse(readFileSync(join(fixtures, 'match-expected.json'), 'utf8'));
const fixtureVectors = `vectors:${join(fixtures, 'match-vectors.txt')}`;
let model = '';
let tmp = '';
let words = '';

// File order matters: multi-token and wrong-length words sit between the matches.
const ORDER = ['the', 'planet', 'xqzzyv', 'naïve', 'ations', 'banana', 'cat', 'orange', 'ington', 'garden', 'yellow', 'people'];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mechlens-match-'));
  model = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(model, FIXTURE_CHECKPOINT);
  words = join(tmp, 'w2v.txt');
  const data = Float32Array.from({ length: ORDER.length * 4 }, (_, i) => Math.sin(i * 0.7) + (i % 3));
  await writeVectorFile(words, ORDER, { rows: ORDER.length, cols: 4, data }, 'word2vec-text');
});

const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

test('the first K one-character words in file order: indices, token ids, and job 1 on them equal numpy/scipy', async () => {
  const r = await runMatch({ a: fixtureVectors, b: `model:${model}#embed`, length: 1, count: expected.count, leadingSpace: 'without', permutations: 50, map: false });
  assert.equal(r.job, 'match');
  assert.deepEqual(r.matches.map((m) => m.word), expected.words);
  assert.deepEqual(r.matches.map((m) => m.indexA), expected.indexA);
  assert.deepEqual(r.matches.map((m) => m.tokenIdB), expected.tokenIdB);
  assert.deepEqual(r.matches.map((m) => m.token), expected.words);
  assert.ok(r.matches.every((m) => m.form === 'without'));
  assert.equal(r.scanned, expected.scannedAtK);
  assert.equal(r.complete, false);
  assert.equal(r.a.format, 'word2vec-text');
  assert.equal(r.b.kind, 'model-embed');
  const c = r.compare!;
  assert.deepEqual(c.items, expected.words);
  assert.deepEqual(c.missing, []);
  c.a.similarity.forEach((row, i) => row.forEach((v, j) => assert.ok(near(v, expected.simA[i][j], 1e-6), `simA ${i},${j}`)));
  c.b.similarity.forEach((row, i) => row.forEach((v, j) => assert.ok(near(v, expected.simB[i][j], 1e-6), `simB ${i},${j}`)));
  for (const k of ['pearson', 'spearman', 'cosine'] as const) assert.ok(near(r.rsa![k], expected.rsa[k], 1e-6), `${k}: ${r.rsa![k]} vs ${expected.rsa[k]}`);
  assert.deepEqual(r.rsa, c.rsa);
  assert.equal(r.rsa!.permutations, 50);
});

test('fewer matches than K: all of A is read and the result says so', async () => {
  const r = await runMatch({ a: fixtureVectors, b: `model:${model}`, length: 1, count: 30, leadingSpace: 'without', compare: false });
  assert.deepEqual(r.matches.map((m) => m.indexA), expected.allSingles);
  assert.equal(r.scanned, expected.order.length);
  assert.equal(r.complete, true);
  assert.equal(r.compare, null);
  assert.equal(r.rsa, null);
  assert.ok(r.warnings.some((w) => w.startsWith(`Only ${expected.allSingles.length} of the 30 words asked for`) && w.includes(`all ${expected.order.length} rows read`)), r.warnings.join('\n'));
});

test('leading space: with, without and either pick different words; length counts characters, not bytes', async () => {
  const opts = { a: `vectors:${words}`, b: `model:${model}`, count: 100, compare: false } as const;
  const withSpace = await runMatch({ ...opts, length: 6, leadingSpace: 'with' });
  assert.deepEqual(withSpace.matches.map((m) => [m.word, m.indexA, m.tokenIdB, m.token]), [
    ['planet', 1, 5440, '␣planet'], ['banana', 5, 25996, '␣banana'], ['orange', 7, 10912, '␣orange'], ['garden', 9, 11376, '␣garden'], ['yellow', 10, 7872, '␣yellow'], ['people', 11, 661, '␣people'],
  ]);
  const without = await runMatch({ ...opts, length: 6, leadingSpace: 'without' });
  assert.deepEqual(without.matches.map((m) => [m.word, m.tokenIdB]), [['planet', 47427], ['ations', 602], ['orange', 43745], ['ington', 9557], ['yellow', 36022], ['people', 15332]]);
  const either = await runMatch({ ...opts, length: 6, leadingSpace: 'either' });
  assert.deepEqual(either.matches.map((m) => [m.word, m.form]), [
    ['planet', 'with'], ['ations', 'without'], ['banana', 'with'], ['orange', 'with'], ['ington', 'without'], ['garden', 'with'], ['yellow', 'with'], ['people', 'with'],
  ]);
  // "naïve" is 5 characters but 6 UTF-8 bytes: it belongs to length 5 only.
  assert.ok(!withSpace.matches.some((m) => m.word === 'naïve'));
  const five = await runMatch({ ...opts, length: 5, leadingSpace: 'with' });
  assert.deepEqual(five.matches.map((m) => [m.word, m.indexA, m.tokenIdB]), [['naïve', 3, 41492]]);
});

test('count stops the walk at the K-th match; the comparison reads B in the matched form', async () => {
  const r = await runMatch({ a: `vectors:${words}`, b: `model:${model}#embed`, length: 6, count: 3, permutations: 0, map: false });
  assert.deepEqual(r.matches.map((m) => m.word), ['planet', 'banana', 'orange']);
  assert.equal(r.scanned, 8);
  assert.deepEqual(r.compare!.items, ['planet', 'banana', 'orange']);
  assert.equal(r.compare!.b.source.kind, 'model-embed');
  assert.deepEqual(r.warnings, []);

  const mixed = await runMatch({ a: `vectors:${words}`, b: `model:${model}`, length: 6, count: 4, leadingSpace: 'either', permutations: 0, map: false });
  assert.deepEqual(mixed.compare!.items, ['planet', 'banana', 'orange']);
  assert.deepEqual(mixed.compare!.missing, ['ations']);
  assert.ok(mixed.warnings.some((w) => w.startsWith('1 word is a single token only without a leading space (ations)')), mixed.warnings.join('\n'));
});

test('fewer than 3 matches skip job 1 with a note; bad inputs name the input and the fix', async () => {
  const r = await runMatch({ a: `vectors:${words}`, b: `model:${model}`, length: 5, count: 10 });
  assert.equal(r.compare, null);
  assert.ok(r.warnings.some((w) => w.includes('Job 1 needs at least 3 words; only 1 matched')), r.warnings.join('\n'));
  await assert.rejects(runMatch({ a: `vectors:${words}`, b: model }), /source B must be a model.*model:gpt2/);
  await assert.rejects(runMatch({ a: `vectors:${join(tmp, 'nope.txt')}`, b: `model:${model}` }), /nope\.txt: vector file not found/);
  await assert.rejects(runMatch({ a: `vectors:${words}`, b: `model:${model}`, length: 0 }), /length: the word length must be a whole number ≥ 1, got 0/);
  await assert.rejects(runMatch({ a: `vectors:${words}`, b: `model:${model}`, count: 2.5 }), /count: the number of words must be a whole number ≥ 1, got 2.5/);
  await assert.rejects(runMatch({ a: `model:${model}`, b: `model:${model}` }), /is a model source, not a static vector file/);
});
