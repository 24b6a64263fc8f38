// A saved job 3 run (*.mechlens.json) reads back through parseSavedRun: the panel fixture made by the
// real runMatch, the same without a comparison, and hand-edited files that would break the panel
// rejected with a message that names the file and the field. The panel store counts its matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSavedRun } from '../../../src/extension/panels/saved-run';
import { rowsOf } from '../../../src/extension/panels/panel-store';
import { MechLensError } from '../../../src/core/errors';
import type { MatchResult } from '../../../src/protocol/result';

const text = readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'match-result.regression.json'), 'utf8');
const fixture = JSON.parse(text) as MatchResult;

function fails(value: unknown, pattern: RegExp): void {
  assert.throws(() => parseSavedRun(JSON.stringify(value), '/runs/m.mechlens.json'), (e: unknown) => {
    assert.ok(e instanceof MechLensError, String(e));
    assert.match(e.message, /^\/runs\/m\.mechlens\.json: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a saved match run reads back equal, with its comparison or without one', () => {
  assert.deepEqual(parseSavedRun(text, '/runs/m.mechlens.json'), fixture);
  const noCompare = { ...fixture, compare: null, rsa: null };
  assert.deepEqual(parseSavedRun(JSON.stringify(noCompare), '/runs/m.mechlens.json'), noCompare);
  assert.equal(rowsOf(fixture), fixture.matches.length);
});

test('a hand-edited match run that would break the panel is refused, naming the field', () => {
  fails({ ...fixture, matches: undefined }, /"matches" is missing/);
  fails({ ...fixture, matches: [fixture.matches[0], { word: 'planet' }] }, /Entry 1 of "matches" must have a word, indexA, tokenIdB and token/);
  fails({ ...fixture, b: null }, /"a" and "b" must describe the two sources/);
  const compare = fixture.compare!;
  fails({ ...fixture, compare: { ...compare, a: { ...compare.a, similarity: compare.a.similarity.slice(1) } } }, /"a\.similarity" must be a 100 × 100 matrix/);
  fails({ ...fixture, compare: 'yes' }, /"compare" must be a comparison or null/);
});
