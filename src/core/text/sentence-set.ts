// The sentence-set format (design.md, "Inputs"): one sentence per line under `[category]` headers,
// `{...}` around the target word whose position the model jobs read. At most one target per line.
import { MechLensError } from '../errors';
import { assertReadableLine, CategoryTracker, isComment, parseCategoryHeader, readUtf8File, splitLines } from './lines';

export interface Sentence {
  /** The sentence with the marker braces removed. */
  text: string;
  /** The marked word, or null when the line has no `{...}`. */
  target: string | null;
  /** Offset (UTF-16 code units) of the target in `text`, or null. */
  targetStart: number | null;
  category: string | null;
  line: number;
}

export interface SentenceSet {
  sentences: Sentence[];
  categories: string[];
  warnings: string[];
}

export function parseSentenceSet(text: string, source = '<input>'): SentenceSet {
  const lines = splitLines(text);
  const sentences: Sentence[] = [];
  const tracker = new CategoryTracker(source, 'sentence');
  const lineOfSentence = new Map<string, number>();
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
    const sentence = parseSentenceLine(trimmed, lineNumber, source, tracker.category);
    const key = `${sentence.category ?? ''}\u0000${trimmed}`;
    const earlier = lineOfSentence.get(key);
    if (earlier !== undefined) warnings.push(`${source}:${lineNumber}: the same sentence as line ${earlier}; it is counted twice.`);
    else lineOfSentence.set(key, lineNumber);
    sentences.push(sentence);
    tracker.addItem();
  }
  tracker.closeCurrent();
  if (sentences.length === 0) {
    throw new MechLensError('parse', 'The sentence set has no sentences', {
      input: source,
      fix: 'Write one sentence per line under [category] headers, with the target word in braces: I saw {him}.',
    });
  }
  return { sentences, categories: tracker.categories, warnings };
}

function parseSentenceLine(line: string, lineNumber: number, source: string, category: string | null): Sentence {
  const at = { input: source, line: lineNumber };
  const open = line.indexOf('{');
  const close = line.indexOf('}');
  if (open < 0 && close < 0) return { text: line, target: null, targetStart: null, category, line: lineNumber };
  if (close < 0) throw new MechLensError('parse', 'Unbalanced "{" in the sentence', { ...at, fix: 'Close the target marker: {word}.' });
  if (open < 0 || close < open) {
    throw new MechLensError('parse', 'Unbalanced "}" in the sentence', { ...at, fix: 'Mark the target word as {word}.' });
  }
  const inner = line.slice(open + 1, close);
  if (inner.includes('{')) throw new MechLensError('parse', 'Nested "{" inside a target marker', { ...at, fix: 'Mark the target word as {word}.' });
  const rest = line.slice(close + 1);
  if (rest.includes('{') || rest.includes('}')) {
    throw new MechLensError('parse', 'More than one {target} marker in the sentence', {
      ...at,
      fix: 'Mark exactly one target per sentence; write the sentence twice to read two positions.',
    });
  }
  const target = inner.trim();
  if (!target) throw new MechLensError('parse', 'Empty target marker "{}"', { ...at, fix: 'Put the target word inside the braces: {him}.' });
  if (target !== inner) {
    throw new MechLensError('parse', `The target "{${inner}}" has spaces inside the braces`, {
      ...at,
      fix: 'Put the spaces outside the braces: "saw {him} at", so the target is exactly the word.',
    });
  }
  return { text: line.slice(0, open) + inner + rest, target, targetStart: open, category, line: lineNumber };
}

/** Reads and parses a sentence-set file; invalid UTF-8 is an error naming the line. */
export function readSentenceSetFile(filePath: string): SentenceSet {
  return parseSentenceSet(readUtf8File(filePath), filePath);
}
