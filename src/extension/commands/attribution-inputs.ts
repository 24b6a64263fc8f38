// What Logit Attribution reads from the user, without vscode (so it is tested under plain Node):
// the texts of a file or selection, and the check of a target or contrast word as it is typed.
import { singleToken } from '../../core/models/single-token';
import type { Gpt2Tokenizer } from '../../core/models/tokenizer';

/**
 * The texts of a file or selection: one per non-empty line, `# comments` and `[group]` headers left
 * out, `{target}` braces removed (the word stays). The lens view reads texts the same way; the two
 * readers become one shared module when the views merge.
 */
export function readAttributionTexts(content: string): string[] {
  return content.split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !/^\[[^\]]*\]$/.test(line))
    .map((line) => line.replace(/[{}]/g, ''));
}

/** An input-box check: undefined when the word is one token with a leading space (or cannot be checked yet), else why not. */
export function wordProblem(tokenizer: Gpt2Tokenizer | undefined, word: string, what: 'target' | 'contrast', optional: boolean): string | undefined {
  if (!word.trim()) return optional ? undefined : `Enter the ${what} word, e.g. Paris`;
  if (/\s/.test(word.trim())) return `The ${what} is one word, without spaces inside`;
  if (!tokenizer) return undefined;
  try {
    singleToken(tokenizer, word, what);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
