import { test, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { installFakeVscode, recorded } from '../fake-vscode';
import type * as StatusModule from '../../../src/extension/language/vocabulary-status';

let status: typeof StatusModule;

before(async () => {
  installFakeVscode();
  status = await import('../../../src/extension/language/vocabulary-status');
});

beforeEach(() => {
  recorded.config = {};
  recorded.quickPickAnswers.length = 0;
  recorded.inputBoxAnswers.length = 0;
});

test('the status item names the vocabulary, says whether it was chosen or automatic, and says when checks are off', () => {
  assert.deepEqual(status.vocabularyStatus({ spec: 'vectors:/data/glove.6B.50d.txt' }, '').text, '$(book) glove.6B.50d.txt');
  assert.match(status.vocabularyStatus({ spec: 'vectors:/data/glove.6B.50d.txt' }, '').tooltip, /automatic/);
  assert.equal(status.vocabularyStatus({ spec: 'openai-community/gpt2' }, 'openai-community/gpt2').text, '$(book) openai-community/gpt2');
  assert.match(status.vocabularyStatus({ spec: 'gpt2' }, 'gpt2').tooltip, /chosen in mechlens\.diagnostics\.vocabulary/);
  assert.equal(status.vocabularyStatus({ spec: 'model:/models/tiny#blocks.0.hook_resid_pre' }, '').text, '$(book) tiny');
  assert.equal(status.vocabularyStatus(undefined, 'off').text, '$(book) Vocabulary: off');
});

test('the picker offers automatic, each recent source once, typing one, and off, with the current one marked', () => {
  const items = status.vocabularyPickItems('gpt2', ['vectors:/d/v.txt', 'gpt2', 'vectors:/d/v.txt', 'off']);
  assert.deepEqual(items.map((i) => i.value ?? (i.enter ? 'enter' : '?')), ['', 'vectors:/d/v.txt', 'gpt2', 'enter', 'off']);
  assert.deepEqual(items.filter((i) => i.description).map((i) => i.value), ['gpt2']);
});

test('choosing in the picker writes mechlens.diagnostics.vocabulary; typing one writes what was typed; dismissing writes nothing', async () => {
  recorded.quickPickAnswers.push((items) => items.find((i) => i.label === 'v.txt'));
  assert.equal(await status.chooseDiagnosticsVocabulary(['vectors:/d/v.txt']), 'vectors:/d/v.txt');
  assert.equal(recorded.config['diagnostics.vocabulary'], 'vectors:/d/v.txt');

  recorded.quickPickAnswers.push((items) => items.find((i) => i.label.includes('Enter a model')));
  recorded.inputBoxAnswers.push('  model:/m/tiny#embed ');
  assert.equal(await status.chooseDiagnosticsVocabulary([]), 'model:/m/tiny#embed');
  assert.equal(recorded.config['diagnostics.vocabulary'], 'model:/m/tiny#embed');

  recorded.quickPickAnswers.push(() => undefined);
  assert.equal(await status.chooseDiagnosticsVocabulary([]), undefined);
  assert.equal(recorded.config['diagnostics.vocabulary'], 'model:/m/tiny#embed');
});
