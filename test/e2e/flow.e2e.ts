// Issue 20 in real VS Code: local vector files first in the pickers, a word list given a vector
// file refused at the prompt, one panel per job and input (a new one per run when
// mechlens.newPanelPerRun is on), the run settings checked as they are typed, and Run again after
// a Cancel in the panel's own progress box. The walkthrough has a session of its own (walkthrough.e2e.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { assertShownP, assertShownValue, LONG, runCliJson, sessionForFile } from './harness';
import { writeLargeInputs, writeVectorFiles, type VectorFiles } from './fixtures';

const wordList = 'samples/space-furniture-fruit.words';
const permutations = 100;
let vectors: VectorFiles;
let large: ReturnType<typeof writeLargeInputs>;

const file = sessionForFile('flow', (workspace) => {
  vectors = writeVectorFiles(workspace, path.join(workspace, wordList));
  // 3,000 words: on a quiet machine two t-SNE maps of 3,000 points take seconds, long enough for the
  // test to see the progress box and cancel inside t-SNE (450 words finished in 2.7 s, before the box
  // was found), and short enough to run again.
  large = writeLargeInputs(workspace, 1000);
  // No result cache: a run stored by an earlier session would come back at once, with nothing to cancel.
  return { trust: 'trust', settings: { 'mechlens.permutations': permutations, 'mechlens.seed': 0, 'mechlens.resultCache.enabled': false } };
});

/** Compare Embeddings… on `words` from the explorer, with sources A and B picked from the workspace's vector files. */
async function compareLocal(words: string, a: string, b: string): Promise<void> {
  const { session } = file;
  await session.explorerContextMenu(words, 'Compare Embeddings…');
  for (const [side, name] of [['A', a], ['B', b]] as const) {
    await session.pickQuickItem(`source ${side}`, new RegExp(`^${name.replace(/\./g, '\\.')}$`), name.replace(/\.txt$/, ''));
  }
}

const spaceTitle = /space-a\.txt vs space-b\.txt/;
const largeTitle = /large-a\.txt vs large-b\.txt/;

/** Compare Embeddings… of the sample word list with space-a.txt and space-b.txt, alone in one drawn panel. */
async function showSpaceComparison(): Promise<void> {
  const { session } = file;
  await session.closeAllEditors();
  await compareLocal(wordList, 'space-a.txt', 'space-b.txt');
  await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
  assert.equal(await session.tab(spaceTitle).count(), 1);
}

interface CliCompare {
  rsa: { pearson: number; spearman: number; pValue: number | null };
}

test('the workspace\'s vector files are listed in the source picker above Browse… and the catalog', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu(wordList, 'Compare Embeddings…');
    const labels = await session.quickPickLabels('source A');
    const local = labels.indexOf(path.basename(vectors.a));
    const browse = labels.findIndex((l) => /Browse for a vector file/.test(l));
    assert.ok(local >= 0, `the workspace's vector file is not offered: ${labels.join(' | ')}`);
    assert.ok(local < browse, `the local file comes after Browse…: ${labels.join(' | ')}`);
    await session.page.keyboard.press('Escape');
  });
});

test('a vector file given as the word list is refused at once, with the offer to use it as source A', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.closeAllEditors();
    await session.explorerContextMenu(path.relative(file.workspace, vectors.a).split(path.sep).join('/'), 'Compare Embeddings…');
    await session.notification(/is a vector file \(.*\), not a word list/).first().waitFor({ state: 'visible', timeout: LONG });
  });
});

test('running the same job on the same input again shows it in the same panel', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await showSpaceComparison();

    await compareLocal(wordList, 'space-a.txt', 'space-b.txt');
    await session.waitForLog(/Compare finished[\s\S]*Showing the run in the open panel "space-a\.txt vs space-b\.txt[^"]*" \(mechlens\.newPanelPerRun is off\)[\s\S]*Compare finished/);
    await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
    assert.equal(await session.tab(spaceTitle).count(), 1, 'the second run of the same comparison opened a second panel');
  });
});

test('a run setting typed out of range says its allowed range under the field, and Run again waits for a good value', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const panel = await session.webview('section.ml-rerun-controls vscode-button.ml-rerun-run');
    const runAgain = panel.locator('vscode-button.ml-rerun-run');
    const disabled = () => runAgain.evaluate((b) => (b as unknown as { disabled: boolean }).disabled);
    const checks = [
      { key: 'perplexity', typed: '250', says: 'must be a number from 1 to 100' },
      { key: 'permutations', typed: '12.5', says: 'must be a whole number from 0 to 100000' },
      { key: 'minSamples', typed: 'x', says: 'is not a number: it must be a whole number from 1 to 1000' },
    ];
    for (const { key, typed, says } of checks) {
      const field = panel.locator(`vscode-textfield[data-param="${key}"]`);
      await field.locator('input').fill('');
      // Key by key, as typed: the note follows every keystroke, not a commit of the field.
      await field.locator('input').pressSequentially(typed);
      const note = panel.locator(`[data-field-note="${key}"]`);
      await note.filter({ hasText: says }).waitFor({ state: 'visible' });
      assert.equal((await note.innerText()).trim(), says);
      assert.equal(await field.evaluate((f) => (f as unknown as { invalid: boolean }).invalid), true, `${key} is not marked invalid`);
      assert.equal(await disabled(), true, `Run again is enabled with ${key} = ${typed}`);
      if (key === 'perplexity') {
        await panel.locator('section.ml-rerun-controls').evaluate((bar) => bar.scrollIntoView({ block: 'start' }));
        await session.screenshot('vscode-inline-validation.png');
      }
      await panel.locator('vscode-button.ml-rerun-reset').click();
      await note.filter({ hasText: says }).waitFor({ state: 'hidden' });
      assert.equal(await disabled(), false, `Run again stays disabled after Reset (${key})`);
    }
  });
});

test('Cancel in the panel\'s progress box, then Run again: the same run completes in the same panel, as the CLI computes it', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.closeAllEditors();
    await compareLocal('large.words', 'large-a.txt', 'large-b.txt');
    const panel = await session.webview('.ml-state-progress');
    // Cancel inside the first t-SNE map, the long step.
    await panel.locator('.ml-state-progress .ml-state-message', { hasText: /t-SNE/ }).waitFor({ state: 'visible', timeout: LONG });
    await panel.locator('.ml-state-progress vscode-button.ml-state-cancel').click();
    const cancelled = panel.locator('.ml-state-cancelled');
    await cancelled.waitFor({ state: 'visible', timeout: LONG });
    assert.equal((await cancelled.locator('.ml-banner-title').innerText()).trim(), 'Cancelled');
    const again = cancelled.locator('vscode-button.ml-state-run-again');
    await again.waitFor({ state: 'visible' });
    assert.equal(await panel.locator('svg.ml-heatmap-svg').count(), 0, 'a cancelled run still drew heatmaps');
    await session.screenshot('vscode-run-again.png');

    await again.click();
    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    await rsa.locator('[data-stat="pearson"]').waitFor({ state: 'visible', timeout: LONG });
    assert.equal(await session.tab(largeTitle).count(), 1, 'Run again opened another panel');
    const cli = runCliJson<CliCompare>(['compare', '--words', large.wordsFile, '--a', `vectors:${large.a}`, '--b', `vectors:${large.b}`,
      '--permutations', String(permutations), '--seed', '0']);
    assertShownValue(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa.pearson, 'RSA Pearson r after Run again');
    assertShownValue(await rsa.locator('[data-stat="spearman"]').innerText(), cli.rsa.spearman, 'RSA Spearman ρ after Run again');
    assert.ok(cli.rsa.pValue !== null);
    assertShownP(await rsa.locator('[data-stat="pValue"]').innerText(), cli.rsa.pValue, `permutation p after Run again (${permutations} permutations)`);
    await session.waitForLog(/Run cancelled from the panel[\s\S]*Compare cancelled[\s\S]*Running "large-a\.txt vs large-b\.txt[^"]*" again from the panel[\s\S]*Compare finished/);
  });
});

test('with mechlens.newPanelPerRun on, the same run opens a panel of its own', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await showSpaceComparison();
    await session.setBooleanSetting('mechlens.newPanelPerRun', 'New Panel Per Run', true);
    await compareLocal(wordList, 'space-a.txt', 'space-b.txt');
    await session.tab(spaceTitle).nth(1).waitFor({ state: 'visible', timeout: LONG });
    await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
    assert.equal(await session.tab(spaceTitle).count(), 2);
  });
});
