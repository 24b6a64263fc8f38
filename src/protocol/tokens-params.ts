// Job 2's panel controls: what the token panel may ask the extension to run again with, and the
// allowed ranges. The webview's number fields and the host's check read this one table, so a value
// the panel offers is never refused and a hostile message cannot ask for a huge run.

export interface TokensRerunParams {
  job: 'tokens';
  method: 'tsne' | 'pca';
  perplexity: number;
  /** null: the job's default (7, the notebook's, on a t-SNE map; chosen from the spacing on a PCA map). */
  eps: number | null;
  minSamples: number;
  /** The first N token ids; null keeps the run's token list. */
  first: number | null;
}

interface TokensLimit { min: number; max: number; integer: boolean; exclusiveMin: boolean; step: number }

export const tokensRerunLimits = Object.freeze({
  perplexity: { min: 1, max: 100, integer: false, exclusiveMin: false, step: 1 },
  eps: { min: 0, max: 1e6, integer: false, exclusiveMin: true, step: 0.5 },
  minSamples: { min: 1, max: 1000, integer: true, exclusiveMin: false, step: 1 },
  // Larger than any GPT-2 vocabulary (50,257); the job maps min(N, vocabulary).
  first: { min: 1, max: 1_000_000, integer: true, exclusiveMin: false, step: 100 },
} satisfies Record<string, TokensLimit>);

/** Why `value` is not allowed for `field`, or undefined when it is. */
export function tokensLimitProblem(field: keyof typeof tokensRerunLimits, value: unknown): string | undefined {
  const l: TokensLimit = tokensRerunLimits[field];
  const ok = typeof value === 'number' && Number.isFinite(value) && (!l.integer || Number.isInteger(value)) &&
    (l.exclusiveMin ? value > l.min : value >= l.min) && value <= l.max;
  if (ok) return undefined;
  return `${l.integer ? 'a whole number' : 'a number'} ${l.exclusiveMin ? 'above' : 'from'} ${l.min} ${l.exclusiveMin ? 'up ' : ''}to ${l.max.toLocaleString('en-US')}`;
}
