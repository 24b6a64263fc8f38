// Job 1 in real VS Code, in a trusted workspace: right-click a word list, answer the two source
// quick picks, and check the panel against the CLI's result for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertShownValue, LONG, runCliJson, sessionForFile, writeWorkspaceSettings } from './harness';
import { writeBadVectorFile, writeVectorFiles, type VectorFiles } from './fixtures';

const wordList = 'samples/space-furniture-fruit.words';
let vectors: VectorFiles;

const file = sessionForFile('compare', (workspace) => {
  vectors = writeVectorFiles(workspace, path.join(workspace, wordList));
  // Trusted, so this workspace setting applies: source A's picker offers it first (restricted.e2e.ts checks the opposite).
  writeWorkspaceSettings(workspace, { 'mechlens.defaultSources.a': `vectors:${vectors.a}` });
  return { trust: 'trust', settings: { 'mechlens.permutations': 1000, 'mechlens.seed': 0 } };
});

/** Starts job 1 from the explorer and answers both source pickers with typed `vectors:` specs. */
async function compareFromExplorer(a: string, b: string): Promise<void> {
  const { session } = file;
  await session.explorerContextMenu(wordList, 'Compare Embeddings…');
  for (const [side, source] of [['A', a], ['B', b]] as const) {
    await session.pickQuickItem(`source ${side}`, /Enter a source spec/, 'Enter a source spec');
    await session.answerInputBox(`source ${side}`, `vectors:${source}`);
  }
}

interface CliCompare {
  items: string[];
  rsa: { pearson: number; spearman: number; cosine: number; pValue: number | null };
}

function runCli(a: string, b: string, permutations = 1000): CliCompare {
  const { workspace } = file;
  return runCliJson<CliCompare>(['compare', '--words', path.join(workspace, wordList), '--a', `vectors:${a}`, '--b', `vectors:${b}`,
    '--permutations', String(permutations), '--seed', '0']);
}

test('Compare Embeddings… from the explorer shows both heatmaps and the CLI\'s RSA', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.closeAllEditors();
    await session.explorerContextMenu(wordList, 'Compare Embeddings…');
    const rowsA = await session.quickPickLabels('source A');
    assert.equal(rowsA[0], 'space-a.txt', `the workspace's default source is not offered first: ${JSON.stringify(rowsA)}`);
    await session.pickQuickItem('source A', /^space-a\.txt$/);
    await session.pickQuickItem('source B', /Enter a source spec/, 'Enter a source spec');
    await session.answerInputBox('source B', `vectors:${vectors.b}`);
    // "A vs B — list" while it runs, the result's own title once it is shown.
    await session.tab(/^\s*space-a\.txt vs space-b\.txt (—|on) space-furniture-fruit\.words\s*$/).waitFor({ state: 'visible', timeout: LONG });
    const panel = await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');

    const n = vectors.words.length;
    for (const space of ['a', 'b'] as const) {
      const card = panel.locator(`section.ml-card[data-space="${space}"]`);
      assert.equal(await card.locator('svg.ml-heatmap-svg rect.cell').count(), n * n, `heatmap ${space} cells`);
      const yLabels = (await card.locator('.y-ticks text.tick-label').allTextContents()).map((s) => s.trim());
      const xLabels = (await card.locator('.x-ticks text.tick-label').allTextContents()).map((s) => s.trim());
      assert.deepEqual(yLabels, vectors.words, `heatmap ${space} row labels`);
      assert.deepEqual(xLabels, vectors.words, `heatmap ${space} column labels`);
      const categoryLabels = await card.locator('text.category-label').allTextContents();
      assert.deepEqual(categoryLabels.map((s) => s.trim()), ['space', 'furniture', 'fruit']);
    }

    const cli = runCli(vectors.a, vectors.b);
    assert.deepEqual(cli.items, vectors.words);
    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    assertShownValue(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa.pearson, 'RSA Pearson r');
    assertShownValue(await rsa.locator('[data-stat="spearman"]').innerText(), cli.rsa.spearman, 'RSA Spearman ρ');
    assertShownValue(await rsa.locator('[data-stat="cosine"]').innerText(), cli.rsa.cosine, 'RSA cosine');
    assert.equal((await rsa.locator('[data-stat="n"]').innerText()).trim(), String((n * (n - 1)) / 2));
  });
});

test('hovering a heatmap cell shows both words and both similarities', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const panel = await session.webview('section.ml-card[data-space="a"] svg.ml-heatmap-svg');
    const overlay = panel.locator('section.ml-card[data-space="a"] rect.overlay');
    const box = await overlay.boundingBox();
    assert.ok(box, 'heatmap overlay has no box');
    const n = vectors.words.length;
    const row = vectors.words.indexOf('moon');
    const col = vectors.words.indexOf('chair');
    const cell = box.width / n;
    await overlay.hover({ position: { x: (col + 0.5) * cell, y: (row + 0.5) * cell } });
    const tooltip = panel.locator('.ml-tooltip:not([hidden])');
    await tooltip.waitFor({ state: 'visible' });
    assert.equal((await tooltip.locator('.ml-tooltip-title').innerText()).trim(), 'moon × chair');
    const text = (await tooltip.innerText()).replace(/\u2212/g, '-');
    assert.match(text, /^A: .+: -?\d\.\d+$/m, `tooltip lacks the similarity in A: ${text}`);
    assert.match(text, /^B: .+: -?\d\.\d+$/m, `tooltip lacks the similarity in B: ${text}`);
    assert.match(text, /^space × furniture$/m, `tooltip lacks the categories: ${text}`);

    const shot = await session.screenshot('vscode-compare.png');
    assert.ok(readFileSync(shot).length > 10_000, 'screenshot is suspiciously small');

    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    await rsa.evaluate((card) => card.scrollIntoView({ block: 'center' }));
    await session.screenshot('vscode-compare-rsa.png');
  });
});

test('Run again from the panel\'s Run settings re-runs job 1 in the same panel with the new permutation count', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const panel = await session.webview('section.ml-rerun-controls vscode-button.ml-rerun-run');
    const tabs = await session.page.locator('.tab').count();
    await panel.locator('[data-param="permutations"] input').fill('200');
    await panel.locator('vscode-button.ml-rerun-run').click();
    // The same panel shows the new run: its header counts the permutations, and its p-value is the CLI's for 200.
    await panel.locator('.ml-meta', { hasText: '200 permutations' }).first().waitFor({ state: 'visible', timeout: LONG });
    assert.equal(await session.page.locator('.tab').count(), tabs, 'no new tab opened');
    const cli = runCli(vectors.a, vectors.b, 200);
    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    assertShownValue(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa.pearson, 'RSA Pearson r after the re-run');
    const shownP = (await rsa.locator('[data-stat="pValue"]').innerText()).trim();
    assert.ok(cli.rsa.pValue !== null);
    assertShownValue(shownP.replace(/^[<≤]\s*/, ''), cli.rsa.pValue, 'permutation p after the re-run (200 permutations)');
    await panel.locator('section.ml-rerun-controls').evaluate((bar) => bar.scrollIntoView({ block: 'start' }));
    await session.screenshot('vscode-compare-rerun.png');
    // Back to the notebook default for the tests that follow.
    await panel.locator('[data-param="permutations"] input').fill('1000');
    await panel.locator('vscode-button.ml-rerun-run').click();
    await panel.locator('.ml-meta', { hasText: '1000 permutations' }).first().waitFor({ state: 'visible', timeout: LONG });
  });
});

test('Save run writes a .mechlens.json that reopens from the explorer with the same result', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    const panel = await session.webview('section.ml-card[data-space="a"] svg.ml-heatmap-svg');
    const savedPath = await session.saveRunFromPanel(panel);
    const saved = JSON.parse(readFileSync(savedPath, 'utf8')) as CliCompare;
    const cli = runCli(vectors.a, vectors.b);
    assert.equal(saved.rsa.pearson, cli.rsa.pearson, 'the saved run\'s RSA differs from the CLI\'s');

    await session.closeAllEditors();
    const row = await session.explorerItem(path.relative(workspace, savedPath));
    await row.dblclick();
    const reopened = await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
    const n = vectors.words.length;
    assert.equal(await reopened.locator('section.ml-card[data-space="a"] svg.ml-heatmap-svg rect.cell').count(), n * n);
    assertShownValue(await reopened.locator('section.ml-card[data-card="rsa"] [data-stat="pearson"]').innerText(), cli.rsa.pearson, 'reopened RSA Pearson r');
  });
});

test('the MechLens side bar lists the saved run and the vector catalog', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.page.locator('.part.activitybar .action-item a[aria-label^="MechLens"]').first().click();
    const sidebar = session.page.locator('.part.sidebar');
    await sidebar.locator('.pane-header', { hasText: /Runs/i }).waitFor({ state: 'visible', timeout: LONG });
    await sidebar.locator('.pane-header', { hasText: /Models/i }).waitFor({ state: 'visible' });
    const runs = sidebar.locator('.pane', { has: session.page.locator('.pane-header', { hasText: /Runs/i }) });
    await runs.locator('.monaco-list-row', { hasText: /space-a\.txt vs space-b\.txt/ }).first().waitFor({ state: 'visible', timeout: LONG });
    const models = sidebar.locator('.pane', { has: session.page.locator('.pane-header', { hasText: /Models/i }) });
    await models.locator('.monaco-list-row', { hasText: 'glove-wiki-gigaword-50' }).first().waitFor({ state: 'visible', timeout: LONG });
    await session.screenshot('vscode-sidebar.png');
    // Back to the explorer for the tests that follow.
    await session.page.locator('.part.activitybar .action-item a[aria-label^="Explorer"]').first().click();
    await session.page.locator('.explorer-folders-view').waitFor({ state: 'visible' });
  });
});

test('a broken vector file gives an error that names the file and the line', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    const bad = writeBadVectorFile(workspace);
    await session.closeAllEditors();
    await compareFromExplorer(bad, vectors.b);
    const toast = session.errorNotification(/broken\.txt/);
    await toast.waitFor({ state: 'visible', timeout: LONG });
    const message = await toast.innerText();
    assert.match(message, /broken\.txt:3\b|line 3\b/i, `error does not name the line: ${message}`);
    assert.match(message, /oops/, `error does not quote the bad value: ${message}`);
    const panel = await session.webview('.ml-state-error');
    assert.match(await panel.locator('.ml-state-error').innerText(), /broken\.txt/);
    await session.screenshot('vscode-compare-error.png');
  });
});
