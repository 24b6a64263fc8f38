// The JSON Results every job returns. The CLI writes them, the panel renders them, and
// `*.mechlens.json` files store them. Field names are part of the CLI contract in
// shared/design.md: rename nothing, only add.

import type { LensResult } from './lens';

export const SCHEMA_VERSION = 1;

/** A dense row-major matrix as JSON: rows of numbers, so `np.array(result.a.similarity)` just works. */
export type MatrixJson = number[][];

import { RANDOM_WEIGHTS_NOTE, type RandomWeightsMark, type RunInfo, type SourceCopy, type SourceInfo } from './run-info';

export { RANDOM_WEIGHTS_NOTE };
export type { RandomWeightsMark, RunInfo, SourceCopy, SourceInfo };

/** How a lookup warning about the lower-case fallback ends, so a panel that lists those words itself can leave it out. */
export const LOWERCASE_FALLBACK_NOTE = '(the lower-case fallback).';

export interface Selectivity {
  /** Mean within-category similarity / mean between-category similarity; null when undefined. */
  index: number | null;
  /** Mean over categories of each category's mean within similarity (upper triangle, no diagonal). */
  within: number | null;
  /** Mean over category pairs of each pair's mean between similarity. */
  between: number | null;
  /** Per category mean within similarity (null for a one-word category). */
  perCategory: { category: string; within: number | null; n: number }[];
  /** Why the index is null, when it is. */
  reason?: string;
  /** The index is null because the between mean is ≈ 0 next to the similarities' scale (show the two means). */
  betweenNearZero?: boolean;
  /** Caveats that leave the index defined, e.g. a one-word category left out of the within mean. */
  warnings?: string[];
}

export interface RsaStats {
  pearson: number;
  spearman: number;
  /** S_c = Σxy / √(Σx² Σy²) over the two upper triangles. */
  cosine: number;
  /** Permutation p-value for Pearson r, (count(|r_perm| >= |r|) + 1) / (n + 1). */
  pValue: number | null;
  permutations: number;
  /** Number of pairs (upper-triangle entries) compared. */
  n: number;
}

interface ClusterSummary {
  label: number;
  members: string[];
  centroid: number[];
}

export interface EmbeddingMap {
  method: 'tsne' | 'pca' | 'umap';
  /** N × 2 coordinates, in item order. */
  coords: MatrixJson;
  /** Cluster label per item, -1 for noise. */
  labels: number[];
  clusters: ClusterSummary[];
  /** KL divergence at the end (t-SNE only). */
  kl?: number;
  options: Record<string, unknown>;
  /** k-means (k-means++, seeded) on the same map, when a k was asked for in the panel. */
  kmeans?: { k: number; labels: number[]; inertia: number; clusters: ClusterSummary[] };
}

export interface SpaceResult {
  source: SourceInfo;
  similarity: MatrixJson;
  selectivity: Selectivity;
  /** Words found only after lower-casing. */
  lowercased: string[];
  /** Words this source does not have. */
  missing: string[];
  /** Words whose vector is all zeros (cosine undefined; shown as 0 with a warning). */
  zeroVectors: string[];
  /** The item vectors (items × dims), for the vector line plot and exports. */
  vectors: MatrixJson;
  map?: EmbeddingMap;
}

export interface CompareResult {
  schemaVersion: number;
  job: 'compare';
  title: string;
  /** Words analysed: in both sources, in word-list order. */
  items: string[];
  /** Category of each item (null: before the first [category]). */
  itemCategories: (string | null)[];
  /** Category names in first-seen order. */
  categories: string[];
  /** Words dropped because at least one source lacks them. */
  missing: string[];
  /** Settings changed from what was asked, by name (absent: every setting ran as asked): a k-means k above the words. */
  adjusted?: Partial<Record<'perplexity' | 'k', Adjustment>>;
  a: SpaceResult;
  b: SpaceResult;
  rsa: RsaStats;
  rsaByCategory: ({ category: string } & RsaStats)[];
  warnings: string[];
  /** Present when a model in the run has random weights; the panel shows RANDOM_WEIGHTS_NOTE as a banner. */
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { words: string; template?: string; seed: number };
}

export interface NeuronCluster {
  label: number;
  /** Neuron indices (columns of `activations`). */
  neurons: number[];
  meanT: number;
  meanAbsT: number;
}

/** Job 5: two sentence groups contrasted neuron by neuron at one hook. */
/**
 * A setting the job could not use as asked and changed (a perplexity above what the points allow, a k
 * above the number of points): the Run settings box shows it next to the field, and the card that
 * used the setting shows the value it ran with.
 */
export interface Adjustment { asked: number; used: number; why: string }

export interface ContrastResult {
  schemaVersion: number;
  job: 'contrast';
  title: string;
  /** Settings changed from what was asked, by name (absent: every setting ran as asked). */
  adjusted?: Partial<Record<'perplexity' | 'k', Adjustment>>;
  model: SourceInfo;
  hook: string;
  /** Layer of the hook, when it has one (for Neuroscope links). */
  layer: number | null;
  provider: string;
  /** The two group names, A first: t > 0 means A's mean is higher. */
  groups: [string, string];
  /** One entry per row of `activations`: the sentence and the token read. */
  sentences: { text: string; group: number; position: number; token: string; line: number }[];
  /** Tokens of each sentence, as displayed (leading space as ␣). */
  tokens: string[][];
  /** Whether every sentence started with the BOS token the tokenizer adds (Llama 3, Gemma); tokens and positions count it. */
  bosAdded?: boolean;
  /** Sentences × neurons at the target token. */
  activations: MatrixJson;
  test: 'student' | 'welch';
  correction: 'bonferroni' | 'fdr';
  alpha: number;
  /** Per neuron. */
  t: number[];
  p: number[];
  pAdjusted: number[];
  df: number[];
  cohenD: number[];
  meanA: number[];
  meanB: number[];
  /** Indices of the neurons significant after correction, in neuron order. */
  significant: number[];
  /** The p threshold the correction implies (Bonferroni alpha/m; for FDR the largest p accepted). */
  threshold: number;
  zeroVariance: number[];
  /** Significant count under shuffled group labels vs the real count. */
  labelShuffle: { shuffles: number; observed: number; counts: number[]; meanShuffled: number; pValue: number };
  /** t-SNE of the significant neurons (points) over sentences (features): one row per `significant` entry. */
  coords: MatrixJson;
  /** DBSCAN label of each significant neuron (-1 noise). */
  labels: number[];
  clusters: NeuronCluster[];
  kmeans: { k: number; labels: number[]; inertia: number; clusters: NeuronCluster[] } | null;
  /** Significant neurons sorted by DBSCAN cluster, then by t: the order of the two matrices below. */
  clusterOrder: number[];
  /** Gram and cosine matrices of the significant neurons' activation profiles, in clusterOrder. */
  gram: MatrixJson;
  cosine: MatrixJson;
  /** Base of per-neuron pages (`${neuroscope}/${layer}/${neuron}.html`) for GPT-2 family models. */
  neuroscope: string | null;
  /** Set when the units are an SAE's features (column i is feature i), read at `hook`. */
  sae?: SaeInfo;
  warnings: string[];
  /** Present when a model in the run has random weights; the panel shows RANDOM_WEIGHTS_NOTE as a banner. */
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { sentences: string; model: string; hook: string; targets: string[]; seed: number; sae?: string };
}

/** One representation of the words at one layer (Q, K, V, MLP or residual stream). */
export interface AttentionSpace {
  hook: string;
  similarity: MatrixJson;
  selectivity: Selectivity;
  /** Histogram of the off-diagonal similarities (numpy.histogram semantics). */
  histogram: { edges: number[]; counts: number[] };
}

/**
 * Job 4 with an SAE: each word's feature vector (every feature, read at the SAE's hook at the word's
 * token, with the SAE's prepend_bos), its cosine similarities, and RSA of those with Q's and K's.
 */
export interface AttentionSae {
  info: SaeInfo;
  /** The hook the features were read at (the SAE's own). */
  hook: string;
  /** The features' cosine similarity matrix over the words, its selectivity and histogram. */
  space: AttentionSpace;
  /** RSA of the features' similarities with Q's and with K's at `layer` (permutation p as for Q–K); null where undefined. */
  rsaQ: RsaStats | null;
  rsaK: RsaStats | null;
  /** Mean number of active features per word. */
  meanL0: number;
  /** Words on which no feature fires: no direction, so their cosines are 0 in `space.similarity`. */
  silent: string[];
  /** Whether a BOS was put before the prompts because the SAE's prepend_bos asked for one. */
  bosFromSae: boolean;
  /** Per head: Pearson r of the features' similarities with head h's Q slice and with the K slice it reads. */
  heads: { head: number; rsaQ: number | null; rsaK: number | null }[];
}

/** Job 4: Q/K (and V) of the last token of a prompt template, compared with RSA. */
export interface AttentionResult {
  schemaVersion: number;
  job: 'attention';
  title: string;
  model: SourceInfo;
  provider: string;
  template: string;
  layer: number;
  items: string[];
  itemCategories: (string | null)[];
  categories: string[];
  /** Words left out (not a single token under the 'drop' policy), with their pieces. */
  missing: string[];
  pieces: { word: string; pieces: string[] }[];
  q: AttentionSpace;
  k: AttentionSpace;
  v: AttentionSpace;
  rsa: RsaStats;
  rsaByCategory: ({ category: string } & RsaStats)[];
  /**
   * RSA Q vs K and selectivity of Q and K within each head's d_head slice. Under grouped-query
   * attention K comes per kv head: query head `head` is compared with kv head `kvHead` (= head / groups).
   */
  heads: { head: number; kvHead?: number; rsa: number | null; selectivityQ: number | null; selectivityK: number | null }[];
  /** Grouped-query attention (null or absent without): kv heads, query heads per kv head, and what per-head RSA means there. */
  kvHeads?: { nKvHead: number; groups: number; note: string } | null;
  /** Whether every prompt started with the BOS token the tokenizer adds (Llama 3, Gemma). */
  bosAdded?: boolean;
  /**
   * The same statistics at every layer, from one forward pass hooking all of them (when swept). With
   * an SAE, `sae` is the Pearson r of the features' similarities with Q's, K's and the residual stream's at that layer.
   */
  sweep: {
    layer: number; rsaQK: number | null; selectivity: { q: number | null; k: number | null; v: number | null; mlp: number | null; resid: number | null };
    sae?: { q: number | null; k: number | null; resid: number | null };
  }[] | null;
  /** The words' SAE features as one more representation, compared with Q and K (`--sae`); absent without. */
  sae?: AttentionSae;
  warnings: string[];
  /** Present when a model in the run has random weights; the panel shows RANDOM_WEIGHTS_NOTE as a banner. */
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { words: string; model: string; template: string; layer: number; seed: number; sae?: string };
}

/** A DBSCAN group of tokens on the 2-D map. */
export interface TokenCluster {
  label: number;
  /** Rows of `tokens` in the group, in token order. */
  indices: number[];
  /** Display strings of the members (leading space as ␣). */
  members: string[];
  tokenIds: number[];
  /** Mean position of the members on the map: where the panel draws centroid lines from. */
  centroid: number[];
}

/** Job 2: a model's token-embedding matrix, its Gram matrix and a 2-D map with DBSCAN groups. */
export interface TokensResult {
  schemaVersion: number;
  job: 'tokens';
  title: string;
  model: SourceInfo;
  /** How the tokens were chosen. */
  selection: { kind: 'first'; first: number } | { kind: 'list'; path: string | null; leadingSpace: LeadingSpace };
  /** One entry per row, in row order. */
  tokenIds: number[];
  /** Decoded tokens as displayed, leading space as ␣ (`␣the`): tick labels. */
  tokens: string[];
  /** Words of the token list that are not one token, with their pieces. */
  missing: { word: string; pieces: string[] }[];
  dims: number;
  /** Up to this many tokens the result carries `embeddings` and `gram`. */
  matrixCap: number;
  /** Tokens × dims rows of wte; null above matrixCap. */
  embeddings: MatrixJson | null;
  /** E·Eᵀ (tokens × tokens); null above matrixCap. */
  gram: MatrixJson | null;
  /** Euclidean norm of each row (the Gram diagonal's square root), present at any size. */
  norms: number[];
  method: 'tsne' | 'pca';
  /** Tokens × 2 map coordinates. */
  coords: MatrixJson;
  /** DBSCAN label per token, −1 for ungrouped. */
  labels: number[];
  clusters: TokenCluster[];
  ungrouped: { indices: number[]; tokens: string[]; tokenIds: number[] };
  /** What made the map: t-SNE's perplexity/iterations/KL or PCA's explained variance, and DBSCAN's eps/minSamples. */
  map: {
    method: 'tsne' | 'pca';
    seed: number;
    eps: number;
    minSamples: number;
    perplexity?: number;
    iterations?: number;
    kl?: number;
    explainedVarianceRatio?: number[];
    /** Which PCA solver ran, in scikit-learn's words (its svd_solver='auto' policy picks it). */
    pcaSolver?: 'full' | 'randomized';
    /** sklearn's trustworthiness of the map (k = 5, euclidean on the rows); absent above 2,000 tokens. */
    trustworthiness?: number;
  };
  warnings: string[];
  /** Present when a model in the run has random weights; the panel shows RANDOM_WEIGHTS_NOTE as a banner. */
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { model: string; first: number | null; tokens: string | null; leadingSpace: LeadingSpace; seed: number };
}

/** Whether a word is looked up as a token with a leading space (` word`, mid-sentence), without, or either (with first). */
export type LeadingSpace = 'with' | 'without' | 'either';

/** One word found in both vocabularies. */
export interface VocabularyMatch {
  word: string;
  /** 0-based row of the word in A's file (word2vec order is frequency order). */
  indexA: number;
  /** Token id in B's tokenizer. */
  tokenIdB: number;
  /** The token as displayed (`␣planet`). */
  token: string;
  /** Which form was the single token. */
  form: 'with' | 'without';
}

/** Job 3: the first K words of length L in A's order that are single tokens in B, then job 1 on them. */
export interface MatchResult {
  schemaVersion: number;
  job: 'match';
  title: string;
  a: SourceInfo;
  b: SourceInfo;
  length: number;
  count: number;
  leadingSpace: LeadingSpace;
  matches: VocabularyMatch[];
  /** Rows of A read before K matches were found (all of A when `complete`). */
  scanned: number;
  /** True when A was read to its end (fewer than K matches, or the K-th was the last row). */
  complete: boolean;
  /** Job 1 on the matches; null when skipped or when fewer than 3 words matched. */
  compare: CompareResult | null;
  /** compare.rsa, repeated at the top level for scripts. */
  rsa: RsaStats | null;
  warnings: string[];
  /** Present when a model in the run has random weights; the panel shows RANDOM_WEIGHTS_NOTE as a banner. */
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { a: string; b: string; length: number; count: number; leadingSpace: LeadingSpace; seed: number };
}

/** A head detector's score per (layer, head): rows are layers, columns heads. */
export interface HeadScores {
  /** Attention on the previous token, k = q − 1. */
  previousToken: number[][];
  /** Attention on earlier copies of the query's own token, k < q with tok[k] = tok[q]. */
  duplicateToken: number[][];
  /** Attention on the token after an earlier copy of the query's token, 1 ≤ k < q with tok[k−1] = tok[q]. */
  induction: number[][];
}

export type HeadDetector = keyof HeadScores;

/** One input of the heads job: its tokens as the model read them and its own scores. */
export interface HeadsText {
  /** The text as given; for the probe, its tokens decoded. */
  text: string;
  tokens: { id: number; token: string }[];
  scores: HeadScores;
}

/**
 * Attention patterns and head detectors: every layer's blocks.L.attn.hook_pattern for each text, and
 * score = (1/T) Σ_q Σ_k A[q,k]·D[q,k] per (layer, head), averaged over the texts.
 */
export interface HeadsResult {
  schemaVersion: number;
  job: 'heads';
  title: string;
  model: SourceInfo;
  provider: string;
  nLayer: number;
  nHead: number;
  /** Mean over the texts of each text's scores. */
  scores: HeadScores;
  texts: HeadsText[];
  /** patterns[text][layer][head][q][k], zero above the diagonal (and outside a sliding window); present when asked for. */
  patterns?: number[][][][][];
  /**
   * The built-in probe when it was the input: N random ordinary tokens (no special or added token),
   * uniform with replacement from the seeded generator, repeated twice, after the BOS token when `bos`.
   */
  probe: { kind: 'repeat-random'; tokens: number; seed: number; bos: { id: number; token: string } | null } | null;
  /** Whether every text starts with the BOS token the tokenizer adds (Llama 3, Gemma). */
  bosAdded: boolean;
  warnings: string[];
  /** Present when a model in the run has random weights; the panel shows RANDOM_WEIGHTS_NOTE as a banner. */
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { model: string; texts: string | null; repeatRandom: number | null; seed: number };
}

/** One token of the attribution, as the CLI contract writes it: its id and how it reads (`␣Paris`). */
export interface AttributionToken {
  id: number;
  token: string;
}

/** A component's direct effect on the logit (difference): `embed`, `pos_embed`, `blocks.L.attn`, `blocks.L.mlp`. */
export interface AttributionComponent {
  name: string;
  value: number;
}

/** A logit as the model computes it: before the final softcap (what is attributed) and after it (what the model outputs). */
export interface AttributionLogit {
  id: number;
  /** Recomputed in float64 from the final residual: final norm, then the unembedding row. */
  preSoftcap: number;
  /** cap · tanh(pre / cap); equal to preSoftcap without a softcap. */
  postSoftcap: number;
  /** The model's own output logit (float32 graph, after any softcap). */
  model: number;
}

/** The direct logit attribution of one text at its last position. */
export interface TextAttribution {
  text: string;
  /** Tokens as displayed (`␣the`), BOS included where the tokenizer adds one. */
  tokens: string[];
  tokenIds: number[];
  /** Index of the token read (the last). */
  position: number;
  /** Logit of the target minus the contrast's (or the target's logit), before any softcap. */
  logitDiff: number;
  /** β·u plus the unembedding-bias difference: what no component carries. */
  constant: number;
  /** In forward order: embed, pos_embed (learned positions only), then blocks.L.attn and blocks.L.mlp per layer. */
  components: AttributionComponent[];
  /** Σ components + constant: equals logitDiff (the check the panel shows). */
  sum: number;
  /** heads[L][H]: each head's own output (z_h · W_O[h], no bias) attributed the same way. */
  heads: number[][];
  /** Per layer, the attention output bias's share, so Σ heads[L] + attnBias[L] = blocks.L.attn. */
  attnBias: number[];
  /** The final norm's scale at this position (ln_final.hook_scale). */
  scale: number;
  logits: { target: AttributionLogit; contrast?: AttributionLogit };
  /** The model's own logit difference (after any softcap). */
  modelLogitDiff: number;
}

export interface AttributionResult {
  schemaVersion: number;
  job: 'attribution';
  title: string;
  model: SourceInfo;
  provider: string;
  target: AttributionToken;
  contrast?: AttributionToken;
  /** The final-logit softcap (Gemma-2), or null: the attribution is to the logit before it. */
  softcap: number | null;
  /** 'layernorm' (components are centred) or 'rmsnorm' / 'rmsnorm_plus_one' (Gemma's (1 + w)). */
  norm: 'layernorm' | 'rmsnorm' | 'rmsnorm_plus_one';
  nLayer: number;
  nHead: number;
  texts: TextAttribution[];
  bosAdded: boolean;
  warnings: string[];
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { model: string; texts: string[]; target: string; contrast: string | null; source?: string };
}

/** What a panel can render. Later jobs join the union as their panels land (TokensResult and MatchResult next). */
export type Result = CompareResult | ContrastResult | AttentionResult | MatchResult | TokensResult | HeadsResult | SaeResult | AttributionResult | LensResult;
export type AnyResult = CompareResult | ContrastResult | AttentionResult | TokensResult | MatchResult | HeadsResult | SaeResult | AttributionResult | LensResult;
export type JobName = Result['job'];

export function isResult(value: unknown): value is Result {
  return typeof value === 'object' && value !== null && typeof (value as { job?: unknown }).job === 'string' &&
    typeof (value as { schemaVersion?: unknown }).schemaVersion === 'number';
}

/** An SAE as a run read it (core/models/sae). */
export interface SaeInfo {
  /** The spec as given: a folder, a params.npz, `RELEASE/SAE_ID` or `hf:OWNER/REPO/PATH`. */
  spec: string;
  label: string;
  format: 'saelens' | 'gemma-scope';
  architecture: 'standard' | 'jumprelu' | 'topk';
  k?: number;
  dIn: number;
  dSae: number;
  /** The hook the SAE says it reads (cfg.json, the Gemma Scope path or the catalog), if any. */
  hook: string | null;
  /** Stored element type of W_enc. */
  dtype: string;
  prependBos: boolean;
  applyBDecToInput: boolean;
  normalizeActivations: string;
  release?: string;
  saeId?: string;
  /** Base of the features' Neuronpedia pages (`${neuronpedia}/${feature}`), for known releases only. */
  neuronpedia: string | null;
  neuronpediaNote?: string;
  copy?: SourceCopy;
}

/** One token's SAE features: the largest active ones, largest first, and how many are active. */
interface SaePosition {
  top: { feature: number; value: number }[];
  l0: number;
}

export interface SaeText {
  text: string;
  tokens: { id: number; token: string }[];
  positions: SaePosition[];
  /** Mean of (x − x̂)² over the text's tokens (a BOS excluded) and values; null when only some features were computed. */
  mse: number | null;
  /** 1 − Σ(x − x̂)² / Σ(x − mean over positions of x)²; null for one token, or when only some features were computed. */
  varianceExplained: number | null;
}

/** A feature's activation on every token of every text (for the panel's hover and per-feature charts). */
export interface SaeFeatureProfile {
  feature: number;
  /** Per text, per token (the BOS included, as in `tokens`). */
  activations: number[][];
  /** Share of this run's tokens (a BOS excluded) where it is active. */
  density: number;
  /** Largest activation over the same tokens as `density` (a BOS excluded); profiles are ordered by it. */
  max: number;
  /** Mean over the tokens where it is active (a BOS excluded, as for `density`). */
  meanActive: number;
  /**
   * The release's own measure, when SAELens's sparsity.safetensors sits beside the weights: log10 of the
   * feature's density over the tokens the SAE was evaluated on; null for a feature that never fired there.
   */
  releaseLogDensity?: number | null;
}

/** Job `sae`: texts read through a sparse autoencoder at its hook. */
export interface SaeResult {
  schemaVersion: number;
  job: 'sae';
  title: string;
  model: SourceInfo;
  sae: SaeInfo;
  hook: string;
  dSae: number;
  /** Features listed per token. */
  top: number;
  /** The features computed when only some were asked for; null for all. */
  features: number[] | null;
  provider: string;
  /** Whether every text's first token is a BOS (the tokenizer's, or the one the SAE's prepend_bos asked for). */
  bosPrepended: boolean;
  bosFrom: 'tokenizer' | 'sae-config' | null;
  texts: SaeText[];
  /** Profiles of the features that appear in any token's top list (the strongest first, at most 256). */
  profiles: SaeFeatureProfile[];
  /** Mean L0 over the run's tokens (a BOS excluded). */
  meanL0: number;
  warnings: string[];
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  inputs: { model: string; sae: string; hook: string | null; texts: string[]; top: number; features: number[] | null };
}
