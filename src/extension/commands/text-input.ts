// The texts a text-level job reads (the logit lens, attention heads, logit attribution, SAE features): one text per
// non-empty, non-comment line of a `.txt`, `.sentences` or `.words` file, or of the editor's
// selection. `[category]` headers of sentence sets and word lists are not texts, and a sentence's
// `{target}` marker braces are dropped (the word stays). No runtime vscode here: the editor is passed
// in, so the rules are tested under plain Node.
import path from 'node:path';
import type * as vscode from 'vscode';
import { MechLensError } from '../../core/errors';
import { isComment, readUtf8File, splitLines } from '../../core/text/lines';

/** The files whose lines are texts, for the explorer menus and the open dialog. */
export const textFilePattern = /\.(sentences|txt|words)$/i;
export const textFileFilters: Record<string, string[]> = { 'Texts (one per line)': ['txt', 'sentences', 'words'], 'All files': ['*'] };

export interface TextsRead {
  texts: string[];
  /** 1-based line of each text in its file or selection. */
  lines: number[];
  /** Where they came from, for titles and errors: a file path or "selection in NAME". */
  source: string;
}

/** How the lines of a file are read: sentence sets and word lists have headers; sentence sets have markers. */
function kindOf(fileName: string): 'sentences' | 'words' | 'plain' {
  const ext = path.extname(fileName).toLowerCase();
  return ext === '.sentences' ? 'sentences' : ext === '.words' ? 'words' : 'plain';
}

/** The texts of `content` read by the rules of `fileName`'s kind; `firstLine` numbers the lines (a selection may start mid-file). */
export function textsFromContent(content: string, fileName: string, firstLine = 1): { texts: string[]; lines: number[] } {
  const kind = kindOf(fileName);
  const texts: string[] = [];
  const lines: number[] = [];
  splitLines(content).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || isComment(trimmed)) return;
    if (kind !== 'plain' && /^\[[^\]]*\]$/.test(trimmed)) return;
    texts.push(kind === 'sentences' ? trimmed.replace(/\{([^{}]*)\}/g, '$1') : trimmed);
    lines.push(firstLine + i);
  });
  return { texts, lines };
}

/** The texts of a file on disk; an error names the file and what to put in it when there are none. */
export function readTextsFile(filePath: string): TextsRead {
  const { texts, lines } = textsFromContent(readUtf8File(filePath), filePath);
  if (texts.length === 0) {
    throw new MechLensError('bad-argument', 'the file has no texts: every line is empty, a # comment or a [category] header', {
      input: filePath, fix: 'Write one text per line (a sentence, or a word), then run the command again.',
    });
  }
  return { texts, lines, source: filePath };
}

/**
 * The texts of the editor's selections (all of them, in order); an error says to select some text
 * and run `command` (its palette title, e.g. "Logit Lens on Selection") again when there are none.
 */
export function readTextsSelection(editor: Pick<vscode.TextEditor, 'selections' | 'document'>, command: string): TextsRead {
  const name = path.basename(editor.document.fileName || editor.document.uri.path);
  const texts: string[] = [];
  const lines: number[] = [];
  for (const selection of editor.selections) {
    if (selection.isEmpty) continue;
    const read = textsFromContent(editor.document.getText(selection), editor.document.fileName || name, selection.start.line + 1);
    texts.push(...read.texts);
    lines.push(...read.lines);
  }
  if (texts.length === 0) {
    throw new MechLensError('bad-argument', 'the selection holds no text', {
      input: `selection in ${name}`, fix: `Select one or more lines of text (one text per line), then run "MechLens: ${command}" again.`,
    });
  }
  return { texts, lines, source: `selection in ${name}` };
}
