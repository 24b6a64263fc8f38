// Logit attribution's extension pieces that run without vscode (its texts are read by text-input.ts,
// tested in lens-input.test.ts): the one-token check of the target and contrast input boxes (with the real GPT-2
// tokenizer), the panel's re-run check, the Inspector's layer view and the status line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttributionResult } from '../../src/protocol/result';
import { wordProblem } from '../../src/extension/commands/attribution-inputs';
import { validateAttributionRerun } from '../../src/extension/commands/rerun-params';
import { inspectSelection, summarizeResult } from '../../src/extension/job-table';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { loadTokenizer } from '../../src/core/models/tokenizer';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'webview', 'fixtures', 'attribution-result.regression.json'), 'utf8')) as AttributionResult;

test('the input boxes: one token with a leading space passes; several tokens name the pieces; empty contrast is none', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-attribution-inputs-'));
  try {
    writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 8, nHead: 2, nPositions: 16 });
    const tokenizer = await loadTokenizer(dir);
    assert.equal(wordProblem(tokenizer, 'Paris', 'target', false), undefined);
    assert.match(wordProblem(tokenizer, 'grapefruitz', 'target', false) ?? '', /"grapefruitz" is not one token with a leading space: it is \d tokens \(␣gra/);
    assert.equal(wordProblem(tokenizer, '', 'contrast', true), undefined);
    assert.match(wordProblem(tokenizer, '', 'target', false) ?? '', /Enter the target word/);
    assert.match(wordProblem(tokenizer, 'New York', 'target', false) ?? '', /one word/);
    // Without a local tokenizer (a hub model not downloaded yet) the run checks it instead.
    assert.equal(wordProblem(undefined, 'grapefruitz', 'target', false), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the panel\'s re-run: a target word and an optional contrast; anything else names the field', () => {
  assert.deepEqual(validateAttributionRerun({ job: 'attribution', target: ' Paris ', contrast: '' }), { job: 'attribution', target: 'Paris', contrast: '' });
  assert.throws(() => validateAttributionRerun({ job: 'attribution', target: '', contrast: '' }), /target = ""/);
  assert.throws(() => validateAttributionRerun({ job: 'attribution', target: 'Paris', contrast: 7 }), /contrast = 7/);
  assert.throws(() => validateAttributionRerun({ job: 'contrast', target: 'Paris', contrast: '' }), /re-run job "contrast"/);
});

test('the Inspector shows a clicked layer: its attention, MLP and heads, and both over every layer', () => {
  const data = inspectSelection(fixture, [fixture.texts[1].text], { kind: 'layer', layer: 2 });
  assert.equal(data.kind, 'layer');
  if (data.kind !== 'layer') return;
  const text = fixture.texts[1];
  assert.deepEqual(data.values.map((v) => v.name), ['blocks.2.attn', 'blocks.2.mlp', ...text.heads[2].map((_, h) => `head 2.${h}`)]);
  assert.equal(data.values[0].value, text.components.find((c) => c.name === 'blocks.2.attn')!.value);
  assert.deepEqual(data.values.slice(2).map((v) => v.value), text.heads[2]);
  assert.deepEqual(data.layers, [0, 1, 2, 3, 4, 5]);
  assert.equal(inspectSelection(fixture, [], { kind: 'layer', layer: 99 }).kind, 'empty');
  assert.match(summarizeResult(fixture).text, /random-gemma2 · ␣Paris − ␣London · CPU/);
});
