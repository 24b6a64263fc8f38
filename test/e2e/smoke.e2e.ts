// The packaged .vsix installs into real VS Code, activates, and contributes its commands and menus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LONG, sessionForFile } from './harness';

const file = sessionForFile('smoke', (workspace) => {
  writeFileSync(path.join(workspace, 'samples', 'duplicates.words'), '[fruit]\napple\npear\napple\n');
  return { trust: 'trust' };
});

test('the palette lists the MechLens commands', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    // One query per command: the palette draws only the rows in view, and MechLens has more commands than fit.
    for (const expected of ['MechLens: Compare Embeddings…', 'MechLens: Open Saved Run…', 'MechLens: Show Log', 'MechLens: Logit Lens…', 'MechLens: SAE Features…']) {
      const labels = await session.paletteCommands(expected);
      assert.ok(labels.includes(expected), `palette lacks "${expected}"; it shows ${JSON.stringify(labels)}`);
    }
  });
});

test('the extension activates and says so in its log', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.waitForLog(/MechLens\s+\d+\.\d+\.\d+\s+activated\s+in/);
    assert.equal(await session.restrictedModeIndicator().count(), 0, 'a trusted workspace shows Restricted Mode');
  });
});

test('a .words file has "Compare Embeddings…" in its explorer context menu', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const labels = await session.explorerContextMenuLabels('samples/space-furniture-fruit.words');
    assert.ok(labels.includes('Compare Embeddings…'), `context menu: ${JSON.stringify(labels)}`);
  });
});

test('a duplicate word in a .words file is underlined and listed in Problems', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const row = await session.explorerItem('samples/duplicates.words');
    await row.dblclick();
    await session.tab('duplicates.words').waitFor({ state: 'visible' });
    await session.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: LONG });
    await session.page.locator('.part.statusbar [id="status.problems"]').click();
    const problem = session.page.locator('.markers-panel .monaco-list-row', { hasText: /Duplicate word "apple" \(first on line 2\)/ });
    await problem.first().waitFor({ state: 'visible', timeout: LONG });
    assert.match(await problem.first().innerText(), /Ln 4/, 'the problem is not on line 4');
  });
});
