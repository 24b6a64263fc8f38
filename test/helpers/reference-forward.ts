// An independent, deliberately plain GPT-2 forward pass in Float64 loops, written apart from the
// ONNX graph. It is the correctness oracle for the graph (tests only): one sequence at a time, no
// padding, no batching, every hook returned. Slow by design; use it on tiny models.
import type { Gpt2Config } from '../../src/core/models/config';

/** Reads a weight by canonical name (no `transformer.` prefix) as float32 values. */
export type WeightReader = (name: string) => Float32Array;

export interface ReferenceTensor {
  /** Row-major values; shape [T, ...per-position shape], or [H, T, T] for attention patterns. */
  data: Float64Array;
  dims: number[];
}

/**
 * Runs `tokenIds` through the model and returns every hook point named in hooks.ts, keyed by its
 * TransformerLens name. Attention scores at masked (future) keys are -Infinity, as in TransformerLens.
 */
export function referenceForward(config: Gpt2Config, readWeight: WeightReader, tokenIds: readonly number[], lmHead: 'tied' | 'separate' = 'tied'): Record<string, ReferenceTensor> {
  const T = tokenIds.length;
  const D = config.nEmbd;
  const H = config.nHead;
  const dh = D / H;
  const F = config.nInner;
  const V = config.vocabSize;
  const out: Record<string, ReferenceTensor> = {};
  const save = (name: string, data: Float64Array, dims: number[]) => { out[name] = { data: Float64Array.from(data), dims }; };

  const wte = readWeight('wte.weight');
  const wpe = readWeight('wpe.weight');
  const embed = new Float64Array(T * D);
  const pos = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < D; i++) {
      embed[t * D + i] = wte[tokenIds[t] * D + i];
      pos[t * D + i] = wpe[t * D + i];
    }
  }
  save('hook_embed', embed, [T, D]);
  save('hook_pos_embed', pos, [T, D]);
  let resid = new Float64Array(T * D);
  for (let i = 0; i < T * D; i++) resid[i] = embed[i] + pos[i];

  for (let l = 0; l < config.nLayer; l++) {
    const p = `h.${l}.`;
    const b = `blocks.${l}.`;
    save(`${b}hook_resid_pre`, resid, [T, D]);

    const ln1 = layerNorm(resid, T, D, readWeight(`${p}ln_1.weight`), readWeight(`${p}ln_1.bias`), config.layerNormEpsilon);
    const qkv = linear(ln1, T, D, 3 * D, readWeight(`${p}attn.c_attn.weight`), readWeight(`${p}attn.c_attn.bias`));
    const q = new Float64Array(T * D);
    const k = new Float64Array(T * D);
    const v = new Float64Array(T * D);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < D; i++) {
        q[t * D + i] = qkv[t * 3 * D + i];
        k[t * D + i] = qkv[t * 3 * D + D + i];
        v[t * D + i] = qkv[t * 3 * D + 2 * D + i];
      }
    }
    save(`${b}attn.hook_qkv`, qkv, [T, 3 * D]);
    save(`${b}attn.hook_q`, q, [T, D]);
    save(`${b}attn.hook_k`, k, [T, D]);
    save(`${b}attn.hook_v`, v, [T, D]);

    let divisor = 1;
    if (config.scaleAttnWeights) divisor *= Math.sqrt(dh);
    if (config.scaleAttnByInverseLayerIdx) divisor *= l + 1;
    const scores = new Float64Array(H * T * T);
    const pattern = new Float64Array(H * T * T);
    const z = new Float64Array(T * D);
    for (let h = 0; h < H; h++) {
      for (let qi = 0; qi < T; qi++) {
        const row = (h * T + qi) * T;
        let max = -Infinity;
        for (let ki = 0; ki < T; ki++) {
          if (ki > qi) { scores[row + ki] = -Infinity; continue; }
          let dot = 0;
          for (let d = 0; d < dh; d++) dot += q[qi * D + h * dh + d] * k[ki * D + h * dh + d];
          scores[row + ki] = dot / divisor;
          max = Math.max(max, scores[row + ki]);
        }
        let sum = 0;
        for (let ki = 0; ki <= qi; ki++) sum += Math.exp(scores[row + ki] - max);
        for (let ki = 0; ki < T; ki++) pattern[row + ki] = ki <= qi ? Math.exp(scores[row + ki] - max) / sum : 0;
        for (let d = 0; d < dh; d++) {
          let acc = 0;
          for (let ki = 0; ki <= qi; ki++) acc += pattern[row + ki] * v[ki * D + h * dh + d];
          z[qi * D + h * dh + d] = acc;
        }
      }
    }
    save(`${b}attn.hook_attn_scores`, scores, [H, T, T]);
    save(`${b}attn.hook_pattern`, pattern, [H, T, T]);
    save(`${b}attn.hook_z`, z, [T, D]);
    const attnOut = linear(z, T, D, D, readWeight(`${p}attn.c_proj.weight`), readWeight(`${p}attn.c_proj.bias`));
    save(`${b}hook_attn_out`, attnOut, [T, D]);
    const mid = new Float64Array(T * D);
    for (let i = 0; i < T * D; i++) mid[i] = resid[i] + attnOut[i];
    save(`${b}hook_resid_mid`, mid, [T, D]);

    const ln2 = layerNorm(mid, T, D, readWeight(`${p}ln_2.weight`), readWeight(`${p}ln_2.bias`), config.layerNormEpsilon);
    const pre = linear(ln2, T, D, F, readWeight(`${p}mlp.c_fc.weight`), readWeight(`${p}mlp.c_fc.bias`));
    const post = pre.map((x) => act(x, config.activation));
    save(`${b}mlp.hook_pre`, pre, [T, F]);
    save(`${b}mlp.hook_post`, post, [T, F]);
    const mlpOut = linear(post, T, F, D, readWeight(`${p}mlp.c_proj.weight`), readWeight(`${p}mlp.c_proj.bias`));
    save(`${b}hook_mlp_out`, mlpOut, [T, D]);
    resid = new Float64Array(T * D);
    for (let i = 0; i < T * D; i++) resid[i] = mid[i] + mlpOut[i];
    save(`${b}hook_resid_post`, resid, [T, D]);
  }

  const ones = new Float32Array(D).fill(1);
  const normalized = layerNorm(resid, T, D, ones, new Float32Array(D), config.layerNormEpsilon);
  save('ln_final.hook_normalized', normalized, [T, D]);
  const gamma = readWeight('ln_f.weight');
  const beta = readWeight('ln_f.bias');
  const head = lmHead === 'separate' ? readWeight('lm_head.weight') : wte;
  const logits = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    const x = new Float64Array(D);
    for (let i = 0; i < D; i++) x[i] = normalized[t * D + i] * gamma[i] + beta[i];
    for (let vocab = 0; vocab < V; vocab++) {
      let dot = 0;
      for (let i = 0; i < D; i++) dot += x[i] * head[vocab * D + i];
      logits[t * V + vocab] = dot;
    }
  }
  save('logits', logits, [T, V]);
  return out;
}

function layerNorm(x: Float64Array, T: number, D: number, gamma: Float32Array, beta: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let i = 0; i < D; i++) mean += x[t * D + i];
    mean /= D;
    let variance = 0;
    for (let i = 0; i < D; i++) variance += (x[t * D + i] - mean) ** 2;
    variance /= D; // biased, as torch.nn.LayerNorm
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < D; i++) y[t * D + i] = (x[t * D + i] - mean) * inv * gamma[i] + beta[i];
  }
  return y;
}

/** Hugging Face Conv1D: y = x @ W + b with W stored [in, out]. */
function linear(x: Float64Array, T: number, nIn: number, nOut: number, w: Float32Array, bias: Float32Array): Float64Array {
  const y = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let acc = bias[o];
      for (let i = 0; i < nIn; i++) acc += x[t * nIn + i] * w[i * nOut + o];
      y[t * nOut + o] = acc;
    }
  }
  return y;
}

function act(x: number, kind: Gpt2Config['activation']): number {
  switch (kind) {
    case 'relu':
      return Math.max(0, x);
    case 'gelu':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    default:
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  }
}

/** erf to ~1e-13 by its Maclaurin series for |x| < 3, and the complementary continued fraction beyond. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let frac = ax;
  for (let n = 40; n >= 1; n--) frac = ax + n / 2 / frac;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}
