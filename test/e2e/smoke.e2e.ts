// The packaged .vsix installs into real VS Code, activates, and contributes its commands and menus.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeWorkspace, VsCodeSession } from './harness';

let session: VsCodeSession;
let workspace: string;

before(async () => {
  workspace = makeWorkspace();
  session = await VsCodeSession.start({ workspace, trust: 'trust', name: 'smoke' });
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('the palette lists the MechLens commands', async (t) => {
  try {
    const labels = await session.paletteCommands('MechLens:');
    for (const expected of ['MechLens: Compare Embeddings…', 'MechLens: Open Saved Run…', 'MechLens: Show Log']) {
      assert.ok(labels.includes(expected), `palette lacks "${expected}"; it shows ${JSON.stringify(labels)}`);
    }
  } catch (err) {
    await session.captureFailure(t.name);
    throw err;
  }
});

test('the extension activates and says so in its log', async (t) => {
  try {
    await session.waitForLog(/MechLens\s+\d+\.\d+\.\d+\s+activated\s+in/);
    assert.equal(await session.restrictedModeIndicator().count(), 0, 'a trusted workspace shows Restricted Mode');
  } catch (err) {
    await session.captureFailure(t.name);
    throw err;
  }
});

test('a .words file has "Compare Embeddings…" in its explorer context menu', async (t) => {
  try {
    const labels = await session.explorerContextMenuLabels('samples/space-furniture-fruit.words');
    assert.ok(labels.includes('Compare Embeddings…'), `context menu: ${JSON.stringify(labels)}`);
  } catch (err) {
    await session.captureFailure(t.name);
    throw err;
  }
});
