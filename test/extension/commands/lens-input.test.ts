// The texts the logit lens reads (text-input.ts), the check of its panel's Run again, and what the
// Inspector shows for a clicked cell, under plain Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { readTextsFile, readTextsSelection, textsFromContent } from '../../../src/extension/commands/text-input';
import { validateLensRerun } from '../../../src/extension/commands/rerun-params';
import { inspectLens } from '../../../src/extension/views/inspector-lens';
import type { LensResult } from '../../../src/protocol/lens';

test('.sentences: headers, comments and blank lines are not texts; {target} braces are dropped', () => {
  const content = '# probes\r\n[places]\nThe Eiffel Tower is in {Paris}\n\n  [people]\nI saw {him} there  \n';
  assert.deepEqual(textsFromContent(content, 'a.sentences'), { texts: ['The Eiffel Tower is in Paris', 'I saw him there'], lines: [3, 6] });
});

test('.words keeps words and skips headers; .txt keeps every non-comment line as written, brackets too', () => {
  assert.deepEqual(textsFromContent('[fruit]\napple\n# x\nbanana\n', 'w.words').texts, ['apple', 'banana']);
  assert.deepEqual(textsFromContent('[note] a line\n{braces} stay\n#c\n', 'a.txt').texts, ['[note] a line', '{braces} stay']);
});

test('a file without texts and an empty selection are errors that name the input and the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-text-input-'));
  try {
    const file = path.join(dir, 'empty.sentences');
    fs.writeFileSync(file, '# only a comment\n[group]\n\n');
    assert.throws(() => readTextsFile(file), (err: Error & { input?: string; fix?: string }) => err.input === file && /one text per line/.test(err.fix ?? ''));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const doc = { fileName: '/w/notes.txt', uri: { path: '/w/notes.txt' }, getText: () => 'Hello there\n\nGeneral Kenobi' };
  const selection = (start: number, empty = false) => ({ isEmpty: empty, start: { line: start } });
  const editor = { document: doc, selections: [selection(4)] } as unknown as Parameters<typeof readTextsSelection>[0];
  assert.deepEqual(readTextsSelection(editor, 'Logit Lens on Selection'), { texts: ['Hello there', 'General Kenobi'], lines: [5, 7], source: 'selection in notes.txt' });
  const empty = { document: doc, selections: [selection(0, true)] } as unknown as Parameters<typeof readTextsSelection>[0];
  assert.throws(() => readTextsSelection(empty, 'Logit Lens on Selection'), /the selection holds no text/);
});

test('Run again: one target word (or none) and a top k within limits', () => {
  assert.deepEqual(validateLensRerun({ job: 'lens', target: ' Paris ', topK: 5 }), { job: 'lens', target: 'Paris', topK: 5 });
  assert.deepEqual(validateLensRerun({ job: 'lens', target: '', topK: 1 }), { job: 'lens', target: '', topK: 1 });
  assert.throws(() => validateLensRerun({ job: 'lens', target: 'two words', topK: 5 }), /target/);
  assert.throws(() => validateLensRerun({ job: 'lens', target: 'x', topK: 51 }), /topK/);
  assert.throws(() => validateLensRerun({ job: 'attention', target: 'x', topK: 5 }), /lens/);
});

test('the Inspector shows a clicked cell: that token\'s top-1 and target probabilities over the layers', () => {
  const result = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'webview', 'fixtures', 'lens-result.regression.json'), 'utf8')) as LensResult;
  const data = inspectLens(result, ['1', '2'], { kind: 'layer', layer: 3 });
  assert.ok(data && data.kind === 'lensCell');
  const text = result.texts[1];
  assert.equal(data.layer, 3);
  assert.equal(data.token, text.tokens[2].token);
  assert.deepEqual(data.series[0].values, text.layers.map((l) => l.positions[2].top[0].prob));
  assert.deepEqual(data.series[1].values, text.layers.map((l) => l.positions[2].target!.prob));
  assert.equal(data.values.find((v) => v.name.endsWith('rank'))?.value, text.layers[3].positions[2].target!.rank);
  assert.equal(inspectLens(result, ['7', '0'], undefined), undefined);
  assert.equal(inspectLens(result, ['0', '99'], undefined), undefined);
});
