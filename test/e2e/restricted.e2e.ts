// Workspace trust answered "No": package.json declares `untrustedWorkspaces: limited`, so the
// commands still work on files the user picks, but the workspace's own path and source settings
// (restrictedConfigurations) are ignored. compare.e2e.ts checks the same setting IS used when trusted.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { LONG, makeWorkspace, VsCodeSession, writeWorkspaceSettings } from './harness';
import { writeVectorFiles, type VectorFiles } from './fixtures';

const wordList = 'samples/space-furniture-fruit.words';
let session: VsCodeSession;
let workspace: string;
let vectors: VectorFiles;

before(async () => {
  workspace = makeWorkspace();
  vectors = writeVectorFiles(workspace, path.join(workspace, wordList));
  writeWorkspaceSettings(workspace, { 'mechlens.defaultSources.a': `vectors:${vectors.a}` });
  session = await VsCodeSession.start({ workspace, trust: 'restricted', name: 'restricted', settings: { 'mechlens.permutations': 100 } });
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const onFailure = (t: TestContext, body: () => Promise<void>): Promise<void> => session.guard(t.name, body);

test('the workspace opens in Restricted Mode and MechLens still offers its commands', async (t) => {
  await onFailure(t, async () => {
    await session.restrictedModeIndicator().first().waitFor({ state: 'visible', timeout: LONG });
    const labels = await session.paletteCommands('MechLens:');
    assert.ok(labels.includes('MechLens: Compare Embeddings…'), `palette: ${JSON.stringify(labels)}`);
    const menu = await session.explorerContextMenuLabels(wordList);
    assert.ok(menu.includes('Compare Embeddings…'), `context menu: ${JSON.stringify(menu)}`);
  });
});

test('the workspace\'s default source is not offered, and a hand-picked comparison runs', async (t) => {
  await onFailure(t, async () => {
    await session.explorerContextMenu(wordList, 'Compare Embeddings…');
    const rows = await session.quickPickLabels('source A');
    // The workspace scan may list space-a.txt under "On this machine" (it is a file in the workspace);
    // the untrusted setting must not make it the default row.
    assert.ok(rows[0] !== 'space-a.txt' && !rows.some((r) => r.includes('space-a.txt') && /default/i.test(r)), `untrusted workspace setting leaked into the picker: ${JSON.stringify(rows)}`);
    for (const [side, file] of [['A', vectors.a], ['B', vectors.b]] as const) {
      await session.pickQuickItem(`source ${side}`, /Enter a source spec/, 'Enter a source spec');
      await session.answerInputBox(`source ${side}`, `vectors:${file}`);
    }
    const panel = await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
    const n = vectors.words.length;
    assert.equal(await panel.locator('section.ml-card[data-space="a"] svg.ml-heatmap-svg rect.cell').count(), n * n);
    // VS Code itself withholds the workspace values of restrictedConfigurations; MechLens says it runs untrusted.
    await session.waitForLog(/activated\s+in\s.*workspace\s+not\s+trusted/);
  });
});
