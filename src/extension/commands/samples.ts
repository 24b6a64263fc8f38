// "Open Sample Word List…": the word lists shipped in the extension's samples/ folder, and the samples
// the walkthrough's buttons run the jobs on.
import * as vscode from 'vscode';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The sample a command link names (the walkthrough's `command:mechlens.logitLens?[{"sample":"him-her.sentences"}]`):
 * its file in the extension's samples/ folder, or undefined for any other argument or a name that is not a sample there.
 */
export function sampleArgument(extensionUri: vscode.Uri, arg: unknown): vscode.Uri | undefined {
  const name = typeof arg === 'object' && arg !== null ? (arg as { sample?: unknown }).sample : undefined;
  if (typeof name !== 'string' || name !== path.basename(name) || name.startsWith('.')) return undefined;
  const uri = vscode.Uri.joinPath(extensionUri, 'samples', name);
  return existsSync(uri.fsPath) ? uri : undefined;
}

export async function openSample(extensionUri: vscode.Uri): Promise<void> {
  const folder = vscode.Uri.joinPath(extensionUri, 'samples');
  const names = existsSync(folder.fsPath) ? readdirSync(folder.fsPath).filter((n) => /\.(words|sentences)$/.test(n)).sort() : [];
  if (!names.length) {
    void vscode.window.showWarningMessage('MechLens: this installation has no samples folder.');
    return;
  }
  // ignoreFocusOut: run from the walkthrough's button, the walkthrough re-renders (it ticks the step
  // on this command) and takes the focus, which closed the list before anything was picked.
  const name = names.length === 1 ? names[0] : (await vscode.window.showQuickPick(names, { title: 'MechLens: open a sample', placeHolder: 'Choose a sample word list', ignoreFocusOut: true }));
  if (!name) return;
  await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, name), { preview: false });
}
