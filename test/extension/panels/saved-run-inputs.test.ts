import { test, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, installFakeVscode, recorded } from '../fake-vscode';
import { missingSavedRunInput, savedRunInputFile, savedRunInputs } from '../../../src/extension/panels/saved-run-inputs';
import type * as OpenResultModule from '../../../src/extension/panels/open-result';
import { SCHEMA_VERSION, type Result } from '../../../src/protocol/result';

let openResult: typeof OpenResultModule;

before(async () => {
  installFakeVscode();
  openResult = await import('../../../src/extension/panels/open-result');
});

beforeEach(() => {
  recorded.errors.length = 0;
  recorded.commands.length = 0;
});

const contrastRun = (sentences: string, model: string) =>
  ({ schemaVersion: 1, job: 'contrast', title: 't', inputs: { sentences, model, hook: 'blocks.0.mlp.hook_pre', targets: [], seed: 0 } }) as unknown as Result;

test('a saved run\'s local inputs are its files and model folders; hub ids, catalog names and hooks are not checked', () => {
  assert.deepEqual(savedRunInputs(contrastRun('/w/a.sentences', 'openai-community/gpt2')), [{ role: 'sentence set', path: '/w/a.sentences' }]);
  assert.deepEqual(savedRunInputs(contrastRun('/w/a.sentences', '/m/tiny')).map((i) => i.role), ['sentence set', 'model folder']);
  const compare = { job: 'compare', inputs: { words: '/w/x.words', seed: 0 } } as unknown as Result;
  assert.equal(savedRunInputFile(compare), '/w/x.words');
  const match = { job: 'match', inputs: { a: 'vectors:/v/glove.txt', b: 'model:/m/tiny#embed', length: 6, count: 4, leadingSpace: 'auto', seed: 0 } } as unknown as Result;
  assert.deepEqual(savedRunInputs(match), [{ role: 'source A', path: '/v/glove.txt' }, { role: 'source B', path: '/m/tiny' }]);
  assert.equal(savedRunInputFile(match), undefined);
  assert.deepEqual(missingSavedRunInput(match, (p) => p !== '/m/tiny'), { role: 'source B', path: '/m/tiny' });
  assert.equal(missingSavedRunInput(match, () => true), undefined);
});

/** A compare run as the panel saves it (parseSavedRun checks every field). */
function compareRun(words: string) {
  const space = { source: { spec: 'a', label: 'a', kind: 'catalog' as const, dims: 1 }, similarity: [[1, 0], [0, 1]],
    selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [[1], [0]] };
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title: 't', items: ['x', 'y'], itemCategories: [null, null], categories: [], missing: [],
    a: space, b: space, rsa: { pearson: 1, spearman: 1, cosine: 1, pValue: null, permutations: 0, n: 1 }, rsaByCategory: [], warnings: [],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words, seed: 0 } };
}

test('running a saved run again starts its job on the same file, or names the input that is gone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-saved-'));
  try {
    const words = path.join(dir, 'a.words');
    fs.writeFileSync(words, 'cat\ndog\n');
    const saved = path.join(dir, 'run.mechlens.json');
    fs.writeFileSync(saved, JSON.stringify(compareRun(words)));
    await openResult.runSavedRunAgain(FakeUri.file(saved));
    assert.deepEqual(recorded.errors, []);
    assert.equal(recorded.commands.length, 1);
    assert.match(recorded.commands[0], /^mechlens\.compareEmbeddings /);
    assert.ok(recorded.commands[0].includes('a.words'));

    fs.rmSync(words);
    await openResult.runSavedRunAgain(FakeUri.file(saved));
    assert.equal(recorded.commands.length, 1, 'no job starts with a missing input');
    assert.match(recorded.errors[0], /cannot run run\.mechlens\.json again: its word list .*a\.words no longer exists/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
