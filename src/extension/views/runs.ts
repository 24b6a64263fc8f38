// The "Runs" view: saved `*.mechlens.json` files in the workspace, and recently opened runs.
import * as vscode from 'vscode';
import path from 'node:path';
import type { RecentList } from '../recent';
import { readRunHeader } from './run-header';

const jobIcons: Record<string, string> = { compare: 'graph', contrast: 'pulse', tokens: 'symbol-array', match: 'list-filter', attention: 'eye' };

const runGlob = '**/*.mechlens.json';
const maxWorkspaceRuns = 500;

type RunNode = { kind: 'group'; label: string; group: 'workspace' | 'recent' } | { kind: 'run'; uri: vscode.Uri; recent: boolean };

function runName(uri: vscode.Uri): string {
  return path.basename(uri.path).replace(/\.mechlens\.json$/i, '').replace(/\.json$/i, '');
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly recentRuns: RecentList) {
    const watcher = vscode.workspace.createFileSystemWatcher(runGlob);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
    );
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group}`;
      item.contextValue = `mechlens.runs.${node.group}`;
      return item;
    }
    const item = new vscode.TreeItem(runName(node.uri), vscode.TreeItemCollapsibleState.None);
    item.id = `${node.recent ? 'recent' : 'workspace'}:${node.uri.toString()}`;
    const header = node.uri.scheme === 'file' ? readRunHeader(node.uri.fsPath) : {};
    item.iconPath = new vscode.ThemeIcon((header.job && jobIcons[header.job]) || 'graph');
    const folder = node.uri.scheme === 'file' ? path.dirname(vscode.workspace.asRelativePath(node.uri, true)) : node.uri.toString();
    item.description = header.title ?? folder;
    item.tooltip = [header.title, header.job ? `job: ${header.job}` : undefined, node.uri.fsPath].filter(Boolean).join('\n');
    item.contextValue = 'mechlens.run';
    item.command = { command: 'mechlens.openRun', title: 'Open Run', arguments: [node.uri] };
    return item;
  }

  async getChildren(node?: RunNode): Promise<RunNode[]> {
    if (!node) {
      // Only non-empty groups; with none the view shows its welcome content.
      const groups: RunNode[] = [];
      if ((await this.workspaceRuns()).length) groups.push({ kind: 'group', label: 'Workspace', group: 'workspace' });
      if (this.recentRuns.items().length) groups.push({ kind: 'group', label: 'Recent', group: 'recent' });
      return groups;
    }
    if (node.kind !== 'group') return [];
    if (node.group === 'workspace') return this.workspaceRuns();
    return this.recentRuns.items().map((s) => ({ kind: 'run' as const, uri: vscode.Uri.parse(s), recent: true }));
  }

  private async workspaceRuns(): Promise<RunNode[]> {
    const uris = await vscode.workspace.findFiles(runGlob, '**/node_modules/**', maxWorkspaceRuns);
    uris.sort((x, y) => x.fsPath.localeCompare(y.fsPath));
    return uris.map((uri) => ({ kind: 'run', uri, recent: false }));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
