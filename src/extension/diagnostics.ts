// Live diagnostics for word lists and sentence sets (debounced as you type), with a quick fix that
// removes a duplicate line.
import * as vscode from 'vscode';
import { diagnoseText, type DiagnosticSeverityName } from './document-diagnostics';

const severities: Record<DiagnosticSeverityName, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

const kinds: Record<string, 'words' | 'sentences'> = { 'mechlens-words': 'words', 'mechlens-sentences': 'sentences' };
const removableCode = 'remove-line';
const debounceMs = 300;

export function registerDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('mechlens');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const update = (document: vscode.TextDocument) => {
    const kind = kinds[document.languageId];
    if (!kind) return;
    const diagnostics = diagnoseText(document.getText(), kind).map((d) => {
      const line = document.lineAt(Math.min(d.line, document.lineCount - 1));
      const diagnostic = new vscode.Diagnostic(line.range, d.message, severities[d.severity]);
      diagnostic.source = 'MechLens';
      if (d.removable) diagnostic.code = removableCode;
      return diagnostic;
    });
    collection.set(document.uri, diagnostics);
  };
  const schedule = (document: vscode.TextDocument) => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => { timers.delete(key); update(document); }, debounceMs));
  };

  const quickFixes: vscode.CodeActionProvider = {
    provideCodeActions(document, _range, context) {
      return context.diagnostics.filter((d) => d.code === removableCode).map((d) => {
        const action = new vscode.CodeAction(`Remove line ${d.range.start.line + 1}`, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.delete(document.uri, document.lineAt(d.range.start.line).rangeIncludingLineBreak);
        action.diagnostics = [d];
        action.isPreferred = true;
        return action;
      });
    },
  };

  for (const document of vscode.workspace.textDocuments) update(document);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(timers.get(d.uri.toString()));
      collection.delete(d.uri);
    }),
    vscode.languages.registerCodeActionsProvider(Object.keys(kinds).map((language) => ({ language })), quickFixes, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    { dispose: () => { for (const t of timers.values()) clearTimeout(t); } },
  );
}
