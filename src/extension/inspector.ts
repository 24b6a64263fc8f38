// The "Inspector" side view: details of the selection in the active result panel. It uses the same
// HTML builder (nonce CSP, dist/ and media/ only) and a small script from media/.
import * as vscode from 'vscode';
import { buildWebviewHtml, createNonce } from './webview-html';
import { webviewOptions } from './webview-resources';
import { inspectSelection, type InspectorData } from './inspector-data';
import type { Result } from '../protocol/result';

export const inspectorViewId = 'mechlens.inspector';

export class InspectorViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private latest: InspectorData = inspectSelection(undefined, []);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    const uri = (...segments: string[]) => view.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments)).toString();
    view.webview.html = buildWebviewHtml({
      cspSource: view.webview.cspSource,
      nonce: createNonce(),
      title: 'MechLens Inspector',
      styles: [uri('media', 'inspector.css')],
      scripts: [uri('media', 'inspector.js')],
    });
    this.disposables.push(
      // The only message this view sends is `ready`; anything else is ignored.
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') {
          this.ready = true;
          this.post();
        }
      }),
      view.onDidDispose(() => { this.view = undefined; this.ready = false; }),
    );
  }

  /** Called when a panel reports a selection (or becomes active with one). */
  inspect(result: Result | undefined, items: readonly string[]): void {
    this.latest = inspectSelection(result, items);
    this.post();
  }

  private post(): void {
    if (this.view && this.ready) void this.view.webview.postMessage({ type: 'inspect', data: this.latest });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
