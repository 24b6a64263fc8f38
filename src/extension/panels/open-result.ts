// Saved runs (`*.mechlens.json`) open as a result panel: through the custom editor, the
// "Open Saved Run…" command, or the Runs view.
import * as vscode from 'vscode';
import { MechLensError } from '../../core/errors';
import { userFacingMessage } from '../error-message';
import { ResultPanel, type PanelServices } from './panel';
import { parseSavedRun } from './saved-run';

export const resultEditorViewType = 'mechlens.result';

async function readRun(uri: vscode.Uri) {
  return parseSavedRun(await vscode.workspace.fs.readFile(uri), uri.fsPath);
}

/** Read-only: the panel never edits the file; "Save" in the panel writes a new one. */
export class ResultEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly services: PanelServices) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, webviewPanel: vscode.WebviewPanel): Promise<void> {
    const panel = ResultPanel.adopt(webviewPanel, this.services);
    try {
      const result = await this.services.log.step(`Opening ${document.uri.fsPath}`, () => readRun(document.uri));
      panel.showResult(result, document.uri);
      webviewPanel.title = vscode.workspace.asRelativePath(document.uri, false).split('/').pop() ?? webviewPanel.title;
      await this.services.recentRuns.push(document.uri.toString());
    } catch (err) {
      this.services.log.error(`Could not open ${document.uri.fsPath}`, err);
      const message = err instanceof MechLensError ? userFacingMessage(err) : `Could not read ${document.uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`;
      panel.showError(message);
      const action = await vscode.window.showErrorMessage(message, 'Open Log', 'Open as Text');
      if (action === 'Open Log') this.services.log.show();
      if (action === 'Open as Text') await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default');
    }
  }
}

/** `mechlens.openResult`: the file from the explorer, or one chosen in a dialog. */
export async function openSavedRun(uri?: vscode.Uri): Promise<void> {
  let target = uri instanceof vscode.Uri ? uri : undefined;
  if (!target) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'MechLens runs': ['json'] },
      openLabel: 'Open Run',
      title: 'MechLens: open a saved run (*.mechlens.json)',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    target = picked?.[0];
  }
  if (!target) return;
  await vscode.commands.executeCommand('vscode.openWith', target, resultEditorViewType);
}
