// Workspace trust answered "No": package.json declares `untrustedWorkspaces: limited`, so the
// commands still work on files the user picks, but the workspace's own path and source settings
// (restrictedConfigurations) are ignored. compare.e2e.ts checks the same setting IS used when trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { LONG, sessionForFile, writeWorkspaceSettings } from './harness';
import { writeVectorFiles, type VectorFiles } from './fixtures';

const wordList = 'samples/space-furniture-fruit.words';
let vectors: VectorFiles;

const file = sessionForFile('restricted', (workspace) => {
  vectors = writeVectorFiles(workspace, path.join(workspace, wordList));
  writeWorkspaceSettings(workspace, { 'mechlens.defaultSources.a': `vectors:${vectors.a}` });
  return { trust: 'restricted', settings: { 'mechlens.permutations': 100 } };
});

test('the workspace opens in Restricted Mode and MechLens still offers its commands', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.restrictedModeIndicator().first().waitFor({ state: 'visible', timeout: LONG });
    const labels = await session.paletteCommands('MechLens:');
    assert.ok(labels.includes('MechLens: Compare Embeddings…'), `palette: ${JSON.stringify(labels)}`);
    const menu = await session.explorerContextMenuLabels(wordList);
    assert.ok(menu.includes('Compare Embeddings…'), `context menu: ${JSON.stringify(menu)}`);
  });
});

test('the workspace\'s default source is not offered, and a hand-picked comparison runs', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu(wordList, 'Compare Embeddings…');
    const rows = await session.quickPickLabels('source A');
    // The workspace scan may list space-a.txt under "On this machine" (it is a file in the workspace);
    // the untrusted setting must not make it the default row.
    assert.ok(rows[0] !== 'space-a.txt' && !rows.some((r) => r.includes('space-a.txt') && /default/i.test(r)), `untrusted workspace setting leaked into the picker: ${JSON.stringify(rows)}`);
    for (const [side, source] of [['A', vectors.a], ['B', vectors.b]] as const) {
      await session.pickQuickItem(`source ${side}`, /Enter a source spec/, 'Enter a source spec');
      await session.answerInputBox(`source ${side}`, `vectors:${source}`);
    }
    const panel = await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
    const n = vectors.words.length;
    assert.equal(await panel.locator('section.ml-card[data-space="a"] svg.ml-heatmap-svg rect.cell').count(), n * n);
    // VS Code itself withholds the workspace values of restrictedConfigurations; MechLens says it runs untrusted.
    await session.waitForLog(/activated\s+in\s.*workspace\s+not\s+trusted/);
  });
});
