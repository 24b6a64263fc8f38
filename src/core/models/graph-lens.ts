// The logit lens as one ONNX graph: rows of residual stream (any blocks' hook_resid_post, stacked
// [layers · positions, d]) through the model's own head (graph-head.ts: final norm, unembedding,
// final softcap), the softmax, and per row the top k tokens and, for a target token, its
// probability and rank. Everything over the vocabulary stays inside onnxruntime: the GEMM, the
// softmax, TopK and the rank count; only k + 2 numbers per row come back.
import type { ModelConfig } from './config';
import { familyWeights } from './family-weights';
import { normNodes, unembedNodes } from './graph-head';
import { GraphBuilder, type Weight } from './onnx-graph';

/** [rows, d] float: the residual streams to read. */
export const LENS_RESID = 'resid';
/** [1] int64: the target token id (graphs built with `target`). */
export const LENS_TARGET = 'target_id';
/** [rows, k] float: the k largest probabilities per row, largest first. */
export const LENS_TOP_PROBS = 'top_probs';
/** [rows, k] float: their token ids (exact as float32 below 2^24, far above any vocabulary). */
export const LENS_TOP_IDS = 'top_ids';
/** [rows, 1] float: the target's probability. */
export const LENS_TARGET_PROB = 'target_prob';
/** [rows, 1] float: 1 + the number of tokens whose logit is larger than the target's. */
export const LENS_TARGET_RANK = 'target_rank';

export interface LensGraphSpec {
  config: ModelConfig;
  weight: (name: string) => Weight;
  lmHead: 'tied' | 'separate';
  topK: number;
  /** Also compute the target's probability and rank (fed as LENS_TARGET). */
  target: boolean;
}

export function buildLensGraph(spec: LensGraphSpec): { bytes: Uint8Array; outputs: string[] } {
  const { config: c } = spec;
  const family = familyWeights(c.modelType);
  const g = new GraphBuilder();
  const w = (name: string) => g.weight(name, () => spec.weight(name));
  const resid = g.input(LENS_RESID, 'float32', ['rows', c.nEmbd]);
  const normalized = normNodes(g, c, resid, family.finalNorm, w);
  const logits = unembedNodes(g, c, normalized, w(spec.lmHead === 'separate' ? family.head : family.embed));
  const probs = g.op1('Softmax', [logits], { axis: -1 });
  const k = Math.min(spec.topK, c.vocabSize);
  const [, indices] = g.op('TopK', [probs, g.constInt64([k])], { axis: -1, largest: 1, sorted: 1 }, [LENS_TOP_PROBS, g.fresh('top_indices')]);
  g.op1('Cast', [indices], { to: 1 }, LENS_TOP_IDS);
  const outputs = [LENS_TOP_PROBS, LENS_TOP_IDS];
  g.output(LENS_TOP_PROBS, 'float32', ['rows', k]);
  g.output(LENS_TOP_IDS, 'float32', ['rows', k]);
  if (spec.target) {
    const target = g.input(LENS_TARGET, 'int64', [1]);
    g.op1('Gather', [probs, target], { axis: 1 }, LENS_TARGET_PROB);
    // Ranked by logit, not probability: exp can round two close logits to one probability.
    const targetLogit = g.op1('Gather', [logits, target], { axis: 1 });
    const above = g.op1('ReduceSum', [g.op1('Cast', [g.op1('Greater', [logits, targetLogit])], { to: 1 }), g.constInt64([1])], { keepdims: 1 });
    g.op1('Add', [above, g.constFloat([1], [], 'one')], {}, LENS_TARGET_RANK);
    g.output(LENS_TARGET_PROB, 'float32', ['rows', 1]);
    g.output(LENS_TARGET_RANK, 'float32', ['rows', 1]);
    outputs.push(LENS_TARGET_PROB, LENS_TARGET_RANK);
  }
  return { bytes: g.encode(`${c.modelType}_logit_lens`), outputs };
}
