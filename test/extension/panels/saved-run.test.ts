import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSavedRun } from '../../../src/extension/panels/saved-run';
import { MechLensError } from '../../../src/core/errors';
import { SCHEMA_VERSION, type CompareResult, type SpaceResult } from '../../../src/protocol/result';

function space(label: string): SpaceResult {
  return {
    source: { spec: label, label, kind: 'catalog', dims: 2 },
    similarity: [[1, 0.5, 0.1], [0.5, 1, 0.2], [0.1, 0.2, 1]],
    selectivity: { index: null, within: null, between: null, perCategory: [], reason: 'one category' },
    lowercased: [], missing: [], zeroVectors: [],
    vectors: [[1, 0], [0.8, 0.6], [0, 1]],
  };
}

function result(): CompareResult {
  return {
    schemaVersion: SCHEMA_VERSION, job: 'compare', title: 'A vs B', items: ['moon', 'star', 'pear'],
    itemCategories: ['space', 'space', 'fruit'], categories: ['space', 'fruit'], missing: ['kiwi'],
    a: space('a'), b: space('b'),
    rsa: { pearson: 0.9, spearman: 1, cosine: 0.95, pValue: 0.2, permutations: 5, n: 3 },
    rsaByCategory: [], warnings: [],
    run: { createdAt: '2026-11-23T21:00:00Z', version: '0.1.0', durationMs: 12, options: {} },
    inputs: { words: 'x.words', seed: 0 },
  };
}

function fails(text: string, pattern: RegExp, code?: string): void {
  assert.throws(() => parseSavedRun(text, '/runs/x.mechlens.json'), (e: unknown) => {
    assert.ok(e instanceof MechLensError, String(e));
    assert.match(e.message, pattern);
    assert.match(e.message, /^\/runs\/x\.mechlens\.json: /, 'the message names the file');
    if (code) assert.equal(e.code, code);
    return true;
  });
}

test('a saved compare result reads back equal, with or without a BOM', () => {
  const r = result();
  assert.deepEqual(parseSavedRun(JSON.stringify(r), 'x'), r);
  assert.deepEqual(parseSavedRun(`\ufeff${JSON.stringify(r, null, 2)}`, 'x'), r);
});

test('unknown schema versions and jobs get a clear message with what to do', () => {
  fails(JSON.stringify({ ...result(), schemaVersion: SCHEMA_VERSION + 1 }), new RegExp(`schema version ${SCHEMA_VERSION + 1}.*reads version ${SCHEMA_VERSION}.*Update the MechLens extension`), 'unsupported');
  fails(JSON.stringify({ ...result(), schemaVersion: 0 }), /Re-run the analysis/, 'unsupported');
  fails(JSON.stringify({ ...result(), schemaVersion: 1.5 }), /schema version 1.5/, 'unsupported');
  fails(JSON.stringify({ ...result(), job: 'telepathy' }), /job "telepathy"/, 'unsupported');
});

test('files that are not results, or were edited into the wrong shape, are refused', () => {
  fails('{"job": "compare", ', /Not valid JSON/, 'parse');
  fails('', /Not valid JSON/, 'parse');
  fails('[1,2,3]', /Not a MechLens result/, 'format');
  fails(JSON.stringify({ job: 'compare' }), /Not a MechLens result/, 'format');
  const r = result();
  fails(JSON.stringify({ ...r, items: undefined }), /"items"/, 'format');
  fails(JSON.stringify({ ...r, itemCategories: ['space'] }), /"itemCategories".*\(3\)/, 'format');
  fails(JSON.stringify({ ...r, a: { ...r.a, similarity: [[1, 0.5], [0.5, 1]] } }), /"a\.similarity" must be a 3 × 3 matrix/, 'format');
  fails(JSON.stringify({ ...r, b: { ...r.b, similarity: [[1, 0.5, 0.1], [0.5, 1, 'x'], [0.1, 0.2, 1]] } }), /"b\.similarity"/, 'format');
  fails(JSON.stringify({ ...r, b: { ...r.b, vectors: [[1, 0]] } }), /"b\.vectors" must have one row per item/, 'format');
  fails(JSON.stringify({ ...r, b: undefined }), /"b" is missing/, 'format');
  fails(JSON.stringify({ ...r, rsa: null }), /"rsa" is missing/, 'format');
});

test('a saved contrast run reads back; activations and per-neuron statistics must match the sentences and neurons', () => {
  const contrast = {
    schemaVersion: SCHEMA_VERSION, job: 'contrast', title: 'him vs her', model: { spec: 'model:gpt2#blocks.5.mlp.hook_pre', label: 'gpt2', kind: 'model-hook', dims: 3 },
    hook: 'blocks.5.mlp.hook_pre', groups: ['him', 'her'], sentences: [{ text: 'I saw him.', group: 0 }, { text: 'I saw her.', group: 1 }],
    activations: [[1, 2, 3], [3, 2, 1]], t: [1, 0, -1], p: [0.5, 1, 0.5], run: {},
  };
  assert.deepEqual(parseSavedRun(JSON.stringify(contrast), 'x'), contrast);
  fails(JSON.stringify({ ...contrast, activations: [[1, 2, 3]] }), /"activations" must have one row per sentence \(2\)/, 'format');
  fails(JSON.stringify({ ...contrast, activations: [[1, 2, 3], [1, 2]] }), /Every row of "activations" must have 3 values/, 'format');
  fails(JSON.stringify({ ...contrast, t: [1, 2] }), /"t" must have one value per neuron \(3\)/, 'format');
  fails(JSON.stringify({ ...contrast, groups: ['him'] }), /"groups"/, 'format');
});
