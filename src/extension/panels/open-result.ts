// Saved runs (`*.mechlens.json`) open as a result panel: through the custom editor, the
// "Open Saved Run…" command, or the Runs view.
import * as vscode from 'vscode';
import { MechLensError } from '../../core/errors';
import { userFacingMessage } from '../error-message';
import { ResultPanel, type PanelServices } from './panel';
import { parseSavedRun } from './saved-run';
import { missingSavedRunInput, savedRunInputFile } from './saved-run-inputs';
import { extensionJobs } from '../job-table';
import path from 'node:path';

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

/**
 * `mechlens.runSavedRunAgain` (the title bar of a saved run): starts the run's job on the same input
 * file, after checking that its files and model folders are still there; the job asks the rest,
 * offering the run's model and sources first among the recent ones.
 */
export async function runSavedRunAgain(uri: unknown): Promise<void> {
  if (!(uri instanceof vscode.Uri)) {
    void vscode.window.showInformationMessage('MechLens: open a saved run (*.mechlens.json) first, then run it again from its title bar.');
    return;
  }
  let result;
  try {
    result = await readRun(uri);
  } catch (err) {
    void vscode.window.showErrorMessage(err instanceof MechLensError ? userFacingMessage(err) : `MechLens: could not read ${uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const missing = missingSavedRunInput(result);
  if (missing) {
    void vscode.window.showErrorMessage(`MechLens: cannot run ${path.basename(uri.fsPath)} again: its ${missing.role} ${missing.path} no longer exists. Move it back, or start the job from the command palette with another input.`);
    return;
  }
  const file = savedRunInputFile(result);
  await vscode.commands.executeCommand(extensionJobs[result.job].command, file ? vscode.Uri.file(file) : undefined);
}
