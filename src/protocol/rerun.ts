// Re-running a job from its own panel: the parameters each job lets the panel change, their allowed
// ranges (the webview's controls and the host's checks read the same table), and what the host
// answers. The webview sends panelRequests.rerun (protocol/messages.ts); the host checks the params
// (they are untrusted), runs the job again behind a cancellable progress, posts the new `result` to
// the same panel, and then replies with a RerunOutcome. panelRequests.cancelRerun stops a running one.

import type { LeadingSpace } from './result';
import type { LensRerunParams } from './lens';

/** Job 1: what the notebook hard-codes (permutations, t-SNE perplexity, DBSCAN eps/min_samples). */
export interface CompareRerunParams {
  job: 'compare';
  permutations: number;
  /** null: the job's automatic choice (min(30, (n − 1) / 3)). */
  perplexity: number | null;
  /** null: chosen from the map's k-distances. */
  eps: number | null;
  minSamples: number;
  /** k-means on each map as well; null: none (the notebook runs DBSCAN only). */
  k: number | null;
}

/** Job 4: layer, prompt template and RSA permutations. */
export interface AttentionRerunParams {
  job: 'attention';
  layer: number;
  template: string;
  permutations: number;
}

/** Job 5: hook, test, alpha, correction, the map and clustering options, and the label shuffles. */
export interface ContrastRerunParams {
  job: 'contrast';
  hook: string;
  test: 'student' | 'welch';
  correction: 'bonferroni' | 'fdr';
  alpha: number;
  perplexity: number;
  eps: number;
  minSamples: number;
  k: number;
  shuffles: number;
}

/** Job sae: how many features each token lists. */
export interface SaeRerunParams {
  job: 'sae';
  top: number;
}

/** Job 3: word length L, count K and the leading-space form of the vocabulary match. */
export interface MatchRerunParams {
  job: 'match';
  length: number;
  count: number;
  leadingSpace: LeadingSpace;
}

/** Logit attribution: the target and contrast words (contrast '' for none); the texts stay. */
export interface AttributionRerunParams {
  job: 'attribution';
  target: string;
  contrast: string;
}

export const leadingSpaceChoices: readonly LeadingSpace[] = Object.freeze(['with', 'without', 'either']);

/** The heads job's built-in probe: N random tokens repeated twice, and the seed that draws them. */
export interface HeadsRerunParams {
  job: 'heads';
  repeatTokens: number;
  seed: number;
}

/** Every job's re-run parameters; a panel for another job adds its interface here. */
export type RerunParams = CompareRerunParams | AttentionRerunParams | ContrastRerunParams | MatchRerunParams | HeadsRerunParams | SaeRerunParams | AttributionRerunParams | LensRerunParams;

/** What the host replies to `rerun` once the run has ended (an error comes as `ok: false`). */
export interface RerunOutcome {
  status: 'done' | 'cancelled';
}

export interface NumberLimit {
  min: number;
  max: number;
  /** The minimum itself is not allowed (eps > 0). */
  exclusiveMin?: boolean;
  integer?: boolean;
  step: number;
}

/**
 * Allowed ranges of the numeric parameters. Wide enough for any real study, narrow enough that a
 * bad or hostile message cannot ask for a day of permutations. Layers are bounded by the model.
 */
export const rerunLimits = Object.freeze({
  permutations: { min: 0, max: 100_000, integer: true, step: 100 },
  perplexity: { min: 1, max: 100, step: 1 },
  eps: { min: 0, max: 1e6, exclusiveMin: true, step: 0.1 },
  minSamples: { min: 1, max: 1000, integer: true, step: 1 },
  k: { min: 1, max: 100, integer: true, step: 1 },
  alpha: { min: 0, max: 0.5, exclusiveMin: true, step: 0.01 },
  shuffles: { min: 0, max: 10_000, integer: true, step: 50 },
  layer: { min: 0, max: 200, integer: true, step: 1 },
  /** Job 3's L (characters per word) and K (words to find). */
  length: { min: 1, max: 64, integer: true, step: 1 },
  count: { min: 1, max: 10_000, integer: true, step: 10 },
  /** The heads probe's N: random tokens before they repeat. */
  repeatTokens: { min: 2, max: 1000, integer: true, step: 10 },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true, step: 1 },
  /** Job sae's features listed per token. */
  top: { min: 1, max: 100, integer: true, step: 1 },
} satisfies Record<string, NumberLimit>);

/** Longest template or hook name the host accepts. */
export const maxRerunTextLength = 500;
