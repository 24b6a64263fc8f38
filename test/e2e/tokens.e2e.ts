// Job 2 in real VS Code on a generated checkpoint: the command palette → Map Token Embeddings…, the
// model typed as a folder, the first 100 tokens, t-SNE, then Run again with another perplexity and
// min_samples from the panel; then a right-clicked word list. Each panel is checked against the CLI's
// result for the same inputs: title, Gram cells, map points and labels, hover tooltips on a Gram cell
// and a map point, and the DBSCAN group lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { TokensResult } from '../../src/protocol/result';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { runCliJson, sessionForFile } from './harness';

let modelDir: string;

const file = sessionForFile('tokens', (workspace) => {
  modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  // The real GPT-2 tokenizer with random weights: 1 layer, 32 dims.
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 1, nEmbd: 32, nHead: 2, seed: 3 });
  return { trust: 'trust' };
});

function runCli(args: string[]): TokensResult {
  return runCliJson<TokensResult>(['tokens', '--model', modelDir, ...args]);
}

/** Answers the model step by typing the generated checkpoint's folder, as a person would for a local model. */
async function typeModelFolder(): Promise<void> {
  const { session } = file;
  await session.pickQuickItem('Map Token Embeddings — model', /Enter a Hugging Face id or a folder path/);
  await session.answerInputBox('Map Token Embeddings — model', modelDir);
}

/**
 * Expands an explorer folder, re-finding its row on each check: after the first panel the explorer
 * may re-render its rows, and a check on the element clicked would then wait on a detached node.
 */
async function expandFolder(name: string): Promise<void> {
  const { session } = file;
  for (let attempt = 0; attempt < 50; attempt++) {
    const row = await session.explorerItem(name);
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    if (attempt % 10 === 0) await row.click();
    await session.page.waitForTimeout(200);
  }
  throw new Error(`the explorer folder ${name} did not expand`);
}

/** Everything the panel shows that the CLI's result decides. */
async function assertPanelEqualsCli(panel: FrameLocator, cli: TokensResult): Promise<void> {
  const { session } = file;
  const n = cli.tokens.length;
  assert.equal((await panel.locator('h1').innerText()).trim(), cli.title);
  assert.equal(await panel.locator('[data-card="gram"] rect.cell').count(), n * n, 'one Gram cell per token pair');
  const map = panel.locator('[data-card="token-map"]');
  assert.equal(await map.locator('path.mark').count(), n, 'one map point per token');
  assert.equal(await map.locator('path.mark.noise').count(), cli.ungrouped.indices.length);
  assert.deepEqual(await map.locator('text.label').allTextContents(), cli.tokens, 'token labels, leading space as ␣');
  const blocks = panel.locator('[data-card="token-groups"] .ml-token-group');
  const groups = [...cli.clusters].sort((a, b) => a.label - b.label);
  assert.equal(await blocks.count(), groups.length + (cli.ungrouped.indices.length ? 1 : 0));
  for (const [k, g] of groups.entries()) assert.deepEqual(await blocks.nth(k).locator('.ml-token').allTextContents(), g.members, `group ${g.label}`);
  if (cli.ungrouped.indices.length) assert.deepEqual(await blocks.last().locator('.ml-token').allTextContents(), cli.ungrouped.tokens, 'ungrouped');

  // Hover a Gram cell: the tooltip names the token pair (␣ for a leading space) and E·Eᵀ.
  const gram = panel.locator('[data-card="gram"]');
  await gram.scrollIntoViewIfNeeded();
  const cell = await gram.locator('rect.cell').nth(1 * n + 2).boundingBox();
  assert.ok(cell, 'the Gram cell is on screen');
  await session.page.mouse.move(cell.x + cell.width / 2, cell.y + cell.height / 2);
  const cellTip = await panel.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(cellTip.startsWith(`${cli.tokens[1]} × ${cli.tokens[2]}`), cellTip);
  assert.ok(cellTip.includes(`E·Eᵀ: ${cli.gram![1][2].toFixed(3)}`), cellTip);

  // Hover the first token's point: the tooltip names it and its group.
  await map.scrollIntoViewIfNeeded();
  const box = await map.locator('path.mark[data-index="0"]').boundingBox();
  assert.ok(box, 'the first token\'s point is on screen');
  await session.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = await panel.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(tip.startsWith(cli.tokens[0]), tip);
  assert.ok(tip.includes(cli.labels[0] < 0 ? 'noise' : `cluster ${cli.labels[0]}`), tip);
}

test('Map Token Embeddings… from the palette: the first 100 tokens, t-SNE, as the CLI maps them', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.runCommand('MechLens: Map Token Embeddings…');
    await typeModelFolder();
    await session.acceptQuickPick('Map Token Embeddings — tokens');
    assert.equal(await session.acceptInputBox('Map Token Embeddings — number of tokens'), '100');
    await session.acceptQuickPick('Map Token Embeddings — projection');
    const panel = await session.webview('[data-card="token-map"] path.mark');
    const cli = runCli(['--first', '100']);
    assert.equal(cli.tokens.length, 100);
    await assertPanelEqualsCli(panel, cli);
    await session.screenshot('vscode-tokens.png');

    // The notebook's hard-coded perplexity and min_samples changed in the panel: the extension runs
    // the map again and the panel shows what the CLI gives for the same values.
    await session.page.mouse.move(0, 0);
    const controls = panel.locator('[data-card="token-map"] .ml-token-controls');
    await controls.locator('[data-param="perplexity"] input').fill('10');
    await controls.locator('[data-param="minSamples"] input').fill('4');
    await controls.locator('vscode-button.ml-rerun').click();
    await panel.locator('[data-card="token-map"] .ml-card-subtitle', { hasText: 'perplexity 10,' }).waitFor({ state: 'visible', timeout: 120_000 });
    await panel.locator('[data-card="token-map"] path.mark').first().waitFor({ state: 'visible' });
    await assertPanelEqualsCli(panel, runCli(['--first', '100', '--perplexity', '10', '--min-samples', '4']));
  });
});

test('right-click a word list → Map Token Embeddings…: the listed words as ␣tokens, as the CLI maps them', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    await session.closeAllEditors();
    await expandFolder('samples');
    await session.explorerContextMenu('samples/space-furniture-fruit.words', 'Map Token Embeddings…');
    await typeModelFolder();
    await session.acceptQuickPick('Map Token Embeddings — leading space');
    await session.acceptQuickPick('Map Token Embeddings — projection');
    const panel = await session.webview('[data-card="token-map"] path.mark');
    const cli = runCli(['--tokens', path.join(workspace, 'samples/space-furniture-fruit.words'), '--leading-space', 'with']);
    assert.ok(cli.tokens.every((token) => token.startsWith('␣')));
    // The CLI names the list by its path; the panel got the same path from the explorer.
    await assertPanelEqualsCli(panel, cli);
    assert.match(await panel.locator('.ml-warnings').innerText(), /"watermelon" is not a single token/);
  });
});
