// The word-list format (design.md, "Inputs"): one word per line, `[category]` headers, `#` comments,
// blank lines. Anything the parser cannot take as written is an error naming the line, never dropped.
//
// A line with a space inside ("ice cream") is refused rather than taken as a multi-word item:
// GloVe, word2vec and fastText tables hold single tokens (GoogleNews joins phrases with "_"), and
// the model jobs want one token per word, so such a line would only come back later as "missing".
import { MechLensError } from '../errors';
import { assertReadableLine, CategoryTracker, isComment, parseCategoryHeader, readUtf8File, splitLines } from './lines';

export interface WordListItem {
  word: string;
  /** null for words above the first `[category]` header. */
  category: string | null;
  /** 1-based line number in the source. */
  line: number;
}

export interface WordList {
  items: WordListItem[];
  /** Category names in order of first appearance. */
  categories: string[];
  /** Things worth telling the user that do not stop the run (e.g. words that differ only in case). */
  warnings: string[];
}

export function parseWordList(text: string, source = '<input>'): WordList {
  const lines = splitLines(text);
  const items: WordListItem[] = [];
  const tracker = new CategoryTracker(source, 'word');
  const lineOfWord = new Map<string, number>();
  const lineOfFolded = new Map<string, { word: string; line: number }>();
  const warnings: string[] = [];

  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const trimmed = lines[i].trim();
    if (!trimmed || isComment(trimmed)) continue;
    assertReadableLine(trimmed, lineNumber, source);
    const category = parseCategoryHeader(trimmed, lineNumber, source);
    if (category !== undefined) {
      tracker.open(category, lineNumber);
      continue;
    }
    if (/\s/.test(trimmed)) {
      throw new MechLensError('parse', `"${trimmed}" has a space inside; a word list holds one word per line`, {
        input: source,
        line: lineNumber,
        fix: 'Put each word on its own line, or join a phrase with "_" (ice_cream) as word2vec does.',
      });
    }
    const earlier = lineOfWord.get(trimmed);
    if (earlier !== undefined) {
      throw new MechLensError('parse', `Duplicate word "${trimmed}" (first on line ${earlier})`, {
        input: source,
        line: lineNumber,
        fix: 'Remove one of the two lines; a word can be in one category only.',
      });
    }
    lineOfWord.set(trimmed, lineNumber);
    const folded = trimmed.toLowerCase();
    const twin = lineOfFolded.get(folded);
    if (twin) {
      warnings.push(`${source}:${lineNumber}: "${trimmed}" differs from "${twin.word}" (line ${twin.line}) only in case; with the lower-case fallback both may get the same vector.`);
    } else lineOfFolded.set(folded, { word: trimmed, line: lineNumber });
    items.push({ word: trimmed, category: tracker.category, line: lineNumber });
    tracker.addItem();
  }
  tracker.closeCurrent();
  const perCategory = new Map<string, WordListItem[]>();
  for (const item of items) {
    if (item.category === null) continue;
    const members = perCategory.get(item.category);
    if (members) members.push(item);
    else perCategory.set(item.category, [item]);
  }
  for (const [category, members] of perCategory) {
    if (members.length === 1) {
      warnings.push(`${source}:${members[0].line}: category [${category}] has one word ("${members[0].word}"), so its within-category similarity (and the selectivity index) is undefined; add a second word to include it.`);
    }
  }
  if (items.length === 0) {
    throw new MechLensError('parse', 'The word list has no words', {
      input: source,
      fix: 'Write one word per line; lines starting with # are comments and [name] starts a category.',
    });
  }
  return { items, categories: tracker.categories, warnings };
}

/** Reads and parses a word-list file; invalid UTF-8 is an error naming the line. */
export function readWordListFile(filePath: string): WordList {
  return parseWordList(readUtf8File(filePath), filePath);
}
