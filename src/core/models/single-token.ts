// A word as one token of a model, read with a leading space (" Paris"), as the logit views (lens, attribution) take
// their target and contrast; anything else is an error that names the pieces. No model code here,
// so the extension host checks words as they are typed without loading onnxruntime.
import type { AttributionToken } from '../../protocol/result';
import { MechLensError } from '../errors';
import type { Gpt2Tokenizer } from './tokenizer';

/**
 * The token a word is with a leading space (" Paris"), or an error that names its pieces. `what`
 * names the option in the message (target, contrast).
 */
export function singleToken(tokenizer: Gpt2Tokenizer, word: string, what: string): AttributionToken {
  const bare = word.trim();
  if (!bare) throw new MechLensError('bad-argument', `the ${what} word is empty`, { input: what, fix: `Give the ${what} as one word, e.g. Paris.` });
  const ids = tokenizer.encode(` ${bare}`);
  if (ids.length !== 1) {
    const pieces = ids.map((id) => tokenizer.displayToken(id)).join('|');
    throw new MechLensError('bad-argument', `the ${what} "${bare}" is not one token with a leading space: it is ${ids.length} tokens (${pieces})`, {
      input: what, fix: `Choose a ${what} word that is one token, e.g. the first piece "${tokenizer.displayToken(ids[0]).replace(/^␣/, '')}".`,
    });
  }
  return { id: ids[0], token: tokenizer.displayToken(ids[0]) };
}
