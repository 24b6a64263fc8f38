// Jobs 2 and 3 end to end through the bundled CLI (dist/cli.js) on a seeded random checkpoint, with
// the contract's JSON fields and numbers from the numpy/scikit-learn fixtures in test/fixtures/tokens.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../helpers/cli';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { FIXTURE_CHECKPOINT, FIXTURE_FIRST } from '../fixtures/tokens/dump-rows';

const root = join(__dirname, '../..');
const fixtures = join(root, 'test/fixtures/tokens');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
const matchExpected = JSON.parse(readFileSync(join(fixtures, 'match-expected.json'), 'utf8'));
let model = '';
let tmp = '';

const cli = (args: string[]) => spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: root });
const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mechlens-tokens-cli-'));
  model = join(tmp, 'gpt2-tiny');
  writeRandomGpt2Checkpoint(model, FIXTURE_CHECKPOINT);
});

test('mechlens tokens --first N writes tokens, Gram, coords and labels that match numpy/scikit-learn', () => {
  const out = join(tmp, 'first.json');
  const r = cli(['tokens', '--model', model, '--first', String(FIXTURE_FIRST), '--method', 'pca', '--eps', String(expected.eps), '--min-samples', '3', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(json.job, 'tokens');
  assert.equal(json.tokens.length, FIXTURE_FIRST);
  assert.equal(json.tokens[0], '!');
  const scale = Math.max(...expected.gram.flat().map(Math.abs));
  json.gram.forEach((row: number[], i: number) => row.forEach((v, j) => assert.ok(near(v, expected.gram[i][j], 1e-12 * scale), `gram ${i},${j}`)));
  json.coords.forEach(([x, y]: number[], i: number) => assert.ok(near(x, expected.pcaCoords[i][0], 1e-7) && near(y, expected.pcaCoords[i][1], 1e-7), `coords ${i}`));
  assert.deepEqual(json.labels, expected.dbscanLabels);
  assert.match(r.stderr, /40 tokens \(16-d\), pca map: \d+ groups, \d+ ungrouped/);
});

test('mechlens tokens --tokens FILE with the notebook t-SNE defaults names multi-token words with their pieces', () => {
  const list = join(tmp, 'list.txt');
  writeFileSync(list, 'moon\nstar\nplanet\napple\npear\nstarfruit\nchair\ntable\n');
  const out = join(tmp, 'list.json');
  const r = cli(['tokens', '--model', model, '--tokens', list, '--perplexity', '2', '--iterations', '250', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(json.tokens, ['␣moon', '␣star', '␣planet', '␣apple', '␣pear', '␣chair', '␣table']);
  assert.deepEqual(json.missing, [{ word: 'starfruit', pieces: ['␣star', 'fruit'] }]);
  assert.equal(json.method, 'tsne');
  assert.equal(json.map.perplexity, 2);
  assert.equal(json.coords.length, 7);
  assert.equal(json.labels.length, 7);
  assert.equal(json.gram.length, 7);
  assert.match(r.stderr, /warning: "starfruit" is not a single token: ␣star\|fruit; left out\./);
});

test('mechlens match writes matches, the comparison and top-level rsa per the contract', () => {
  const out = join(tmp, 'match.json');
  const r = cli(['match', '--a', `vectors:${join(fixtures, 'match-vectors.txt')}`, '--b', `model:${model}#embed`, '--length', '1', '--count', String(matchExpected.count), '--leading-space', 'without', '--permutations', '50', '--no-map', '--json', out]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(json.matches.map((m: { word: string; indexA: number; tokenIdB: number; token: string }) => [m.word, m.indexA, m.tokenIdB, m.token]),
    matchExpected.words.map((w: string, i: number) => [w, matchExpected.indexA[i], matchExpected.tokenIdB[i], w]));
  assert.deepEqual(json.compare.items, matchExpected.words);
  for (const k of ['pearson', 'spearman', 'cosine']) assert.ok(near(json.rsa[k], matchExpected.rsa[k], 1e-6), k);
  assert.equal(json.rsa.pearson, json.compare.rsa.pearson);
  assert.match(r.stderr, /12 of 12 words matched after \d+ rows/);

  const few = join(tmp, 'few.json');
  const r2 = cli(['match', '--a', `vectors:${join(fixtures, 'match-vectors.txt')}`, '--b', `model:${model}`, '--length', '1', '--count', '50', '--leading-space', 'without', '--no-compare', '--json', few]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stderr, /warning: Only 22 of the 50 words asked for/);
});

test('bad arguments exit non-zero with one line naming the input and the fix', () => {
  const cases: [string[], RegExp][] = [
    [['tokens', '--first', '10', '--json', join(tmp, 'x.json')], /--model is required.*Hugging Face id/],
    [['tokens', '--model', model, '--first', 'ten', '--json', join(tmp, 'x.json')], /mechlens tokens: --first must be a whole number of at least 1 \(decimal digits only\), got "ten"\. --first: map the first N token ids/],
    [['tokens', '--model', model, '--method', 'umap', '--json', join(tmp, 'x.json')], /--method must be tsne or pca, got "umap"/],
    [['tokens', '--model', model, '--first', '5', '--tokens', join(tmp, 'list.txt'), '--json', join(tmp, 'x.json')], /Drop --first or --tokens/],
    [['tokens', '--model', join(tmp, 'missing-model'), '--json', join(tmp, 'x.json')], /missing-model.*Give a checkpoint folder/],
    [['match', '--a', `vectors:${join(tmp, 'none.txt')}`, '--b', `model:${model}`, '--json', join(tmp, 'x.json')], /none\.txt: vector file not found\. Check the path/],
    [['match', '--a', `vectors:${join(fixtures, 'match-vectors.txt')}`, '--b', model, '--json', join(tmp, 'x.json')], /source B must be a model\. Write model:gpt2/],
    [['match', '--a', `vectors:${join(fixtures, 'match-vectors.txt')}`, '--b', `model:${model}`, '--length', '0', '--json', join(tmp, 'x.json')], /--length must be a whole number of at least 1, got "0"\. --length: characters per word/],
    [['match', '--a', `vectors:${join(fixtures, 'match-vectors.txt')}`, '--b', `model:${model}`, '--leading-space', 'maybe', '--json', join(tmp, 'x.json')], /--leading-space must be with, without or either/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('mechlens:')).length, 1, r.stderr);
  }
});
