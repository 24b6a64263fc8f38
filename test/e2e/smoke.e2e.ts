// The packaged .vsix installs into real VS Code, activates, and contributes its commands and menus.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LONG, makeWorkspace, VsCodeSession } from './harness';

let session: VsCodeSession;
let workspace: string;

before(async () => {
  workspace = makeWorkspace();
  writeFileSync(path.join(workspace, 'samples', 'duplicates.words'), '[fruit]\napple\npear\napple\n');
  session = await VsCodeSession.start({ workspace, trust: 'trust', name: 'smoke' });
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('the palette lists the MechLens commands', async (t) => {
  try {
    // One query per command: the palette draws only the rows in view, and MechLens has more commands than fit.
    for (const expected of ['MechLens: Compare Embeddings…', 'MechLens: Open Saved Run…', 'MechLens: Show Log', 'MechLens: Logit Lens…', 'MechLens: SAE Features…']) {
      const labels = await session.paletteCommands(expected);
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

test('a duplicate word in a .words file is underlined and listed in Problems', async (t) => {
  try {
    const row = await session.explorerItem('samples/duplicates.words');
    await row.dblclick();
    await session.tab('duplicates.words').waitFor({ state: 'visible' });
    await session.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: LONG });
    await session.page.locator('.part.statusbar [id="status.problems"]').click();
    const problem = session.page.locator('.markers-panel .monaco-list-row', { hasText: /Duplicate word "apple" \(first on line 2\)/ });
    await problem.first().waitFor({ state: 'visible', timeout: LONG });
    assert.match(await problem.first().innerText(), /Ln 4/, 'the problem is not on line 4');
  } catch (err) {
    await session.captureFailure(t.name);
    throw err;
  }
});
