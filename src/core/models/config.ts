// config.json of a decoder-only checkpoint, read as Hugging Face's configuration classes read it,
// normalised to one ModelConfig that the graph builder, the hook table and the checkpoint checks
// share. Each family (GPT-2, GPT-NeoX/Pythia, Llama/SmolLM2, Qwen2/2.5, Qwen3, Gemma-2) is one
// parser filling the same fields; anything else is refused here, before a single weight is read,
// with a message that says what was found and what is supported.
import { MechLensError } from '../errors';
import { ropeInverseFrequencies, type RopeSpec } from './rope';

export type ModelFamily = 'gpt2' | 'gpt_neox' | 'llama' | 'qwen2' | 'qwen3' | 'gemma2' | 'gemma3';

export const SUPPORTED_MODEL_TYPES: readonly ModelFamily[] = Object.freeze(['gpt2', 'gpt_neox', 'llama', 'qwen2', 'qwen3', 'gemma2', 'gemma3'] as ModelFamily[]);
/** config.json model_type values that name a family differently (Gemma 3's text-only model). */
const MODEL_TYPE_ALIASES: Readonly<Record<string, ModelFamily>> = Object.freeze({ gemma3_text: 'gemma3' });
/** Hugging Face classes whose weights are a GPT2Model (+ optional head we do not use). */
export const SUPPORTED_ARCHITECTURES: readonly string[] = Object.freeze([
  'GPT2LMHeadModel', 'GPT2Model', 'GPT2DoubleHeadsModel', 'GPT2ForSequenceClassification', 'GPT2ForTokenClassification',
]);
/** The causal-LM classes of the other families, by model_type. */
export const FAMILY_ARCHITECTURES: Readonly<Record<ModelFamily, readonly string[]>> = Object.freeze({
  gpt2: SUPPORTED_ARCHITECTURES,
  gpt_neox: ['GPTNeoXForCausalLM', 'GPTNeoXModel'],
  llama: ['LlamaForCausalLM', 'LlamaModel'],
  qwen2: ['Qwen2ForCausalLM', 'Qwen2Model'],
  qwen3: ['Qwen3ForCausalLM', 'Qwen3Model'],
  gemma2: ['Gemma2ForCausalLM', 'Gemma2Model'],
  gemma3: ['Gemma3ForCausalLM', 'Gemma3TextModel'],
});
/**
 * `activation_function` / `hidden_act` values: gelu_new, gelu_pytorch_tanh and gelu_fast are the
 * tanh form; gelu is erf; silu is x·sigmoid(x).
 */
export const SUPPORTED_ACTIVATIONS = Object.freeze(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'gelu', 'relu', 'silu'] as const);
export type Activation = (typeof SUPPORTED_ACTIVATIONS)[number];
/** @deprecated the activations of every family; kept for callers of the GPT-2-only parser. */
export type Gpt2Activation = Activation;

export interface ModelConfig {
  modelType: ModelFamily;
  architecture: string;
  nLayer: number;
  nHead: number;
  /** Key/value heads: nHead without grouped-query attention. */
  nKvHead: number;
  /** Residual stream width (hidden_size). */
  nEmbd: number;
  /** Per-head width: nEmbd / nHead, or config `head_dim` where the family has one (Qwen3, Gemma). */
  dHead: number;
  nPositions: number;
  /** MLP width: `n_inner` (or 4 * nEmbd) for GPT-2, `intermediate_size` elsewhere. */
  nInner: number;
  vocabSize: number;
  /** The norms' epsilon (layer_norm_epsilon, layer_norm_eps or rms_norm_eps). */
  layerNormEpsilon: number;
  activation: Activation;
  bosTokenId: number;
  eosTokenId: number;
  /** GPT-2: divide attention scores by sqrt(dHead) (true in every released GPT-2). */
  scaleAttnWeights: boolean;
  /** GPT-2: also divide by (layer index + 1); false in every released GPT-2. */
  scaleAttnByInverseLayerIdx: boolean;
  /** 'layernorm' (x-mean)/std·w+b; 'rmsnorm' x/rms·w; 'rmsnorm_plus_one' x/rms·(1+w) (Gemma). */
  norm: 'layernorm' | 'rmsnorm' | 'rmsnorm_plus_one';
  /** Learned position embeddings (GPT-2) or rotary embeddings in the attention. */
  positions: 'learned' | 'rotary';
  /** Rotary: the per-layer inverse frequencies (dims/2 each; only the first 2·length dims of a head rotate). */
  rope: readonly RopeSpec[];
  /** How q, k and v come out of the checkpoint: GPT-2's Conv1D c_attn, NeoX's per-head fused query_key_value, or separate projections. */
  qkvLayout: 'conv1d' | 'neox' | 'separate';
  qkvBias: boolean;
  attnOutBias: boolean;
  mlpBias: boolean;
  /** 'plain': act(x·W_in)·W_out; 'gated': (act(x·W_gate) ⊙ x·W_up)·W_down. */
  mlp: 'plain' | 'gated';
  /** GPT-NeoX's x + attn(ln1(x)) + mlp(ln2(x)): no resid_mid. */
  parallelResidual: boolean;
  /** Gemma-2's norms after attention and after the MLP, inside the residual branch. */
  postNorms: boolean;
  /** Qwen3's and Gemma-3's per-head RMSNorm on q and k before RoPE. */
  qkNorm: boolean;
  /** Embeddings are multiplied by this (Gemma: sqrt(hidden_size)). */
  embedScale: number;
  /** Multiplier of q·k (1/sqrt(d_head), or Gemma's query_pre_attn_scalar^-0.5). */
  attnScale: number;
  /** Gemma-2: scores = cap·tanh(scores / cap) before the mask. */
  attnSoftcap: number | null;
  /** Gemma-2: logits = cap·tanh(logits / cap). */
  finalSoftcap: number | null;
  /** Per layer: a key is seen only if query position - key position < window (null: full causal). */
  slidingWindow: readonly (number | null)[];
  /** The LM head is the embedding matrix (tie_word_embeddings). */
  tieWordEmbeddings: boolean;
}

/** @deprecated every family shares ModelConfig now. */
export type Gpt2Config = ModelConfig;

type Json = Record<string, unknown>;

/** `json` is the parsed config.json; `source` (its path) is named in every error. */
export function parseModelConfig(json: unknown, source: string): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MechLensError('format', 'config.json is not a JSON object', { input: source, fix: 'Download the checkpoint again.' });
  }
  const c = json as Json;
  const family = familyOf(c, source);
  const read = reader(c, source);
  switch (family) {
    case 'gpt2': return parseGpt2(c, read);
    case 'gpt_neox': return parseNeox(c, read);
    default: return parseLlamaLike(family, c, read);
  }
}

/** Kept for callers that predate the other families: parses any supported family. */
export const parseGpt2Config = parseModelConfig;

function familyOf(c: Json, source: string): ModelFamily {
  const modelType = c.model_type;
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  const byArchitecture = SUPPORTED_MODEL_TYPES.find((f) => architectures.some((a) => FAMILY_ARCHITECTURES[f].includes(a)));
  const family = modelType === undefined ? byArchitecture : MODEL_TYPE_ALIASES[String(modelType)] ?? SUPPORTED_MODEL_TYPES.find((f) => f === modelType);
  const architecturesOk = family !== undefined && (architectures.length === 0 || architectures.some((a) => FAMILY_ARCHITECTURES[family].includes(a)));
  if (family && architecturesOk) return family;
  const found = [modelType !== undefined ? `model_type "${String(modelType)}"` : 'no model_type', architectures.length ? `architectures ${architectures.join(', ')}` : ''].filter(Boolean).join(' and ');
  const supported = SUPPORTED_MODEL_TYPES.map((f) => `${f} (${FAMILY_ARCHITECTURES[f].join(', ')})`).join(', ');
  throw new MechLensError('unsupported', `Unsupported architecture: found ${found}; MechLens supports model_type ${supported}: GPT-2, Pythia, Llama 3.x, SmolLM2, Qwen2/2.5, Qwen3, Gemma-2, Gemma-3 (text, as gemma3_text) and fine-tunes of them`, {
    input: source, fix: 'Pick a model of a supported family, or export your model to ONNX and open the .onnx file to hook its tensors by name.',
  });
}

interface Reader {
  int: (key: string, fallbackKey?: string, fallback?: number) => number;
  positive: (key: string, fallback: number) => number;
  activation: (key: string, fallback: Activation) => Activation;
  tokenId: (key: string, fallback: number) => number;
  optionalNumber: (key: string) => number | null;
}

function reader(c: Json, source: string): Reader {
  const int = (key: string, fallbackKey?: string, fallback?: number): number => {
    const value = c[key] ?? (fallbackKey ? c[fallbackKey] : undefined) ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new MechLensError('format', `config "${key}" is ${JSON.stringify(value)}, expected a positive integer`, {
        input: source, fix: 'Fix config.json or download the checkpoint again.',
      });
    }
    return value as number;
  };
  const positive = (key: string, fallback: number): number => {
    const value = c[key] ?? fallback;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new MechLensError('format', `config ${key} is ${JSON.stringify(value)}, expected a positive number`, { input: source, fix: 'Fix config.json.' });
    }
    return value;
  };
  const activation = (key: string, fallback: Activation): Activation => {
    const value = (c[key] ?? fallback) as string;
    if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(value)) {
      throw new MechLensError('unsupported', `config ${key} "${value}" is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`, {
        input: source, fix: 'Use a checkpoint with a standard activation.',
      });
    }
    return value as Activation;
  };
  const tokenId = (key: string, fallback: number): number => {
    const v = Array.isArray(c[key]) ? (c[key] as unknown[])[0] : c[key];
    return Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fallback;
  };
  const optionalNumber = (key: string): number | null => (typeof c[key] === 'number' && (c[key] as number) > 0 ? (c[key] as number) : null);
  return { int, positive, activation, tokenId, optionalNumber };
}

/** Fields every family sets the same way unless it says otherwise. */
function base(family: ModelFamily, c: Json, architecture: string): Pick<ModelConfig, 'modelType' | 'architecture' | 'scaleAttnWeights' | 'scaleAttnByInverseLayerIdx' | 'postNorms' | 'qkNorm' | 'embedScale' | 'attnSoftcap' | 'finalSoftcap'> {
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  return {
    modelType: family,
    architecture: architectures.find((a) => FAMILY_ARCHITECTURES[family].includes(a)) ?? architecture,
    scaleAttnWeights: true, scaleAttnByInverseLayerIdx: false,
    postNorms: false, qkNorm: false, embedScale: 1, attnSoftcap: null, finalSoftcap: null,
  };
}

function checkDivisible(source: string, what: string, a: number, b: number, bName: string): void {
  if (a % b !== 0) throw new MechLensError('format', `config ${what} ${a} is not divisible by ${bName} ${b}`, { input: source, fix: 'Fix config.json.' });
}

function parseGpt2(c: Json, r: Reader): ModelConfig {
  const nLayer = r.int('n_layer', 'num_hidden_layers');
  const nHead = r.int('n_head', 'num_attention_heads');
  const nEmbd = r.int('n_embd', 'hidden_size');
  const nPositions = r.int('n_positions', 'n_ctx', 1024);
  const vocabSize = r.int('vocab_size', undefined, 50257);
  const nInner = c.n_inner === null || c.n_inner === undefined ? 4 * nEmbd : r.int('n_inner');
  if (nEmbd % nHead !== 0) throw new MechLensError('format', `config n_embd ${nEmbd} is not divisible by n_head ${nHead}`, { input: 'config.json', fix: 'Fix config.json.' });
  const dHead = nEmbd / nHead;
  const activation = r.activation('activation_function', 'gelu_new');
  const epsilon = c.layer_norm_epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0)) r.positive('layer_norm_epsilon', 1e-5);
  return {
    ...base('gpt2', c, 'GPT2LMHeadModel'),
    nLayer, nHead, nKvHead: nHead, nEmbd, dHead, nPositions, nInner, vocabSize,
    layerNormEpsilon: epsilon as number,
    activation,
    bosTokenId: r.tokenId('bos_token_id', 50256),
    eosTokenId: r.tokenId('eos_token_id', 50256),
    scaleAttnWeights: c.scale_attn_weights !== false,
    scaleAttnByInverseLayerIdx: c.scale_attn_by_inverse_layer_idx === true,
    norm: 'layernorm', positions: 'learned', rope: [], qkvLayout: 'conv1d',
    qkvBias: true, attnOutBias: true, mlpBias: true, mlp: 'plain', parallelResidual: false,
    attnScale: c.scale_attn_weights !== false ? 1 / Math.sqrt(dHead) : 1,
    slidingWindow: new Array<null>(nLayer).fill(null),
    tieWordEmbeddings: true,
  };
}

function parseNeox(c: Json, r: Reader): ModelConfig {
  const nLayer = r.int('num_hidden_layers');
  const nHead = r.int('num_attention_heads');
  const nEmbd = r.int('hidden_size');
  checkDivisible('config.json', 'hidden_size', nEmbd, nHead, 'num_attention_heads');
  const dHead = nEmbd / nHead;
  const ropeParameters = (c.rope_parameters ?? {}) as Json;
  const rotaryPct = (c.partial_rotary_factor ?? ropeParameters.partial_rotary_factor ?? c.rotary_pct ?? 0.25) as number;
  const theta = (ropeParameters.rope_theta ?? c.rope_theta ?? c.rotary_emb_base ?? 10000) as number;
  const rotaryDim = Math.floor(dHead * rotaryPct);
  const rope = ropeInverseFrequencies(rotaryDim, theta, ropeScalingOf(c));
  return {
    ...base('gpt_neox', c, 'GPTNeoXForCausalLM'),
    nLayer, nHead, nKvHead: nHead, nEmbd, dHead,
    nPositions: r.int('max_position_embeddings', undefined, 2048),
    nInner: r.int('intermediate_size', undefined, 4 * nEmbd),
    vocabSize: r.int('vocab_size'),
    layerNormEpsilon: r.positive('layer_norm_eps', 1e-5),
    activation: r.activation('hidden_act', 'gelu'),
    bosTokenId: r.tokenId('bos_token_id', 0),
    eosTokenId: r.tokenId('eos_token_id', 0),
    norm: 'layernorm', positions: 'rotary', rope: new Array<RopeSpec>(nLayer).fill(rope), qkvLayout: 'neox',
    qkvBias: c.attention_bias !== false, attnOutBias: c.attention_bias !== false, mlpBias: true, mlp: 'plain',
    parallelResidual: c.use_parallel_residual !== false,
    attnScale: 1 / Math.sqrt(dHead),
    slidingWindow: new Array<null>(nLayer).fill(null),
    tieWordEmbeddings: c.tie_word_embeddings === true,
  };
}

/** `rope_scaling` (older configs) or `rope_parameters` (newer ones) with a rope_type other than default. */
function ropeScalingOf(c: Json): Json | null {
  const scaling = (c.rope_scaling ?? c.rope_parameters ?? null) as Json | null;
  if (!scaling || typeof scaling !== 'object') return null;
  const type = scaling.rope_type ?? scaling.type;
  return type === undefined || type === 'default' ? null : scaling;
}

function parseLlamaLike(family: 'llama' | 'qwen2' | 'qwen3' | 'gemma2' | 'gemma3', c: Json, r: Reader): ModelConfig {
  const nLayer = r.int('num_hidden_layers');
  const nHead = r.int('num_attention_heads');
  const nEmbd = r.int('hidden_size');
  const nKvHead = r.int('num_key_value_heads', undefined, nHead);
  checkDivisible('config.json', 'num_attention_heads', nHead, nKvHead, 'num_key_value_heads');
  const explicitHeadDim = typeof c.head_dim === 'number' && c.head_dim > 0 ? (c.head_dim as number) : null;
  if (!explicitHeadDim) checkDivisible('config.json', 'hidden_size', nEmbd, nHead, 'num_attention_heads');
  const dHead = explicitHeadDim ?? nEmbd / nHead;
  const ropeParameters = (c.rope_parameters ?? {}) as Json;
  const theta = (ropeParameters.rope_theta ?? c.rope_theta ?? 10000) as number;
  const partial = (ropeParameters.partial_rotary_factor ?? c.partial_rotary_factor ?? 1) as number;
  const gemma = family === 'gemma2' || family === 'gemma3';
  const slidingWindow = slidingWindows(family, c, nLayer);
  const rope = family === 'gemma3' ? gemma3Rope(c, dHead, slidingWindow) : new Array<RopeSpec>(nLayer).fill(ropeInverseFrequencies(Math.floor(dHead * partial), theta, ropeScalingOf(c)));
  const attentionBias = c.attention_bias === true;
  return {
    ...base(family, c, FAMILY_ARCHITECTURES[family][0]),
    nLayer, nHead, nKvHead, nEmbd, dHead,
    nPositions: r.int('max_position_embeddings', undefined, 2048),
    nInner: r.int('intermediate_size'),
    vocabSize: r.int('vocab_size'),
    layerNormEpsilon: r.positive('rms_norm_eps', 1e-6),
    activation: r.activation(gemma && c.hidden_activation !== undefined ? 'hidden_activation' : 'hidden_act', gemma ? 'gelu_pytorch_tanh' : 'silu'),
    bosTokenId: r.tokenId('bos_token_id', 1),
    eosTokenId: r.tokenId('eos_token_id', 2),
    norm: gemma ? 'rmsnorm_plus_one' : 'rmsnorm', positions: 'rotary', rope, qkvLayout: 'separate',
    // Qwen2 always has q/k/v biases and no o_proj bias; Llama and Qwen3 follow attention_bias on all four.
    qkvBias: family === 'qwen2' ? true : attentionBias,
    attnOutBias: family === 'qwen2' ? false : attentionBias,
    mlpBias: c.mlp_bias === true,
    mlp: 'gated', parallelResidual: false,
    postNorms: gemma, qkNorm: family === 'qwen3' || family === 'gemma3',
    embedScale: gemma ? Math.sqrt(nEmbd) : 1,
    attnScale: gemma ? Math.pow(r.positive('query_pre_attn_scalar', dHead), -0.5) : Math.pow(dHead, -0.5),
    attnSoftcap: gemma ? r.optionalNumber('attn_logit_softcapping') : null,
    finalSoftcap: gemma ? r.optionalNumber('final_logit_softcapping') : null,
    slidingWindow,
    tieWordEmbeddings: c.tie_word_embeddings !== undefined ? c.tie_word_embeddings === true : gemma,
  };
}

/**
 * Which layers attend through a sliding window, as the families' configs decide it: `layer_types`
 * when given; Gemma-2 every even layer; Qwen2/3 layers from max_window_layers on when
 * use_sliding_window is set; Llama none.
 */
function slidingWindows(family: ModelFamily, c: Json, nLayer: number): (number | null)[] {
  const window = typeof c.sliding_window === 'number' && c.sliding_window > 0 ? (c.sliding_window as number) : null;
  const none = new Array<number | null>(nLayer).fill(null);
  if (family === 'llama' || window === null) return none;
  if (Array.isArray(c.layer_types) && c.layer_types.length === nLayer) {
    if (family !== 'gemma2' && family !== 'gemma3' && c.use_sliding_window !== true) return none;
    return c.layer_types.map((t) => (t === 'sliding_attention' ? window : null));
  }
  if (family === 'gemma2') return none.map((_, l) => (l % 2 === 0 ? window : null));
  if (family === 'gemma3') {
    // Gemma3TextConfig: every sliding_window_pattern-th layer (default 6) is global, the others slide.
    const pattern = typeof c.sliding_window_pattern === 'number' ? c.sliding_window_pattern : 6;
    return none.map((_, l) => ((l + 1) % pattern !== 0 ? window : null));
  }
  if (c.use_sliding_window !== true) return none;
  const from = typeof c.max_window_layers === 'number' ? c.max_window_layers : nLayer;
  return none.map((_, l) => (l >= from ? window : null));
}

/**
 * Gemma-3's two rotary embeddings: sliding layers use rope_local_base_freq without scaling, global
 * layers rope_theta with rope_scaling (transformers 5: rope_parameters keyed by layer type).
 */
function gemma3Rope(c: Json, dHead: number, slidingWindow: readonly (number | null)[]): RopeSpec[] {
  const byType = (c.rope_parameters ?? {}) as Record<string, Json | undefined>;
  const full = byType.full_attention;
  const sliding = byType.sliding_attention;
  const global = full
    ? ropeInverseFrequencies(dHead, (full.rope_theta ?? 1000000) as number, full.rope_type && full.rope_type !== 'default' ? full : null)
    : ropeInverseFrequencies(dHead, (c.rope_theta ?? 1000000) as number, ropeScalingOf({ rope_scaling: c.rope_scaling }));
  const local = ropeInverseFrequencies(dHead, (sliding?.rope_theta ?? c.rope_local_base_freq ?? 10000) as number, null);
  return slidingWindow.map((w) => (w === null ? global : local));
}

/** A config.json in Hugging Face's format for the given shape (used by the random fixtures). */
export function gpt2ConfigJson(shape: { nLayer: number; nHead: number; nEmbd: number; nPositions: number; vocabSize: number; nInner?: number }): Record<string, unknown> {
  return {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: 50256,
    embd_pdrop: 0.1,
    eos_token_id: 50256,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: shape.nPositions,
    n_embd: shape.nEmbd,
    n_head: shape.nHead,
    n_inner: shape.nInner ?? null,
    n_layer: shape.nLayer,
    n_positions: shape.nPositions,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
    vocab_size: shape.vocabSize,
  };
}
