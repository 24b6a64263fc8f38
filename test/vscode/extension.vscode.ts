// Integration tests inside VS Code's extension host, for machines that can download VS Code
// (`npm run test:vscode`, via @vscode/test-cli and @vscode/test-electron). Not part of CI here:
// CI has no internet, and runs the same checks and more through code-server (test/e2e/).
// Named *.vscode.ts so the unit runner (which takes *.test.ts) leaves it alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';

const extensionId = 'mechlens.mechlens';

suite('MechLens in VS Code', () => {
  test('the extension is installed and activates', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('its commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['mechlens.compareEmbeddings', 'mechlens.openResult', 'mechlens.showLog']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  test('a .words file opens as a MechLens word list', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-vscode-'));
    const file = path.join(dir, 'list.words');
    fs.writeFileSync(file, '[fruit]\napple\npear\n');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.equal(document.languageId, 'mechlens-words');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
