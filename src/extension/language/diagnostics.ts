// Live diagnostics for word lists and sentence sets (debounced as you type): the parsers' findings,
// then the vocabulary checks against the chosen model or vector set (vocabulary-diagnostics.ts),
// with quick fixes: remove the line, use the lower-cased form, add a leading space.
import * as vscode from 'vscode';
import { loadVocabulary, type Vocabulary } from '../../core/diagnostics/vocabulary';
import { runInWorker } from '../../core/worker/client';
import { diagnoseText, type DiagnosticSeverityName, type TextDiagnostic } from './document-diagnostics';
import type { Log } from '../log';
import { vocabularyDiagnostics } from './vocabulary-diagnostics';

const severities: Record<DiagnosticSeverityName, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

const kinds: Record<string, 'words' | 'sentences'> = { 'mechlens-words': 'words', 'mechlens-sentences': 'sentences' };
const removableCode = 'remove-line';
const debounceMs = 300;
/** A vocabulary that was not on disk is looked for again after this long (it may have been downloaded since). */
const retryMissingMs = 30_000;

export interface VocabularyChoice {
  /** A model id or folder, model:ID#hook, a catalog vector set, or vectors:PATH. */
  spec: string;
  cacheDir?: string;
}

interface DiagnosticsOptions {
  /** What to check a word list or sentence set against now; undefined turns the vocabulary checks off. */
  vocabulary?: (kind: 'words' | 'sentences') => VocabularyChoice | undefined;
  log?: Log;
}

/** Loads each vocabulary once; one that is not on disk is retried after a while. */
class VocabularyCache {
  private readonly loaded = new Map<string, { at: number; missing: boolean; vocabulary: Promise<Vocabulary | undefined> }>();
  constructor(private readonly log?: Log) {}

  get(choice: VocabularyChoice): Promise<Vocabulary | undefined> {
    const key = `${choice.spec}\u0000${choice.cacheDir ?? ''}`;
    const hit = this.loaded.get(key);
    if (hit && !(hit.missing && Date.now() - hit.at > retryMissingMs)) return hit.vocabulary;
    const entry = { at: Date.now(), missing: false, vocabulary: Promise.resolve<Vocabulary | undefined>(undefined) };
    // A vector file's words are read in a worker: a 400,000-word file takes seconds to scan.
    const vocabulary = loadVocabulary(choice.spec, choice.cacheDir, (file) => runInWorker('vectorWords', { file })).then((v) => {
      // Said once per choice, not at every retry.
      if (v || !hit) {
        this.log?.info(v ? `Diagnostics: checking word lists and sentence sets against ${v.name} (${v.kind === 'tokenizer' ? 'tokenizer' : `${v.words.size} words`})`
          : `Diagnostics: ${choice.spec} is not on disk, so word lists are not checked against a vocabulary (nothing is downloaded for that)`);
      }
      entry.missing = !v;
      return v;
    }, (err: unknown) => {
      this.log?.error(`Diagnostics: could not read the vocabulary of ${choice.spec}`, err);
      entry.missing = true;
      return undefined;
    });
    entry.vocabulary = vocabulary;
    this.loaded.set(key, entry);
    return vocabulary;
  }
}

function toDiagnostic(document: vscode.TextDocument, d: TextDiagnostic): vscode.Diagnostic {
  const line = document.lineAt(Math.min(d.line, document.lineCount - 1));
  const range = d.start !== undefined && d.end !== undefined && d.end > d.start
    ? new vscode.Range(line.lineNumber, d.start, line.lineNumber, d.end) : line.range;
  const diagnostic = new vscode.Diagnostic(range, d.message, severities[d.severity]);
  diagnostic.source = 'MechLens';
  if (d.removable) diagnostic.code = removableCode;
  else if (d.code) diagnostic.code = d.code;
  return diagnostic;
}

/** The code actions for one finding: its own fixes, or "remove line" for a removable parser finding. */
function fixesOf(d: TextDiagnostic): NonNullable<TextDiagnostic['fixes']> {
  if (d.fixes?.length) return d.fixes;
  return d.removable ? [{ title: `Remove line ${d.line + 1}`, line: d.line, start: 0, end: 0, newText: '', deleteLine: true }] : [];
}

export function registerDiagnostics(options: DiagnosticsOptions = {}): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('mechlens');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const vocabularies = new VocabularyCache(options.log);
  /** The findings last shown per document, for the quick fixes. */
  const shown = new Map<string, TextDiagnostic[]>();

  const show = (document: vscode.TextDocument, findings: TextDiagnostic[]) => {
    shown.set(document.uri.toString(), findings);
    collection.set(document.uri, findings.map((d) => toDiagnostic(document, d)));
  };

  const update = async (document: vscode.TextDocument) => {
    const kind = kinds[document.languageId];
    if (!kind) return;
    const version = document.version;
    const text = document.getText();
    const parsed = diagnoseText(text, kind);
    show(document, parsed);
    const choice = options.vocabulary?.(kind);
    // Checked even when the parser found an error: a duplicate word should not hide the other words' findings.
    if (!choice) return;
    const vocabulary = await vocabularies.get(choice);
    // The text may have changed while the vocabulary loaded: the next update handles that version.
    if (!vocabulary || document.isClosed || document.version !== version) return;
    show(document, [...parsed, ...vocabularyDiagnostics(text, kind, vocabulary)]);
  };
  const run = (document: vscode.TextDocument) => {
    update(document).catch((err: unknown) => options.log?.error(`Diagnostics of ${document.uri.fsPath} failed`, err));
  };
  const schedule = (document: vscode.TextDocument) => {
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => { timers.delete(key); run(document); }, debounceMs));
  };

  const quickFixes: vscode.CodeActionProvider = {
    provideCodeActions(document, _range, context) {
      const findings = shown.get(document.uri.toString()) ?? [];
      return context.diagnostics.filter((d) => d.source === 'MechLens').flatMap((diagnostic) => {
        const finding = findings.find((f) => f.line === diagnostic.range.start.line && f.message === diagnostic.message);
        if (!finding) return [];
        return fixesOf(finding).map((fix, i) => {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = new vscode.WorkspaceEdit();
          if (fix.deleteLine) action.edit.delete(document.uri, document.lineAt(fix.line).rangeIncludingLineBreak);
          else action.edit.replace(document.uri, new vscode.Range(fix.line, fix.start, fix.line, fix.end), fix.newText);
          action.diagnostics = [diagnostic];
          action.isPreferred = i === 0;
          return action;
        });
      });
    },
  };

  for (const document of vscode.workspace.textDocuments) run(document);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(run),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(timers.get(d.uri.toString()));
      shown.delete(d.uri.toString());
      collection.delete(d.uri);
    }),
    // A new vocabulary choice re-checks every open file.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mechlens.diagnostics') || e.affectsConfiguration('mechlens.cacheDirectory')) {
        for (const document of vscode.workspace.textDocuments) run(document);
      }
    }),
    vscode.languages.registerCodeActionsProvider(Object.keys(kinds).map((language) => ({ language })), quickFixes, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    { dispose: () => { for (const t of timers.values()) clearTimeout(t); } },
  );
}
