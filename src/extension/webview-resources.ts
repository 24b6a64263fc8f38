// Renders the shared HTML builder into a vscode webview: the resource roots, the asset URIs and the
// settings the charts read at boot.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { buildWebviewHtml, createNonce } from './webview-html';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The heatmap settings the webview reads from `data-settings` on <body>. */
function panelSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('mechlens');
  return {
    colorScheme: config.get<string>('heatmap.colorScheme', 'RdBu'),
    canvasThreshold: config.get<number>('heatmap.canvasThreshold', 150),
  };
}

export function renderWebview(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): void {
  const asset = (...segments: string[]) => vscode.Uri.joinPath(extensionUri, ...segments);
  const uri = (file: vscode.Uri) => webview.asWebviewUri(file).toString();
  const styles = [asset('dist', 'codicons', 'codicon.css'), asset('dist', 'webview.css')].filter((f) => existsSync(f.fsPath));
  webview.options = webviewOptions(extensionUri);
  webview.html = buildWebviewHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    title,
    styles: styles.map(uri),
    scripts: [uri(asset('dist', 'webview.js'))],
    data: { settings: panelSettings() },
  });
}
