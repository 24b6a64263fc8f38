import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from '../helpers/cli';

const root = join(__dirname, '../..');
const fixtures = join(root, 'test/fixtures/compare');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));

function cli(args: string[]) {
  return spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: root });
}


test('mechlens compare writes the contract JSON fields and an HTML report', () => {
  const out = mkdtempSync(join(tmpdir(), 'mechlens-cli-'));
  const r = cli(['compare', '--words', 'samples/space-furniture-fruit.words', '--a', `vectors:${join(fixtures, 'a.glove.txt')}`,
    '--b', `vectors:${join(fixtures, 'b.w2v.txt')}`, '--permutations', '100', '--seed', '1', '--json', join(out, 'r.json'), '--html', join(out, 'r.html')]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'));
  assert.deepEqual(json.items, expected.items);
  assert.deepEqual(json.missing, ['date']);
  assert.equal(json.a.similarity.length, expected.items.length);
  assert.ok(Math.abs(json.a.selectivity.index - expected.a.selectivity) < 1e-9);
  assert.ok(Math.abs(json.b.selectivity.index - expected.b.selectivity) < 1e-9);
  assert.ok(Math.abs(json.rsa.pearson - expected.rsa.pearson) < 1e-9);
  assert.ok(Math.abs(json.rsa.spearman - expected.rsa.spearman) < 1e-9);
  assert.ok(Math.abs(json.rsa.cosine - expected.rsa.cosine) < 1e-9);
  assert.equal(json.rsa.pValue, 1 / 101);
  assert.ok(json.rsaByCategory.every((c: { category: string; pearson: number }) => Math.abs(c.pearson - expected.rsaByCategory[c.category]) < 1e-9));
  assert.equal(json.schemaVersion, 1);
  assert.match(r.stderr, /RSA: Pearson r/);
  const html = readFileSync(join(out, 'r.html'), 'utf8');
  assert.match(html, /<html/);
  assert.ok(!/<script[^>]+src=/.test(html), 'the report is self-contained');
});

test('mechlens compare: a bad argument exits non-zero with one line naming the input and the fix', () => {
  const out = mkdtempSync(join(tmpdir(), 'mechlens-cli-'));
  const r = cli(['compare', '--words', 'samples/space-furniture-fruit.words', '--a', 'vectors:/nonexistent/vectors.txt', '--b', `vectors:${join(fixtures, 'b.w2v.txt')}`, '--json', join(out, 'r.json')]);
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('mechlens:'));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /\/nonexistent\/vectors\.txt.*not found.*Browse|Check the path/);
  assert.equal(existsSync(join(out, 'r.json')), false);

  const typo = cli(['compare', '--wrds', 'x']);
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /unknown option --wrds.*--words/);
});

