// Local inputs told apart by content, the bounded workspace walk, and the checks the prompts run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanForLocalItems, sniffInput, wrongInputMessage } from '../../src/extension/local-scan';
import { checkSourceSpec, checkVectorFile, sniffWordList, validateModelText } from '../../src/extension/commands/input-checks';

function workspace(): { root: string; glove: string; words: string; model: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mechlens-local-'));
  const glove = path.join(root, 'data', 'vectors.txt');
  mkdirSync(path.dirname(glove), { recursive: true });
  // 40 numbers per row, as the GloVe file had: no message may repeat them.
  writeFileSync(glove, ['apple', 'pear', 'plum'].map((w, i) => `${w} ${Array.from({ length: 40 }, (_, k) => ((i + 1) * (k + 1) / 100).toFixed(4)).join(' ')}`).join('\n'));
  const words = path.join(root, 'fruit.txt');
  writeFileSync(words, '[fruit]\napple\npear\nplum\n');
  const model = path.join(root, 'models', 'tiny');
  mkdirSync(model, { recursive: true });
  writeFileSync(path.join(model, 'config.json'), '{}');
  writeFileSync(path.join(model, 'model.safetensors'), '');
  // Never walked: dependencies and version control.
  for (const skipped of ['node_modules', '.git']) {
    mkdirSync(path.join(root, skipped, 'pkg'), { recursive: true });
    writeFileSync(path.join(root, skipped, 'pkg', 'vectors.txt'), 'a 1 2 3\nb 4 5 6\n');
  }
  return { root, glove, words, model };
}

test('files are told apart by content: a GloVe .txt is a vector file, a word list .txt is text, a checkpoint folder is a model', async () => {
  const w = workspace();
  assert.deepEqual(await sniffInput(w.glove), { kind: 'vectors', format: 'GloVe text', dims: 40 });
  assert.deepEqual(await sniffInput(w.words), { kind: 'text' });
  assert.deepEqual(await sniffInput(w.model), { kind: 'model-folder' });
  assert.deepEqual(await sniffInput(w.root), { kind: 'folder' });
  assert.deepEqual(await sniffInput(path.join(w.root, 'nope.txt')), { kind: 'missing' });
});

test('the workspace walk finds checkpoint folders and vector files, skips node_modules and .git, and stops when cancelled', async () => {
  const w = workspace();
  const { items, complete } = await scanForLocalItems([w.root]);
  assert.equal(complete, true);
  assert.deepEqual(items.map((i) => [i.kind, path.relative(w.root, i.path)]), [['vectors', path.join('data', 'vectors.txt')], ['model', path.join('models', 'tiny')]]);
  assert.equal(items[0].kind === 'vectors' && items[0].format, 'GloVe text · 40-d');
  const aborted = new AbortController();
  aborted.abort();
  assert.deepEqual(await scanForLocalItems([w.root], { signal: aborted.signal }), { items: [], complete: false });
  const shallow = await scanForLocalItems([w.root], { maxDepth: 0 });
  assert.deepEqual(shallow.items, [], 'the depth bound was ignored');
});

test('the prompts say in one short sentence what a wrong input is, naming the file and never its data', async () => {
  const w = workspace();
  const asWords = await sniffWordList(w.glove);
  assert.equal(asWords.problem, 'vectors.txt is a vector file (GloVe text, 40-d), not a word list.');
  assert.deepEqual(asWords.vectors, { kind: 'vectors', format: 'GloVe text', dims: 40 });
  assert.deepEqual(await sniffWordList(w.words), { problem: undefined });
  assert.equal(await checkVectorFile(w.words), 'fruit.txt is a text file that is no vector file, not a vector file (GloVe text, word2vec text or binary, fastText .vec).');
  assert.equal(await checkVectorFile(w.glove), undefined);
  assert.equal(validateModelText(w.glove), 'vectors.txt is a file, not a model folder (config.json and model.safetensors).');
  assert.equal(validateModelText(w.root), `${path.basename(w.root)} has no config.json and safetensors weights: it is not a model folder.`);
  assert.equal(validateModelText(w.model), undefined);
  assert.equal(validateModelText('gpt2'), undefined, 'a hub id is not a path');
  assert.equal(await checkSourceSpec(`vectors:${w.words}`, []), 'fruit.txt is a text file that is no vector file, not a vector file (GloVe text, word2vec text or binary, fastText .vec).');
  assert.equal(await checkSourceSpec(`model:${w.glove}#embed`, []), 'vectors.txt is a file, not a model folder (config.json and model.safetensors).');
  assert.equal(await checkSourceSpec(`model:${w.model}#embed`, []), undefined);
  for (const message of [asWords.problem, await checkVectorFile(w.words)]) assert.doesNotMatch(message ?? '', /0\.\d{4}/, 'a message repeats the file\'s numbers');
  assert.equal(wrongInputMessage(w.model, { kind: 'model-folder' }, 'vectors'), 'tiny is a model folder, not a vector file (GloVe text, word2vec text or binary, fastText .vec).');
});
