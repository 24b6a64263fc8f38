// A saved attention run (job 4) reopens, a hand-broken one is refused with the field named, and
// the status bar summary names model, layer and RSA Q vs K.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSavedRun } from '../../../src/extension/panels/saved-run';
import { summarizeResult } from '../../../src/extension/job-table';
import { MechLensError } from '../../../src/core/errors';
import type { AttentionResult } from '../../../src/protocol/result';

const text = readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'attention-result.regression.json'), 'utf8');
const fixture = JSON.parse(text) as AttentionResult;

test('a saved attention result reopens as is', () => {
  assert.deepEqual(parseSavedRun(text, 'run.mechlens.json'), fixture);
});

test('a K matrix of the wrong size is refused, naming the field and the file', () => {
  const broken = JSON.parse(text) as AttentionResult;
  broken.k.similarity = broken.k.similarity.slice(1);
  assert.throws(() => parseSavedRun(JSON.stringify(broken), 'run.mechlens.json'), (err: unknown) =>
    err instanceof MechLensError && /"k\.similarity" must be a 34 × 34 matrix/.test(err.message) && err.input === 'run.mechlens.json');
});

test('the summary names the model, the layer, the provider and RSA Q vs K', () => {
  const s = summarizeResult(fixture);
  assert.match(s.text, new RegExp(`^${fixture.model.label} · layer ${fixture.layer} Q/K · CPU · `));
  assert.ok(s.tooltip.includes(`RSA Q vs K r = ${fixture.rsa.pearson.toFixed(3)}`));
  assert.ok(s.tooltip.includes('34 words, 1 not single tokens'));
});
