// Files the extension writes where the user chose (saved runs, exports): a local file goes through
// core's atomic writer (temporary file in the same folder, then rename), so a crash or a kill midway
// leaves the previous file whole; a remote one (vscode-remote://, virtual file systems) through
// VS Code's file system, which writes it in one request.
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/io/atomic-write';
import { jsonBytes, writeJsonFileSync } from '../../core/io/json-stream';

export async function writeUri(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
  if (target.scheme === 'file') await writeFileAtomic(target.fsPath, bytes);
  else await vscode.workspace.fs.writeFile(target, bytes);
}

/** A Result as JSON (streamed, so any result that was computed can be saved), ending in a newline. */
export async function writeJsonUri(target: vscode.Uri, value: unknown): Promise<void> {
  if (target.scheme === 'file') writeJsonFileSync(target.fsPath, value, '\n');
  else await vscode.workspace.fs.writeFile(target, jsonBytes(value, '\n'));
}
