// The check of Logit Attribution's target or contrast word as it is typed, without vscode (so it is
// tested under plain Node); the texts come from text-input.ts.
import { singleToken } from '../../core/models/single-token';
import type { Gpt2Tokenizer } from '../../core/models/tokenizer';

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
