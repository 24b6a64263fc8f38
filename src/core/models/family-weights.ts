// Where each family keeps its weights: the tensor names of Hugging Face's modeling_<family>.py
// (canonical, i.e. without the base model's prefix: `transformer.`, `gpt_neox.` or `model.`),
// their shapes, and the legacy buffers old checkpoints carry that are not weights. The graph
// builder, the checkpoint checks and the random fixtures all read this one table.
import type { ModelConfig, ModelFamily } from './config';

export interface NormWeights { weight: string; bias?: string }

/** Prefixes of linear layers (`.weight`, and `.bias` where the config has one). */
export interface LayerWeights {
  ln1: NormWeights;
  ln2: NormWeights;
  /** Gemma-2's post-attention and post-MLP norms. */
  ln1Post?: NormWeights;
  ln2Post?: NormWeights;
  /** GPT-2's c_attn or NeoX's query_key_value. */
  qkv?: string;
  q?: string;
  k?: string;
  v?: string;
  o: string;
  qNorm?: string;
  kNorm?: string;
  /** Plain MLP: in and out; gated MLP: gate, up and down (out). */
  mlpIn?: string;
  gate?: string;
  up?: string;
  mlpOut: string;
}

export interface FamilyWeights {
  /** The base model's prefix that canonical names drop (`transformer.`, `gpt_neox.`, `model.`). */
  basePrefix: string;
  /** Tensors stored outside the base model (the LM head): their names are kept as they are. */
  topLevel: readonly string[];
  embed: string;
  posEmbed?: string;
  finalNorm: NormWeights;
  /** The untied LM head. */
  head: string;
  layer(l: number): LayerWeights;
  /** Buffers of old checkpoints that are not weights (causal masks, rotary caches). */
  legacyBuffer: RegExp;
  /** 'conv1d' weights are [in, out] (x @ W); 'linear' ones [out, in] (x @ Wᵀ). */
  linearLayout: 'conv1d' | 'linear';
}

const gpt2: FamilyWeights = {
  basePrefix: 'transformer.', topLevel: ['lm_head.weight'], embed: 'wte.weight', posEmbed: 'wpe.weight',
  finalNorm: { weight: 'ln_f.weight', bias: 'ln_f.bias' }, head: 'lm_head.weight',
  layer: (l) => {
    const p = `h.${l}.`;
    return {
      ln1: { weight: `${p}ln_1.weight`, bias: `${p}ln_1.bias` }, ln2: { weight: `${p}ln_2.weight`, bias: `${p}ln_2.bias` },
      qkv: `${p}attn.c_attn`, o: `${p}attn.c_proj`, mlpIn: `${p}mlp.c_fc`, mlpOut: `${p}mlp.c_proj`,
    };
  },
  legacyBuffer: /^h\.\d+\.attn\.(bias|masked_bias)$/,
  linearLayout: 'conv1d',
};

const neox: FamilyWeights = {
  basePrefix: 'gpt_neox.', topLevel: ['embed_out.weight'], embed: 'embed_in.weight',
  finalNorm: { weight: 'final_layer_norm.weight', bias: 'final_layer_norm.bias' }, head: 'embed_out.weight',
  layer: (l) => {
    const p = `layers.${l}.`;
    return {
      ln1: { weight: `${p}input_layernorm.weight`, bias: `${p}input_layernorm.bias` },
      ln2: { weight: `${p}post_attention_layernorm.weight`, bias: `${p}post_attention_layernorm.bias` },
      qkv: `${p}attention.query_key_value`, o: `${p}attention.dense`, mlpIn: `${p}mlp.dense_h_to_4h`, mlpOut: `${p}mlp.dense_4h_to_h`,
    };
  },
  legacyBuffer: /^layers\.\d+\.attention\.(bias|masked_bias|rotary_emb\.inv_freq)$/,
  linearLayout: 'linear',
};

function llamaLike(gemma: boolean, qkNorm: boolean): FamilyWeights {
  return {
    basePrefix: 'model.', topLevel: ['lm_head.weight'], embed: 'embed_tokens.weight',
    finalNorm: { weight: 'norm.weight' }, head: 'lm_head.weight',
    layer: (l) => {
      const p = `layers.${l}.`;
      return {
        ln1: { weight: `${p}input_layernorm.weight` },
        ln2: { weight: `${p}${gemma ? 'pre_feedforward_layernorm' : 'post_attention_layernorm'}.weight` },
        ...(gemma ? { ln1Post: { weight: `${p}post_attention_layernorm.weight` }, ln2Post: { weight: `${p}post_feedforward_layernorm.weight` } } : {}),
        q: `${p}self_attn.q_proj`, k: `${p}self_attn.k_proj`, v: `${p}self_attn.v_proj`, o: `${p}self_attn.o_proj`,
        ...(qkNorm ? { qNorm: `${p}self_attn.q_norm.weight`, kNorm: `${p}self_attn.k_norm.weight` } : {}),
        gate: `${p}mlp.gate_proj`, up: `${p}mlp.up_proj`, mlpOut: `${p}mlp.down_proj`,
      };
    },
    legacyBuffer: /^layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/,
    linearLayout: 'linear',
  };
}

const FAMILIES: Readonly<Record<ModelFamily, FamilyWeights>> = Object.freeze({
  gpt2, gpt_neox: neox, llama: llamaLike(false, false), qwen2: llamaLike(false, false), qwen3: llamaLike(false, true), gemma2: llamaLike(true, false), gemma3: llamaLike(true, true),
});

export function familyWeights(family: ModelFamily): FamilyWeights {
  return FAMILIES[family];
}

/** The canonical name of a stored tensor: without the family's base prefix. */
export function canonicalName(family: ModelFamily, stored: string): string {
  const prefix = FAMILIES[family].basePrefix;
  return stored.startsWith(prefix) ? stored.slice(prefix.length) : stored;
}

/** The name save_pretrained gives a canonical tensor of the causal-LM class. */
export function storedName(family: ModelFamily, canonical: string): string {
  const f = FAMILIES[family];
  return f.topLevel.includes(canonical) ? canonical : f.basePrefix + canonical;
}

/**
 * Every tensor of the base model with this config, with its shape (Conv1D weights [in, out],
 * Linear weights [out, in]). The untied LM head is not listed: checkpoint.ts resolves it.
 */
export function tensorShapes(config: ModelConfig): Map<string, number[]> {
  const f = FAMILIES[config.modelType];
  const d = config.nEmbd;
  const shapes = new Map<string, number[]>([[f.embed, [config.vocabSize, d]]]);
  if (f.posEmbed) shapes.set(f.posEmbed, [config.nPositions, d]);
  const norm = (n: NormWeights | undefined, width: number) => {
    if (!n) return;
    shapes.set(n.weight, [width]);
    if (n.bias) shapes.set(n.bias, [width]);
  };
  const linear = (prefix: string | undefined, nIn: number, nOut: number, bias: boolean) => {
    if (!prefix) return;
    shapes.set(`${prefix}.weight`, f.linearLayout === 'conv1d' ? [nIn, nOut] : [nOut, nIn]);
    if (bias) shapes.set(`${prefix}.bias`, [nOut]);
  };
  const qWidth = config.nHead * config.dHead;
  const kvWidth = config.nKvHead * config.dHead;
  for (let l = 0; l < config.nLayer; l++) {
    const w = f.layer(l);
    norm(w.ln1, d);
    linear(w.qkv, d, qWidth + 2 * kvWidth, config.qkvBias);
    linear(w.q, d, qWidth, config.qkvBias);
    linear(w.k, d, kvWidth, config.qkvBias);
    linear(w.v, d, kvWidth, config.qkvBias);
    if (w.qNorm) shapes.set(w.qNorm, [config.dHead]);
    if (w.kNorm) shapes.set(w.kNorm, [config.dHead]);
    linear(w.o, qWidth, d, config.attnOutBias);
    norm(w.ln1Post, d);
    norm(w.ln2, d);
    linear(w.mlpIn, d, config.nInner, config.mlpBias);
    linear(w.gate, d, config.nInner, config.mlpBias);
    linear(w.up, d, config.nInner, config.mlpBias);
    linear(w.mlpOut, config.nInner, d, config.mlpBias);
    norm(w.ln2Post, d);
  }
  norm(f.finalNorm, d);
  return shapes;
}
