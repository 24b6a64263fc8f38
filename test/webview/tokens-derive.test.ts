// The token panel's pure helpers under Node: the transpose, the CSV text (a leading-space token is
// written with its real space, quoted, so pandas reads " the" back), and the group lists in label
// order with the ungrouped tokens last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokensResult } from '../../src/protocol/result';
import { groupRows, mapCsv, rowsCsv, tokenLabel, transpose } from '../../src/webview/panels/tokens-derive';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'tokens-list-result.regression.json'), 'utf8')) as TokensResult;
const first = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'tokens-result.regression.json'), 'utf8')) as TokensResult;

test('transpose swaps rows and columns and leaves its input alone', () => {
  const m = [[1, 2, 3], [4, 5, 6]];
  assert.deepEqual(transpose(m), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(m, [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(transpose([]), []);
});

test('CSV rows carry the real leading space, quoted, and one column per dimension', () => {
  const lines = rowsCsv(fixture, fixture.embeddings!).trim().split('\n');
  assert.equal(lines.length, fixture.tokens.length + 1);
  assert.equal(lines[0].split(',').length, 2 + fixture.dims);
  assert.ok(lines[1].startsWith(`" space",${fixture.tokenIds[0]},`), lines[1].slice(0, 40));
  assert.deepEqual(lines[1].split(',').slice(2).map(Number), fixture.embeddings![0]);
  const map = mapCsv(first).trim().split('\n');
  // A token that is itself a comma or quote is quoted and escaped.
  const comma = first.tokens.indexOf(',');
  assert.ok(comma >= 0);
  assert.equal(map[1 + comma], `",",${first.tokenIds[comma]},${first.coords[comma][0]},${first.coords[comma][1]},${first.labels[comma]},${first.norms[comma]}`);
  const quote = first.tokens.indexOf('"');
  assert.ok(map[1 + quote].startsWith('"""",'), map[1 + quote]);
});

test('groups come in label order with every token once; the ungrouped ones last', () => {
  const rows = groupRows(first);
  assert.deepEqual(rows.map((r) => r.label), [...first.clusters.map((c) => c.label).sort((a, b) => a - b), -1]);
  const all = rows.flatMap((r) => r.indices).sort((a, b) => a - b);
  assert.deepEqual(all, first.tokens.map((_, i) => i));
  assert.deepEqual(groupRows({ ...first, ungrouped: { indices: [], tokens: [], tokenIds: [] } }).at(-1)?.label, Math.max(...first.clusters.map((c) => c.label)));
  assert.equal(tokenLabel('␣the', 262), '␣the  (id 262)');
});
