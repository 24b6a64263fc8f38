// Word lists and sentence sets checked against a model's tokenizer or a vector set's words, the way
// the jobs will read them: a word is looked up exactly, then lower-cased (vector sets), or put after
// a space as in the jobs' templates and must be one token (models); a {target} must be whole tokens
// and preferably one. Each finding carries its quick fixes as plain text edits; diagnostics.ts turns
// them into VS Code diagnostics and code actions. No vscode import, so it is tested under Node.
import { MechLensError } from '../../core/errors';
import { checkSingleTokens } from '../../core/models/positions';
import type { Gpt2Tokenizer } from '../../core/models/tokenizer';
import { parseSentenceSet } from '../../core/text/sentence-set';
import { parseWordList } from '../../core/text/word-list';
import { isComment } from '../../core/text/lines';
import type { Vocabulary } from '../../core/diagnostics/vocabulary';
import type { TextDiagnostic } from './document-diagnostics';

/** The jobs put a word after a space (" {word}" for embeddings, "The next word is {word}" for hooks): both tokenize it alike. */
const WORD_CONTEXT = ' {word}';

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Parses with the jobs' parsers; a text they refuse gets no vocabulary findings (its parse error is shown instead). */
function parsed<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof MechLensError) return undefined;
    throw err;
  }
}

export function vocabularyDiagnostics(text: string, kind: 'words' | 'sentences', vocabulary: Vocabulary): TextDiagnostic[] {
  const lines = splitLines(text);
  if (kind === 'words') {
    // A list the parser refuses (a duplicate word, say) is still checked word by word: its error
    // shows beside the vocabulary findings rather than hiding them.
    const words = parsed(() => parseWordList(text, ''))?.items ?? wordLinesOf(lines);
    const items = words.map((item) => {
      const line = item.line - 1;
      const start = Math.max(0, (lines[line] ?? '').indexOf(item.word));
      return { word: item.word, line, start, end: start + item.word.length };
    });
    return vocabulary.kind === 'words' ? wordsInVectorSet(items, vocabulary) : wordsAsTokens(items, vocabulary.tokenizer, vocabulary.name);
  }
  if (vocabulary.kind !== 'tokenizer') return [];
  const set = parsed(() => parseSentenceSet(text, ''));
  return set ? targetsAsTokens(set.sentences, lines, vocabulary.tokenizer, vocabulary.name) : [];
}

/** The lines of a word list the parser refused that still read as one word each (no header, comment or space inside). */
function wordLinesOf(lines: readonly string[]): { word: string; line: number }[] {
  return lines.flatMap((text, i) => {
    const word = text.trim();
    return word && !isComment(word) && !word.startsWith('[') && !/\s/.test(word) ? [{ word, line: i + 1 }] : [];
  });
}

interface Placed { word: string; line: number; start: number; end: number }

const removeLine = (p: Placed) => ({ title: `Remove "${p.word}" (line ${p.line + 1})`, line: p.line, start: 0, end: 0, newText: '', deleteLine: true });
const replaceWith = (p: Placed, word: string, title = `Use "${word}"`) => ({ title, line: p.line, start: p.start, end: p.end, newText: word });

function wordsInVectorSet(items: Placed[], vocabulary: Extract<Vocabulary, { kind: 'words' }>): TextDiagnostic[] {
  const out: TextDiagnostic[] = [];
  for (const p of items) {
    if (vocabulary.words.has(p.word)) continue;
    const lower = p.word.toLowerCase();
    if (lower !== p.word && vocabulary.words.has(lower)) {
      out.push({ line: p.line, start: p.start, end: p.end, severity: 'information', code: 'vocabulary-lowercase',
        message: `"${p.word}" is not in ${vocabulary.name}, but "${lower}" is: the job will use the lower-cased form.`,
        fixes: [replaceWith(p, lower, `Use the lower-cased form "${lower}"`)] });
    } else {
      out.push({ line: p.line, start: p.start, end: p.end, severity: 'warning', code: 'vocabulary-missing',
        message: `"${p.word}" is not in the vocabulary of ${vocabulary.name}${lower !== p.word ? `, lower-cased or not` : ''}: the job will list it as missing and leave it out.`,
        fixes: [removeLine(p)] });
    }
  }
  return out;
}

function isSingleToken(tokenizer: Gpt2Tokenizer, word: string): boolean {
  return checkSingleTokens(tokenizer, WORD_CONTEXT, [word]).checks[0].single;
}

function wordsAsTokens(items: Placed[], tokenizer: Gpt2Tokenizer, name: string): TextDiagnostic[] {
  if (!items.length) return [];
  const { checks } = checkSingleTokens(tokenizer, WORD_CONTEXT, items.map((p) => p.word));
  const out: TextDiagnostic[] = [];
  checks.forEach((check, i) => {
    if (check.single) return;
    const p = items[i];
    const lower = p.word.toLowerCase();
    const fixes: NonNullable<TextDiagnostic['fixes']> = [removeLine(p)];
    if (lower !== p.word && isSingleToken(tokenizer, lower)) fixes.unshift(replaceWith(p, lower, `Use the lower-cased form "${lower}" (one token)`));
    out.push({ line: p.line, start: p.start, end: p.end, severity: 'warning', code: 'not-single-token', fixes,
      message: `"${p.word}" is not a single token for ${name}: after a space it is ${check.pieces.length} pieces, ${check.pieces.join(' | ')}. Jobs that hook a model leave it out.` });
  });
  return out;
}

interface SentenceLike { text: string; target: string | null; targetStart: number | null; line: number }

function targetsAsTokens(sentences: SentenceLike[], lines: string[], tokenizer: Gpt2Tokenizer, name: string): TextDiagnostic[] {
  const out: TextDiagnostic[] = [];
  for (const s of sentences) {
    if (s.target === null || s.targetStart === null) continue;
    const line = s.line - 1;
    const docLine = lines[line] ?? '';
    const marker = docLine.indexOf(`{${s.target}}`);
    if (marker < 0) continue;
    const placed: Placed = { word: s.target, line, start: marker + 1, end: marker + 1 + s.target.length };
    const from = s.targetStart, to = s.targetStart + s.target.length;
    const { ids, starts, ends } = tokenizer.encodeWithOffsets(s.text);
    const span = ids.map((_, t) => t).filter((t) => starts[t] < to && ends[t] > from);
    if (!span.length) continue;
    const first = span[0], last = span[span.length - 1];
    const pieces = span.map((t) => tokenizer.displayToken(ids[t]));
    const before = s.text.slice(0, from);
    // A target mid-sentence should be read as GPT-2 reads a word there: with the space before it.
    const glued = before.length > 0 && !/\s$/.test(before) && /^\w/.test(s.target);
    const whole = starts[first] >= from - 1 && ends[last] <= to && s.text.slice(starts[first], from).trim() === '';
    const fixes: TextDiagnostic['fixes'] = [];
    if (glued && isSingleToken(tokenizer, s.target)) {
      fixes.push({ title: `Add a leading space before {${s.target}}`, line, start: marker, end: marker, newText: ' ' });
    }
    const lower = s.target.toLowerCase();
    if (lower !== s.target && (span.length > 1 || !whole) && isSingleToken(tokenizer, lower)) fixes.push(replaceWith(placed, lower, `Use the lower-cased form "${lower}" (one token)`));
    if (!whole) {
      out.push({ ...placed, severity: 'warning', code: 'target-not-whole-tokens', fixes,
        message: `The target {${s.target}} is not whole tokens for ${name}: it shares ${pieces.join(' | ')} with the text around it, so the job reads a token that is not just the target.` });
    } else if (span.length > 1) {
      out.push({ ...placed, severity: 'warning', code: 'target-several-tokens', fixes,
        message: `The target {${s.target}} is ${span.length} tokens for ${name} (${pieces.join(' | ')}); the job reads its last piece.` });
    } else if (glued && fixes.length) {
      out.push({ ...placed, severity: 'information', code: 'target-without-space', fixes,
        message: `The target {${s.target}} follows "${before.slice(-1)}" without a space, so it is read as ${pieces[0]} rather than ␣${s.target} as mid-sentence words are.` });
    }
  }
  return out;
}
