// The logit lens's Result (issue #16): every block's hook_resid_post read through the model's own
// final norm and unembedding, softmaxed. `texts[].tokens` and `texts[].layers[].positions[]` are the
// CLI contract's shape (`mechlens lens … --json OUT`); the other fields are additions.
import type { RandomWeightsMark, RunInfo, SourceInfo } from './run-info';

interface LensToken {
  id: number;
  /** The token's text as decoded (leading space kept: " Paris"). */
  token: string;
}

interface LensTopToken extends LensToken {
  prob: number;
}

interface LensTargetAt {
  id: number;
  prob: number;
  /** 1 for the most likely token: 1 + the number of tokens with a larger logit. */
  rank: number;
}

interface LensPosition {
  /** The k most likely tokens, most likely first. */
  top: LensTopToken[];
  /** Present when the run has a target token. */
  target?: LensTargetAt;
}

export interface LensLayer {
  /** `blocks.L.hook_resid_post`. */
  hook: string;
  /** One per token of the text. */
  positions: LensPosition[];
}

export interface LensText {
  text: string;
  /** The model's input tokens, BOS included where the tokenizer adds one. */
  tokens: LensToken[];
  /** One per block, in order; a streaming run fills them layer by layer. */
  layers: LensLayer[];
  /** Per position: the first layer where the target is the top-1 token (null: at no layer). Only with a target. */
  firstTop1?: (number | null)[];
}

/** The target word as read: with a leading space, one token. */
export interface LensTargetToken extends LensToken {
  word: string;
}

export interface LensResult {
  schemaVersion: number;
  job: 'lens';
  title: string;
  model: SourceInfo;
  provider: string;
  /** Blocks of the model (one lens layer each). */
  nLayer: number;
  topK: number;
  target: LensTargetToken | null;
  /** Whether every text starts with the BOS token the tokenizer adds (Llama 3, Gemma). */
  bosAdded: boolean;
  /** Gemma-2's final logit softcap, applied before the softmax as the model does; null for the others. */
  finalSoftcap: number | null;
  texts: LensText[];
  /** Work done: tokens through the model and rows through the lens head, with the lens head's time (GFLOP/s in the log). */
  stats: { tokens: number; lensRows: number; lensMs: number; forwardMs: number };
  warnings: string[];
  randomWeights?: RandomWeightsMark;
  run: RunInfo;
  /** `texts`: the file the texts were read from, "selection", or null for texts given one by one. */
  inputs: { model: string; texts: string | null; target: string | null; topK: number };
}

/** The panel's "Run again": another target word or k. */
export interface LensRerunParams {
  job: 'lens';
  /** Empty: no target. */
  target: string;
  topK: number;
}

/** Most and fewest top tokens a run may keep per cell. */
export const lensTopKLimit = Object.freeze({ min: 1, max: 50, integer: true, step: 1 });

export const LENS_DEFAULT_TOP_K = 10;
