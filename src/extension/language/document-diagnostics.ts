// Problems in a word list or sentence set as the editor shows them, from the same parsers the jobs
// use, so what is underlined is exactly what a run would refuse. The parsers stop at the first
// error; warnings and target-less sentences are all reported.
import { MechLensError } from '../../core/errors';
import { parseSentenceSet } from '../../core/text/sentence-set';
import { parseWordList } from '../../core/text/word-list';

export type DiagnosticSeverityName = 'error' | 'warning' | 'information';

export interface TextDiagnostic {
  /** 0-based line. */
  line: number;
  message: string;
  severity: DiagnosticSeverityName;
  /** Set when "remove this line" fixes it. */
  removable?: boolean;
  /** Columns of the word or target on the line (the whole line when absent). */
  start?: number;
  end?: number;
  /** What kind of finding it is (the diagnostic's code in the editor). */
  code?: string;
  /** Quick fixes, as text edits on the diagnostic's line. */
  fixes?: TextFix[];
}

/** One quick fix: replace columns [start, end) of `line` with `newText`, or delete the whole line. */
export interface TextFix {
  title: string;
  line: number;
  start: number;
  end: number;
  newText: string;
  deleteLine?: boolean;
}

/** The parsers prefix warnings with `source:line: `; with an empty source that is `:line: `. */
const warningPattern = /^:(\d+): (.*)$/s;

function fromWarnings(warnings: readonly string[]): TextDiagnostic[] {
  return warnings.flatMap((w) => {
    const m = warningPattern.exec(w);
    return m ? [{ line: Number(m[1]) - 1, message: m[2], severity: 'warning' as const, removable: /same sentence as line/.test(m[2]) }] : [];
  });
}

export function diagnoseText(text: string, kind: 'words' | 'sentences'): TextDiagnostic[] {
  try {
    if (kind === 'words') return fromWarnings(parseWordList(text, '').warnings);
    const set = parseSentenceSet(text, '');
    // Marked and unmarked sentences in one set stop the job unless a --target is given (core/models/positions.ts).
    const mixed = set.sentences.some((s) => s.target !== null);
    const noTarget = set.sentences.filter((s) => s.target === null).map((s) => ({
      line: s.line - 1,
      message: mixed
        ? 'No {target} marker while other sentences are marked: mark the word to read in {braces}, as in the other sentences.'
        : 'No {target} marker: the job reads the last token. Mark the word to read in {braces}.',
      severity: mixed ? 'warning' as const : 'information' as const,
    }));
    return [...fromWarnings(set.warnings), ...noTarget];
  } catch (err) {
    if (!(err instanceof MechLensError)) throw err;
    return [{ line: Math.max(0, (err.line ?? 1) - 1), message: err.message, severity: 'error', removable: /^Duplicate word/.test(err.message) }];
  }
}
