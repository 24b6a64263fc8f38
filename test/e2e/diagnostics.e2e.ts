// Vocabulary diagnostics in real VS Code: with mechlens.diagnostics.vocabulary pointing at a generated
// checkpoint (the real GPT-2 tokenizer), a word list's multi-token words are underlined and listed
// in Problems with their pieces, and the quick fix "Use the lower-cased form" (Ctrl+.) edits the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { LONG, sessionForFile } from './harness';

const file = sessionForFile('diagnostics', (workspace) => {
  const modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 1, nEmbd: 16, nHead: 2, seed: 3 });
  writeFileSync(path.join(workspace, 'samples', 'tokens.words'), '[fruit]\npear\nAPPLE\ncantaloupe\n');
  return { trust: 'trust', settings: { 'mechlens.diagnostics.vocabulary': modelDir } };
});

test('words that are several tokens are listed in Problems with their pieces', (t) => file.onFailure(t, async () => {
  const { session } = file;
  const row = await session.explorerItem('samples/tokens.words');
  await row.dblclick();
  await session.tab('tokens.words').waitFor({ state: 'visible' });
  await session.page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: LONG });
  await session.page.locator('.part.statusbar [id="status.problems"]').click();
  const problem = session.page.locator('.markers-panel .monaco-list-row', { hasText: /"cantaloupe" is not a single token for tiny-gpt2: after a space it is 4 pieces, ␣cant \| al \| ou \| pe/ });
  await problem.first().waitFor({ state: 'visible', timeout: LONG });
  assert.match(await problem.first().innerText(), /Ln 4/);
  await session.page.locator('.markers-panel .monaco-list-row', { hasText: /"APPLE" is not a single token/ }).first().waitFor({ state: 'visible', timeout: LONG });
  await session.screenshot('vscode-diagnostics.png');
  await session.waitForLog(/Diagnostics: checking word lists and sentence sets against tiny-gpt2 \(tokenizer\)/);
}));

test('the quick fix replaces the word with its lower-cased single-token form', (t) => file.onFailure(t, async () => {
  const { session } = file;
  await session.page.locator('.monaco-editor .view-line', { hasText: /APPLE/ }).first().click();
  await session.page.keyboard.press('Control+.');
  const fix = session.page.locator('.action-widget .monaco-list-row', { hasText: 'Use the lower-cased form "apple" (one token)' });
  await fix.first().waitFor({ state: 'visible', timeout: LONG });
  // The preferred fix comes first and focused; Enter applies it, as a user would.
  assert.match(await fix.first().getAttribute('class') ?? '', /focused/);
  assert.deepEqual(await session.page.locator('.action-widget .monaco-list-row.action').allInnerTexts(), ['Use the lower-cased form "apple" (one token)', 'Remove "APPLE" (line 3)']);
  await session.page.keyboard.press('Enter');
  await session.page.locator('.monaco-editor .view-line', { hasText: /^apple$/ }).first().waitFor({ state: 'visible', timeout: LONG });
  assert.equal(await session.page.locator('.monaco-editor .view-line', { hasText: /APPLE/ }).count(), 0, 'hasText with a string ignores case, a RegExp does not');
  // Only cantaloupe is left to warn about once the debounced check has run again.
  await session.page.locator('.part.statusbar [id="status.problems"]').click();
  await session.page.locator('.markers-panel .monaco-list-row', { hasText: /"cantaloupe" is not a single token/ }).first().waitFor({ state: 'visible', timeout: LONG });
  await session.page.locator('.markers-panel .monaco-list-row', { hasText: /"APPLE" is not a single token/ }).first().waitFor({ state: 'detached', timeout: LONG });
}));
