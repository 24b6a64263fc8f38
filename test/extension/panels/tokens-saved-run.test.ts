// A saved job 2 run (*.mechlens.json) reads back through parseSavedRun: the panel fixtures made by the
// real runTokens (first 100 tokens, and a token list), a whole-vocabulary run without the matrices,
// and hand-edited files that would break the panel refused with a message naming the file and field.
// The panel store counts its tokens, so a 100-token run stays in the webview's own state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSavedRun } from '../../../src/extension/panels/saved-run';
import { rowsOf, webviewStateItemLimit } from '../../../src/extension/panels/panel-store';
import { MechLensError } from '../../../src/core/errors';
import type { TokensResult } from '../../../src/protocol/result';

const fixtureText = (name: string) => readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', name), 'utf8');
const text = fixtureText('tokens-result.regression.json');
const fixture = JSON.parse(text) as TokensResult;
const file = '/runs/t.mechlens.json';

function fails(value: unknown, pattern: RegExp): void {
  assert.throws(() => parseSavedRun(JSON.stringify(value), file), (e: unknown) => {
    assert.ok(e instanceof MechLensError, String(e));
    assert.match(e.message, /^\/runs\/t\.mechlens\.json: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('saved token runs read back equal: first N, a token list, and a large run without rows or Gram', () => {
  assert.deepEqual(parseSavedRun(text, file), fixture);
  const list = fixtureText('tokens-list-result.regression.json');
  assert.deepEqual(parseSavedRun(list, file), JSON.parse(list));
  const large = { ...fixture, embeddings: null, gram: null };
  assert.deepEqual(parseSavedRun(JSON.stringify(large), file), large);
  assert.equal(rowsOf(fixture), 100);
  assert.ok(rowsOf(fixture) <= webviewStateItemLimit, 'a 100-token run is kept by the webview itself, not copied to extension storage');
});

test('a hand-edited token run that would break the panel is refused, naming the field', () => {
  fails({ ...fixture, tokens: undefined }, /"tokens" is missing or is not a list of tokens/);
  fails({ ...fixture, labels: fixture.labels.slice(1) }, /"labels" must have one number per token \(100\)/);
  fails({ ...fixture, coords: fixture.coords.map((c, i) => (i === 5 ? [c[0]] : c)) }, /"coords" must have one \(x, y\) row per token/);
  fails({ ...fixture, gram: fixture.gram!.slice(1) }, /"gram" must be null or a 100 × 100 matrix/);
  fails({ ...fixture, embeddings: fixture.embeddings!.map((r) => r.slice(1)) }, /"embeddings" must be null or 100 rows of 32 numbers/);
  fails({ ...fixture, clusters: [{ ...fixture.clusters[0], indices: [0, 100] }] }, /"clusters" must list each group's token rows \(0 to 99\)/);
  fails({ ...fixture, ungrouped: { indices: [-1] } }, /"ungrouped" must list the ungrouped token rows/);
});
