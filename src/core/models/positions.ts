// Which token position each input is read at: the token under a `{target}` marker, the first match
// of a target string such as " him" in the token sequence, or the last real token. Also the
// notebook's check that every word of a template is one token, with a warning naming the pieces.
import { MechLensError, throwIfCancelled } from '../errors';
import type { RunControl } from '../run-control';
import type { Gpt2Tokenizer } from './tokenizer';

/** A sentence-set `Sentence` fits this shape as it is. */
export interface PositionInput {
  text: string;
  /** The marked word, when the text had a `{...}` marker. */
  target?: string | null;
  /** UTF-16 offset of the marked word in `text`. */
  targetStart?: number | null;
  /** 1-based line in `source`, named in errors. */
  line?: number;
  source?: string;
  /**
   * Token ids to run as they are, instead of tokenizing `text` (which then only names the input): no
   * BOS is added and the last token is read. The heads job's repeated random tokens come this way.
   */
  ids?: readonly number[];
}

/** Which token of a target that splits into several to read. */
export type PiecePolicy = 'last-piece' | 'first-piece';

export interface PositionedInput {
  text: string;
  /** The tokens of `text` as the model reads them: encode()'s, after the BOS token where the tokenizer adds one. */
  ids: number[];
  /** Token index read. */
  position: number;
  /** Token indices the target spans (just `position` for 'last'). */
  targetSpan: [number, number];
  how: 'marker' | 'search' | 'last';
}

export interface ResolveOptions extends RunControl {
  /** Strings searched in order when an input has no marker, e.g. [" him", " her"]. */
  targets?: readonly string[];
  /** When `targets` are given but none is in an input: throw naming the input (default), or read its last token. */
  fallback?: 'last' | 'error';
  piece?: PiecePolicy;
  /** Warn about targets that span several tokens (default true; checkSingleTokens already warned for templates). */
  warnPieces?: boolean;
  /**
   * Put a BOS token before every text even where the tokenizer adds none (GPT-2, Pythia): what
   * TransformerLens's prepend_bos does, with the tokenizer's BOS, else its <|endoftext|> (eos) token.
   */
  prependBos?: boolean;
}

export interface ResolvedPositions {
  inputs: PositionedInput[];
  /** Targets that span several tokens, one line each, naming the input and the pieces. */
  warnings: string[];
}

export function resolvePositions(tokenizer: Gpt2Tokenizer, inputs: ReadonlyArray<string | PositionInput>, options: ResolveOptions = {}): ResolvedPositions {
  const piece = options.piece ?? 'last-piece';
  const warnings: string[] = [];
  const targetIds = (options.targets ?? []).map((t) => ({ target: t, variants: searchVariants(tokenizer, t) }));
  if (!targetIds.length) requireMarkersEverywhereOrNowhere(inputs);
  const resolved = inputs.map((raw, i): PositionedInput => {
    // Tokenizing is synchronous: a large input set would hold a cancel back until the end without this.
    if (i % TOKENIZE_CHECK_EVERY === 0) {
      throwIfCancelled(options.signal);
      options.onProgress?.({ message: `Tokenizing input ${i + 1} of ${inputs.length}` });
    }
    const input: PositionInput = typeof raw === 'string' ? { text: raw } : raw;
    const where = describe(input, i);
    // MechLensError prefixes source:line itself; name the input in the message only when it has no source.
    const subject = input.source ? 'The sentence' : where;
    if (input.ids) {
      if (input.ids.length === 0) throw new MechLensError('bad-argument', `${subject} has no tokens`, { input: input.source, line: input.line, fix: 'Give at least one token id.' });
      const last = input.ids.length - 1;
      return { text: input.text, ids: [...input.ids], position: last, targetSpan: [last, last], how: 'last' };
    }
    const { ids, starts, ends } = withBos(tokenizer, tokenizer.encodeWithOffsets(input.text), subject, input, options.prependBos ?? false);
    let span: [number, number] | undefined;
    let how: PositionedInput['how'] = 'last';
    if (input.target && input.targetStart !== undefined && input.targetStart !== null) {
      span = spanOfChars(starts, ends, input.targetStart, input.targetStart + input.target.length);
      how = 'marker';
    } else if (targetIds.length) {
      for (const { variants } of targetIds) {
        for (const variant of variants) {
          const at = findSubsequence(ids, variant);
          if (at >= 0) { span = [at, at + variant.length - 1]; break; }
        }
        if (span) break;
      }
      how = 'search';
      if (!span && options.fallback !== 'last') {
        const shown = targetIds.map(({ target, variants }) => `${JSON.stringify(target)} (${variants.map((v) => v.map((id) => tokenizer.displayToken(id)).join('|')).join(' or ')})`).join(', ');
        throw new MechLensError('bad-argument', `${subject} "${input.text}" does not contain the target ${shown} as tokens`, {
          input: input.source, line: input.line, fix: 'Mark the target in the sentence as {word}, or give a --target that occurs in every sentence (mind the leading space: " him").',
        });
      }
      if (!span) how = 'last';
    }
    span ??= [ids.length - 1, ids.length - 1];
    if (span[1] > span[0] && how !== 'last' && options.warnPieces !== false) {
      const pieces = ids.slice(span[0], span[1] + 1).map((id) => tokenizer.displayToken(id)).join('|');
      warnings.push(`${where}: the target is ${span[1] - span[0] + 1} tokens (${pieces}); reading its ${piece === 'last-piece' ? 'last' : 'first'} piece.`);
    }
    const position = piece === 'last-piece' ? span[1] : span[0];
    return { text: input.text, ids, position, targetSpan: span, how };
  });
  return { inputs: resolved, warnings };
}

const isMarked = (raw: string | PositionInput) => typeof raw !== 'string' && !!raw.target && raw.targetStart !== undefined && raw.targetStart !== null;

/**
 * A set where some inputs mark their {target} and others do not is a mistake, not a request to read the
 * unmarked ones at their last token (which happened silently before): the first unmarked input is an error
 * that names its line. A set with no marker at all is read at the last token, as documented, and a
 * --target makes the unmarked inputs searched for it.
 */
function requireMarkersEverywhereOrNowhere(inputs: ReadonlyArray<string | PositionInput>): void {
  const marked = inputs.reduce((n, raw) => n + (isMarked(raw) ? 1 : 0), 0);
  if (marked === 0 || marked === inputs.length) return;
  const index = inputs.findIndex((raw) => !isMarked(raw));
  const raw = inputs[index];
  const input: PositionInput = typeof raw === 'string' ? { text: raw } : raw;
  const unmarked = inputs.length - marked;
  const subject = input.source ? 'This sentence' : `${describe(input, index)} "${input.text}"`;
  throw new MechLensError('bad-argument', `${subject} has no {target} marker, but ${marked} of the ${inputs.length} ${input.source ? 'sentences' : 'inputs'} are marked${unmarked > 1 ? ` (${unmarked} are not)` : ''}`, {
    input: input.source, line: input.line,
    fix: 'Mark the word to read as {word} in every sentence, or give --target STR (e.g. " him") to search the unmarked ones for it.',
  });
}

/**
 * The text's tokens as the model sees them: after the BOS token when the tokenizer's post-processor
 * adds one (a zero-width token at offset 0, so no character maps to it).
 */
function withBos(tokenizer: Gpt2Tokenizer, encoded: { ids: number[]; starts: number[]; ends: number[] }, subject: string, input: PositionInput, prependBos: boolean) {
  if (encoded.ids.length === 0) {
    throw new MechLensError('bad-argument', `${subject} is empty: it has no tokens`, { input: input.source, line: input.line, fix: 'Remove the empty line.' });
  }
  const bos = bosTokenFor(tokenizer, prependBos);
  if (bos === undefined) return encoded;
  return { ids: [bos, ...encoded.ids], starts: [0, ...encoded.starts], ends: [0, ...encoded.ends] };
}

/** The token every text starts with: the tokenizer's BOS, else with prependBos its eos (<|endoftext|>), else none. */
export function bosTokenFor(tokenizer: Gpt2Tokenizer, prependBos: boolean): number | undefined {
  return tokenizer.bosTokenId ?? (prependBos ? tokenizer.eosTokenId : undefined);
}

/** Inputs between cancel checks and progress lines while tokenizing (a few ms of BPE at most). */
const TOKENIZE_CHECK_EVERY = 256;

function describe(input: PositionInput, index: number): string {
  if (input.source && input.line) return `${input.source}:${input.line}`;
  if (input.line) return `Line ${input.line}`;
  return `Input ${index + 1}`;
}

/** The target as given, and with a leading space if it has none (" him" is how GPT-2 sees "him" mid-sentence). */
function searchVariants(tokenizer: Gpt2Tokenizer, target: string): number[][] {
  if (!target) throw new MechLensError('bad-argument', 'An empty target string', { fix: 'Give the target word, e.g. --target " him".' });
  const variants = [tokenizer.encode(target)];
  if (!/^\s/.test(target)) variants.push(tokenizer.encode(` ${target}`));
  return variants;
}

function findSubsequence(haystack: readonly number[], needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Tokens overlapping the characters [from, to). */
function spanOfChars(starts: readonly number[], ends: readonly number[], from: number, to: number): [number, number] {
  let first = -1;
  let last = -1;
  for (let t = 0; t < starts.length; t++) {
    if (starts[t] < to && ends[t] > from) {
      if (first < 0) first = t;
      last = t;
    }
  }
  if (first < 0) {
    // A marker past the end cannot come from the parser; read the last token rather than crash.
    return [starts.length - 1, starts.length - 1];
  }
  return [first, last];
}

export interface WordTokenCheck {
  word: string;
  /** The sentence the template makes for this word. */
  text: string;
  /** UTF-16 offset of the word in `text`. */
  wordStart: number;
  /** Token ids covering the word in context (a leading space belongs to the word's first token). */
  ids: number[];
  /** Those tokens as displayed: ['␣grape', 'fruit']. */
  pieces: string[];
  single: boolean;
}

export interface TemplateCheck {
  checks: WordTokenCheck[];
  /** The words kept under the policy, in input order. */
  kept: string[];
  /** Inputs for resolvePositions: one per kept word, marker on the word. */
  inputs: PositionInput[];
  /** One line per word that is not a single token. */
  warnings: string[];
}

export const WORD_PLACEHOLDER = '{word}';

/**
 * Fills `template` (containing `{word}`) with every word and checks that the word is one token in
 * that context. Under 'drop' such words are left out; under 'last-piece' they are kept and read at
 * their last piece. Either way each gets a warning that names it and its pieces.
 */
export function checkSingleTokens(tokenizer: Gpt2Tokenizer, template: string, words: readonly string[], policy: 'last-piece' | 'drop' = 'last-piece'): TemplateCheck {
  const at = template.indexOf(WORD_PLACEHOLDER);
  if (at < 0 || template.indexOf(WORD_PLACEHOLDER, at + 1) >= 0) {
    throw new MechLensError('bad-argument', `The template "${template}" must contain ${WORD_PLACEHOLDER} exactly once`, {
      input: 'template', fix: 'Write it like: The next word is {word}',
    });
  }
  const before = template.slice(0, at);
  const after = template.slice(at + WORD_PLACEHOLDER.length);
  const checks: WordTokenCheck[] = [];
  const kept: string[] = [];
  const inputs: PositionInput[] = [];
  const warnings: string[] = [];
  for (const word of words) {
    const text = before + word + after;
    const { ids, starts, ends } = tokenizer.encodeWithOffsets(text);
    const [first, last] = spanOfChars(starts, ends, at, at + word.length);
    const wordIds = ids.slice(first, last + 1);
    const pieces = wordIds.map((id) => tokenizer.displayToken(id));
    // A token that also holds characters outside the word (e.g. "is" merged with it) is not the word alone.
    const clean = starts[first] >= at - 1 && ends[last] <= at + word.length && text.slice(starts[first], at).trim() === '';
    const single = wordIds.length === 1 && clean;
    checks.push({ word, text, wordStart: at, ids: wordIds, pieces, single });
    if (!single) {
      const how = policy === 'drop' ? 'dropped' : `using its last piece "${pieces[pieces.length - 1]}"`;
      warnings.push(`"${word}" is not a single token in "${template}": ${pieces.join('|')}; ${how}.`);
      if (policy === 'drop') continue;
    }
    kept.push(word);
    inputs.push({ text, target: word, targetStart: at, source: 'template' });
  }
  return { checks, kept, inputs, warnings };
}
