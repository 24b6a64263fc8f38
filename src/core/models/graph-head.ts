// The model's own head as ONNX nodes, shared by the decoder graph (its logits) and the logit lens
// (every block's residual stream through the same head): the norm exactly as the family computes
// it (LayerNorm, RMSNorm, Gemma's (1 + w) RMSNorm) and the unembedding with Gemma-2's final softcap.
// No supported family has an unembedding bias (GPT-2's lm_head, NeoX's embed_out, Llama/Qwen/Gemma's
// lm_head are all bias-free), so the head is one Gemm.
import type { ModelConfig } from './config';
import type { NormWeights } from './family-weights';
import type { GraphBuilder } from './onnx-graph';

/** Hook tensor names for a norm's scale and its normalized stream (TransformerLens's LayerNormPre / RMSNormPre). */
export interface NormHooks { scale?: string; normalized?: string }

/**
 * The family's norm of `x` over its last axis; `w` declares a weight by name and returns its
 * tensor. With hooks, the scale and the normalized stream (before the weight) are named tensors.
 */
export function normNodes(g: GraphBuilder, c: ModelConfig, x: string, weights: NormWeights, w: (name: string) => string, hooks: NormHooks = {}): string {
  const eps = { float: c.layerNormEpsilon };
  if (c.norm === 'layernorm' && !hooks.scale && !hooks.normalized) {
    return g.op1('LayerNormalization', [x, w(weights.weight), ...(weights.bias ? [w(weights.bias)] : [])], { axis: -1, epsilon: eps });
  }
  const centered = c.norm === 'layernorm' ? g.op1('Sub', [x, g.op1('ReduceMean', [x], { axes: [-1], keepdims: 1 })]) : x;
  const meanSquare = g.op1('ReduceMean', [g.op1('Mul', [centered, centered])], { axes: [-1], keepdims: 1 });
  const scale = g.op1('Sqrt', [g.op1('Add', [meanSquare, g.constFloat([c.layerNormEpsilon], [], 'norm_eps')])], {}, hooks.scale);
  const normalized = g.op1('Div', [centered, scale], {}, hooks.normalized);
  const gain = c.norm === 'rmsnorm_plus_one' ? g.op1('Add', [w(weights.weight), g.constFloat([1], [], 'one')]) : w(weights.weight);
  const scaled = g.op1('Mul', [normalized, gain]);
  return weights.bias ? g.op1('Add', [scaled, w(weights.bias)]) : scaled;
}

/**
 * [rows, d] normalized stream -> [rows, vocab] logits: x · headᵀ (Gemm with transB reads the [V, d]
 * head, or the tied embedding, without a transposed copy), then the final softcap where the config
 * has one (Gemma-2: tanh(logits / cap) · cap).
 */
export function unembedNodes(g: GraphBuilder, c: ModelConfig, flat: string, head: string): string {
  const logits = g.op1('Gemm', [flat, head], { transB: 1 });
  if (c.finalSoftcap === null) return logits;
  const cap = g.constFloat([c.finalSoftcap], [], 'final_softcap');
  return g.op1('Mul', [g.op1('Tanh', [g.op1('Div', [logits, cap])]), cap]);
}
