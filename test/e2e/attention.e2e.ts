// Job 4 in real VS Code on a generated checkpoint: right-click the sample word list → Compare
// Attention Q/K…, answer model / template / layer / sweep, and check the panel against the CLI's
// result for the same inputs (title, heatmap cells and labels, RSA, a cell's tooltip). Then the
// memory guard: with mechlens.memoryShare set tiny, the same job is refused with the guard's message
// (the setting reaches the already running job thread), and once the setting is removed it runs again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import type { AttentionResult } from '../../src/protocol/result';
import { assertShownValue, LONG, runCliJson, sessionForFile, writeWorkspaceSettings } from './harness';
import { assertAttentionPanelIsCli } from './attention-checks';

const wordList = 'samples/space-furniture-fruit.words';
let modelDir: string;

const file = sessionForFile('attention', (workspace) => {
  modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  // The real GPT-2 tokenizer with random weights: 2 layers, 32 dims, 2 heads.
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 3 });
  return { trust: 'trust', settings: { 'mechlens.contrast.defaultModel': modelDir } };
});

function runCli(template: string, layer: number): AttentionResult {
  return runCliJson<AttentionResult>(['attention', '--words', path.join(file.workspace, wordList), '--model', modelDir, '--template', template,
    '--layer', String(layer)]);
}

/** Closes a quick input left open (a save dialog opened by a stray click on a panel's export button was seen once). */
async function dismissQuickInput(): Promise<void> {
  const { session } = file;
  if (!(await session.quickInput().isVisible())) return;
  await session.page.keyboard.press('Escape');
  await session.quickInput().waitFor({ state: 'hidden' });
}

/** Starts the job from the explorer with the default model and template; returns the template. */
async function startAttention(layer: number): Promise<string> {
  const { session } = file;
  await dismissQuickInput();
  await session.closeAllEditors();
  await session.explorerContextMenu(wordList, 'Compare Attention Q/K…');
  await session.acceptQuickPick('Attention Q/K — model');
  const template = await session.acceptInputBox('Attention Q/K — prompt template');
  await session.answerInputBox('Attention Q/K — layer', String(layer));
  await session.pickQuickItem('Attention Q/K — layer sweep', new RegExp(`^Layer ${layer} only$`));
  await session.acceptQuickPick('Attention Q/K — SAE features');
  return template;
}

test('Compare Attention Q/K… on the generated checkpoint: title, heatmaps, RSA and tooltip equal the CLI\'s', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const template = await startAttention(1);
    const panel = await session.webview('section.ml-card[data-card="rsa"] [data-stat="pearson"]');
    const cli = runCli(template, 1);
    await assertAttentionPanelIsCli(session, panel, cli);
    await session.screenshot('vscode-attention.png');
  });
});

test('mechlens.memoryShare reaches the running job thread: a tiny share refuses the model with the guard\'s message, removing it lets the job run', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    // No result panel open while the palette is used below.
    await dismissQuickInput();
    await session.closeAllEditors();
    // A workspace setting counts in a trusted workspace; the extension logs the share it now applies.
    writeWorkspaceSettings(workspace, { 'mechlens.memoryShare': 0.000001 });
    await session.waitForLog(/Settings changed: memory share 0\.000001/);
    // Layer 0 (not 1): a result cached from the first test must not answer in place of the job.
    await startAttention(0);
    const toast = session.errorNotification(/mechlens\.memoryShare/);
    await toast.waitFor({ state: 'visible', timeout: LONG });
    const message = await toast.innerText();
    assert.match(message, /tiny-gpt2/, `the refusal does not name the model: ${message}`);
    assert.match(message, /may use 0\.0001% of it/, `the refusal does not state the share: ${message}`);
    const panel = await session.webview('.ml-state-error');
    assert.match(await panel.locator('.ml-state-error').innerText(), /mechlens\.memoryShare/);
    await session.screenshot('vscode-memory-refused.png');

    await dismissQuickInput();
    await session.closeAllEditors();
    writeWorkspaceSettings(workspace, {});
    await session.waitForLog(/Settings changed: memory share 0\.8\b/);
    const template = await startAttention(0);
    const done = await session.webview('section.ml-card[data-card="rsa"] [data-stat="pearson"]');
    assertShownValue(await done.locator('section.ml-card[data-card="rsa"] [data-stat="pearson"]').innerText(), runCli(template, 0).rsa.pearson, 'RSA Q vs K at layer 0');
  });
});
