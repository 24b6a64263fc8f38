// Word lists and sentence sets as languages: folding by category and an outline of categories.
import * as vscode from 'vscode';
import { categorySections } from './categories';

const languageIds = ['mechlens-words', 'mechlens-sentences'] as const;

function documentLines(document: vscode.TextDocument): string[] {
  return Array.from({ length: document.lineCount }, (_, i) => document.lineAt(i).text);
}

class CategoryFolding implements vscode.FoldingRangeProvider {
  provideFoldingRanges(document: vscode.TextDocument): vscode.FoldingRange[] {
    return categorySections(documentLines(document))
      .filter((s) => s.end > s.start)
      .map((s) => new vscode.FoldingRange(s.start, s.end, vscode.FoldingRangeKind.Region));
  }
}

class CategoryOutline implements vscode.DocumentSymbolProvider {
  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    const unit = document.languageId === 'mechlens-sentences' ? 'sentence' : 'word';
    return categorySections(documentLines(document)).map((s) => {
      const range = new vscode.Range(s.start, 0, s.end, document.lineAt(s.end).text.length);
      const header = document.lineAt(s.start).range;
      return new vscode.DocumentSymbol(s.name || '(unnamed)', `${s.entries} ${unit}${s.entries === 1 ? '' : 's'}`, vscode.SymbolKind.Namespace, range, header);
    });
  }
}

export function registerLanguageFeatures(): vscode.Disposable {
  const selector = languageIds.map((language) => ({ language }));
  return vscode.Disposable.from(
    vscode.languages.registerFoldingRangeProvider(selector, new CategoryFolding()),
    vscode.languages.registerDocumentSymbolProvider(selector, new CategoryOutline(), { label: 'Categories' }),
  );
}
