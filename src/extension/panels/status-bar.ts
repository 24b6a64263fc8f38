// While a result panel is active, the status bar shows what it ran on: the two sources, the
// execution provider when a model was involved, and the run time.
import * as vscode from 'vscode';
import type { Result } from '../../protocol/result';
import { summarizeResult } from '../job-table';

export class ResultStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mechlens.result', vscode.StatusBarAlignment.Left, 50);
  private owner: unknown;

  constructor() {
    this.item.name = 'MechLens Result';
    this.item.command = 'mechlens.showLog';
  }

  show(owner: unknown, result: Result): void {
    const { text, tooltip } = summarizeResult(result);
    this.owner = owner;
    this.item.text = `$(graph) ${text}`;
    this.item.tooltip = `${tooltip}\n\nClick to open the MechLens log.`;
    this.item.show();
  }

  /** Hides only if `owner` is the panel shown, so switching between panels does not flicker. */
  hide(owner: unknown): void {
    if (this.owner !== owner) return;
    this.owner = undefined;
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
