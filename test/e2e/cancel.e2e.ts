// Cancelling a long run from the progress notification: the run stops, the panel says so, and
// nothing is shown as a result. Also a contrast cancelled while its 40,000 sentences are being
// tokenized, followed by a run that works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { LONG, sessionForFile } from './harness';
import { writeLargeInputs } from './fixtures';

let inputs: ReturnType<typeof writeLargeInputs>;

const file = sessionForFile('cancel', (workspace) => {
  // 600 words: 179,700 pairs × 100,000 permutations is minutes of work, far longer than the test.
  inputs = writeLargeInputs(workspace, 200);
  const modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 3 });
  // 40,000 sentences: about 0.6 ms each to tokenize here, so tokenizing takes well over 10 s.
  const group = (pronoun: string) => Array.from({ length: 20000 }, (_, i) => `Sentence ${i} says the neighbour saw {${pronoun}} at market ${i * 7}.`).join('\n');
  writeFileSync(path.join(workspace, 'many.sentences'), `[him]\n${group('him')}\n[her]\n${group('her')}\n`);
  // The run after the cancelled one, at the top level (no folder to expand in the explorer).
  copyFileSync(path.join(workspace, 'samples', 'him-her.sentences'), path.join(workspace, 'him-her.sentences'));
  return { trust: 'trust', settings: { 'mechlens.permutations': 100000, 'mechlens.contrast.defaultModel': modelDir } };
});

async function startLargeRun(): Promise<void> {
  const { session } = file;
  await session.closeAllEditors();
  await session.explorerContextMenu('large.words', 'Compare Embeddings…');
  for (const [side, source] of [['A', inputs.a], ['B', inputs.b]] as const) {
    await session.pickQuickItem(`source ${side}`, /Enter a source spec/, 'Enter a source spec');
    await session.answerInputBox(`source ${side}`, `vectors:${source}`);
  }
}

test('Cancel in the progress notification stops a long comparison', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await startLargeRun();
    const progress = session.notification(/MechLens: comparing large\.words/).first();
    await progress.waitFor({ state: 'visible', timeout: LONG });
    // Cancel once the run is inside the permutation test, the long step.
    await session.notification(/permutation/i).first().waitFor({ state: 'visible', timeout: LONG });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await session.notification(/MechLens: comparison cancelled/).first().waitFor({ state: 'visible', timeout: LONG });
    const panel = await session.webview('.ml-state-cancelled');
    assert.equal(await panel.locator('svg.ml-heatmap-svg').count(), 0, 'a cancelled run still drew heatmaps');
    await session.waitForLog(/Compare cancelled/);
  });
});

test('closing the panel during a run cancels it', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await startLargeRun();
    await session.notification(/permutation/i).first().waitFor({ state: 'visible', timeout: LONG });
    const tab = session.tab(/large\.words/).first();
    await tab.hover();
    await tab.locator('.codicon-close, .tab-actions a').first().click();
    await session.notification(/MechLens: comparing large\.words/).first().waitFor({ state: 'hidden', timeout: LONG });
    const log = await session.waitForLog(/Compare cancelled[\s\S]*Compare cancelled/);
    assert.doesNotMatch(log, /Compare finished/, 'a cancelled run finished anyway');
  });
});

/** Contrast Sentence Groups… from the explorer: default model, test and correction; hook blocks.1.mlp.hook_pre (128 neurons). */
async function startContrast(sentences: string): Promise<void> {
  const { session } = file;
  await session.closeAllEditors();
  await session.explorerContextMenu(sentences, 'Contrast Sentence Groups…');
  await session.acceptQuickPick('Contrast — model');
  await session.pickQuickItem('Contrast — hook point', /^blocks\.1\.mlp\.hook_pre$/, 'blocks.1.mlp.hook_pre');
  await session.acceptQuickPick('Contrast — t-test');
  await session.acceptQuickPick('Contrast — multiple-comparison correction');
}

test('Cancel while the tokenizer works stops a contrast run; the next contrast works', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await startContrast('many.sentences');
    const progress = session.notification(/MechLens: contrasting many\.sentences/).first();
    await progress.waitFor({ state: 'visible', timeout: LONG });
    // The job reports "Tokenizing input N of 40000" every 256 sentences; cancel while it does.
    await session.notification(/Tokenizing input \d+ of 40000/).first().waitFor({ state: 'visible', timeout: LONG });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    const panel = await session.webview('.ml-state-cancelled');
    assert.equal(await panel.locator('section.ml-card[data-card="t-plot"]').count(), 0, 'a cancelled contrast still drew its t plot');
    const log = await session.waitForLog(/Contrast cancelled/);
    assert.doesNotMatch(log, /Contrast finished/, 'the cancelled contrast finished anyway');

    await startContrast('him-her.sentences');
    const next = await session.webview('section.ml-card[data-card="t-plot"] svg');
    assert.match(await next.locator('section.ml-card[data-card="t-plot"] [data-stat="significant"]').innerText(), /^\s*\d+ \/ 128\s*$/);
  });
});
