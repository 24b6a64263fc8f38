// A "Compare Embeddings…" lens at the top of every word list, so the main job is one click away.
import * as vscode from 'vscode';

class WordListLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (document.uri.scheme !== 'file') return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
      title: '$(graph-scatter) Compare Embeddings…',
      tooltip: 'Compare two embedding spaces on this word list: heatmaps, selectivity, RSA, t-SNE clusters',
      command: 'mechlens.compareEmbeddings',
      arguments: [document.uri],
    })];
  }
}

export function registerWordListCodeLens(): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider({ language: 'mechlens-words' }, new WordListLens());
}
