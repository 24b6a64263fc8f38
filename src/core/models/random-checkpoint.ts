// Random checkpoints in the real Hugging Face layout (config.json, model.safetensors or shards
// + index, tokenizer.json, tokenizer_config.json) with the real GPT-2 tokenizer: the fixtures of the
// model tests, the demo and the benchmarks. GPT-2 (writeRandomGpt2Checkpoint) and every other family
// (writeRandomCheckpoint: the config.json fields and tensor names of the hub's Pythia, SmolLM2 /
// Llama 3, Qwen2.5, Qwen3 and Gemma-2 repositories). Each tensor's values depend only on the seed
// and the tensor's canonical name, so the same seed gives the same weights whatever the dtype, the
// naming convention or the sharding.
import fs from 'node:fs';
import path from 'node:path';
import { createRandom } from '../random';
import { gpt2ConfigJson, parseGpt2Config, parseModelConfig, type Gpt2Config, type ModelConfig, type ModelFamily } from './config';
import { INDEX_FILE, SINGLE_FILE, gpt2TensorShapes } from './checkpoint';
import { familyWeights, storedName, tensorShapes } from './family-weights';
import { SAFETENSORS_DTYPE_BYTES, writeSafetensors, type TensorToWrite } from './safetensors';
import { gpt2TokenizerConfigJson, gpt2TokenizerJsonFromPackage, withBosTemplate } from './tokenizer-json';

export interface RandomCheckpointOptions {
  nLayer?: number;
  nEmbd?: number;
  nHead?: number;
  nPositions?: number;
  vocabSize?: number;
  /** MLP width; 4 * nEmbd when absent. */
  nInner?: number;
  seed?: number;
  /** Store names as `transformer.h.0...` (GPT2LMHeadModel.save_pretrained) instead of `h.0...` (GPT2Model / OpenAI). */
  prefix?: boolean;
  /** Add the original checkpoints' `h.N.attn.bias` mask and `h.N.attn.masked_bias` buffers. */
  legacyBias?: boolean;
  dtype?: 'F32' | 'F16' | 'BF16';
  /** More than 1 writes `model-0000k-of-0000n.safetensors` shards and model.safetensors.index.json. */
  shards?: number;
  /** 'absent' (tied, as save_pretrained writes it), 'copy' (an identical lm_head.weight) or 'separate' (its own values). */
  lmHead?: 'absent' | 'copy' | 'separate';
  /** Write tokenizer.json and tokenizer_config.json (default true). */
  tokenizer?: boolean;
}

export interface RandomCheckpoint {
  dir: string;
  config: Gpt2Config;
  /** Names as stored, in file order. */
  storedNames: string[];
  files: string[];
}

export function writeRandomGpt2Checkpoint(dir: string, options: RandomCheckpointOptions = {}): RandomCheckpoint {
  const shape = {
    nLayer: options.nLayer ?? 3,
    nEmbd: options.nEmbd ?? 64,
    nHead: options.nHead ?? 4,
    nPositions: options.nPositions ?? 128,
    vocabSize: options.vocabSize ?? 50257,
    nInner: options.nInner,
  };
  const seed = options.seed ?? 0;
  const dtype = options.dtype ?? 'F32';
  const prefix = options.prefix ? 'transformer.' : '';
  const shardCount = Math.max(1, Math.floor(options.shards ?? 1));
  fs.mkdirSync(dir, { recursive: true });

  const configJson = gpt2ConfigJson(shape);
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(configJson, null, 2) + '\n');
  const config = parseGpt2Config(configJson, configPath);

  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, tensorShape] of gpt2TensorShapes(config)) {
    tensors[prefix + name] = { dtype, shape: tensorShape, data: () => randomValues(name, tensorShape, seed) };
    const layer = /^h\.(\d+)\.ln_2\.bias$/.exec(name);
    if (layer && options.legacyBias) {
      // Where GPT2Attention registered them: a causal mask and a large negative fill value.
      tensors[`${prefix}h.${layer[1]}.attn.bias`] = { dtype, shape: [1, 1, config.nPositions, config.nPositions], data: () => causalMask(config.nPositions) };
      tensors[`${prefix}h.${layer[1]}.attn.masked_bias`] = { dtype, shape: [], data: () => Float32Array.of(-1e4) };
    }
  }
  if (options.lmHead === 'copy' || options.lmHead === 'separate') {
    const headSource = options.lmHead === 'copy' ? 'wte.weight' : 'lm_head.weight';
    tensors['lm_head.weight'] = { dtype, shape: [config.vocabSize, config.nEmbd], data: () => randomValues(headSource, [config.vocabSize, config.nEmbd], seed) };
  }

  const files = shardCount === 1 ? writeSingle(dir, tensors) : writeShards(dir, tensors, shardCount);
  if (options.tokenizer ?? true) {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(gpt2TokenizerJsonFromPackage()));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(gpt2TokenizerConfigJson(config.nPositions), null, 2) + '\n');
    files.push('tokenizer.json', 'tokenizer_config.json');
  }
  return { dir, config, storedNames: Object.keys(tensors), files: ['config.json', ...files] };
}

function writeSingle(dir: string, tensors: Record<string, TensorToWrite>): string[] {
  writeSafetensors(path.join(dir, SINGLE_FILE), tensors, { format: 'pt' });
  return [SINGLE_FILE];
}

/** Splits the tensors into `count` consecutive groups of about equal bytes, as save_pretrained does. */
function writeShards(dir: string, tensors: Record<string, TensorToWrite>, count: number): string[] {
  const entries = Object.entries(tensors);
  const bytesOf = (t: TensorToWrite) => t.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BYTES[t.dtype];
  const totalSize = entries.reduce((sum, [, t]) => sum + bytesOf(t), 0);
  const groups: Array<Array<[string, TensorToWrite]>> = [[]];
  let groupBytes = 0;
  let bytesLeft = totalSize;
  for (const [i, entry] of entries.entries()) {
    const size = bytesOf(entry[1]);
    // The share of what is left that the current group should take; one huge tensor (wte) may
    // fill a shard alone, so the target is recomputed as groups close.
    const groupsLeft = count - groups.length + 1;
    const share = (bytesLeft + groupBytes) / groupsLeft;
    const mustSplit = entries.length - i <= count - groups.length;
    if (groupBytes > 0 && groups.length < count && (mustSplit || groupBytes + size / 2 > share)) {
      groups.push([]);
      groupBytes = 0;
    }
    groups[groups.length - 1].push(entry);
    groupBytes += size;
    bytesLeft -= size;
  }
  const pad = (n: number) => String(n).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const names = groups.map((group, i) => {
    const fileName = `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    writeSafetensors(path.join(dir, fileName), Object.fromEntries(group), { format: 'pt' });
    for (const [name] of group) weightMap[name] = fileName;
    return fileName;
  });
  fs.writeFileSync(path.join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2) + '\n');
  return [...names, INDEX_FILE];
}

/**
 * ~N(0, 0.02) like GPT-2's init, but norm gains ~1 + N(0, 0.1) (Gemma's (1 + w) norms: w ~ N(0,
 * 0.1), `unitOffsetNorms`) and biases large enough to matter.
 */
export function randomValues(canonicalName: string, shape: number[], seed: number, unitOffsetNorms = false): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const random = createRandom(tensorSeed(canonicalName, seed));
  const isNorm = /(^|\.)(ln_(1|2|f)|[a-z_]*norm)\.weight$/.test(canonicalName) && !unitOffsetNorms;
  const isBias = canonicalName.endsWith('.bias');
  const mean = isNorm ? 1 : 0;
  const std = isNorm || (unitOffsetNorms && /norm\.weight$/.test(canonicalName)) ? 0.1 : isBias ? 0.05 : 0.02;
  const out = new Float32Array(count);
  // Marsaglia's polar method: no sin/cos, and three times faster than random.gaussian() here,
  // which matters for the 355M values of a gpt2-medium-shaped benchmark checkpoint.
  let i = 0;
  while (i < count) {
    let u: number, v: number, s: number;
    do {
      u = 2 * random.next() - 1;
      v = 2 * random.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    out[i++] = mean + u * f;
    if (i < count) out[i++] = mean + v * f;
  }
  return out;
}

function tensorSeed(name: string, seed: number): number {
  // FNV-1a of the name, mixed with the seed.
  let h = 0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function causalMask(n: number): Float32Array {
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) mask[i * n + j] = 1;
  return mask;
}

export interface RandomFamilyCheckpointOptions {
  family: Exclude<ModelFamily, 'gpt2'>;
  nLayer?: number;
  nEmbd?: number;
  nHead?: number;
  /** Key/value heads (GQA); nHead when absent. Ignored by gpt_neox. */
  nKvHead?: number;
  /** Per-head width when it differs from nEmbd / nHead (Qwen3, Gemma). */
  headDim?: number;
  nInner?: number;
  nPositions?: number;
  /** At least 50258 with a BOS token; default 50304 (Pythia's padded vocabulary). */
  vocabSize?: number;
  seed?: number;
  dtype?: 'F32' | 'F16' | 'BF16';
  shards?: number;
  /** Write tokenizer.json and tokenizer_config.json (default true): GPT-2's byte-level BPE. */
  tokenizer?: boolean;
  /**
   * Add a `<|begin_of_text|>` token (id 50257) that the tokenizer's post-processor puts before
   * every text, as Llama 3's does. Default: true for llama, false otherwise (Pythia, SmolLM2 and
   * Qwen add none).
   */
  bos?: boolean;
  /** Fields merged into config.json last (e.g. rope_scaling, use_parallel_residual). */
  config?: Record<string, unknown>;
}

export interface RandomFamilyCheckpoint {
  dir: string;
  config: ModelConfig;
  storedNames: string[];
  files: string[];
}

/** config.json as the hub's repositories of the family write it, for the given shape. */
export function familyConfigJson(family: RandomFamilyCheckpointOptions['family'], shape: Required<Pick<RandomFamilyCheckpointOptions, 'nLayer' | 'nEmbd' | 'nHead' | 'nKvHead' | 'nInner' | 'nPositions' | 'vocabSize'>> & { headDim?: number; bosTokenId: number; eosTokenId: number }): Record<string, unknown> {
  const common = {
    hidden_size: shape.nEmbd, intermediate_size: shape.nInner, max_position_embeddings: shape.nPositions,
    num_attention_heads: shape.nHead, num_hidden_layers: shape.nLayer, vocab_size: shape.vocabSize,
    bos_token_id: shape.bosTokenId, eos_token_id: shape.eosTokenId, torch_dtype: 'float32', use_cache: true, initializer_range: 0.02,
  };
  switch (family) {
    case 'gpt_neox': // EleutherAI/pythia-160m
      return {
        architectures: ['GPTNeoXForCausalLM'], model_type: 'gpt_neox', ...common, hidden_act: 'gelu', layer_norm_eps: 1e-5,
        rotary_emb_base: 10000, rotary_pct: 0.25, tie_word_embeddings: false, use_parallel_residual: true, attention_dropout: 0, hidden_dropout: 0,
      };
    case 'llama': // HuggingFaceTB/SmolLM2-135M, meta-llama/Llama-3.2-1B
      return {
        architectures: ['LlamaForCausalLM'], model_type: 'llama', ...common, num_key_value_heads: shape.nKvHead, head_dim: shape.headDim ?? shape.nEmbd / shape.nHead,
        hidden_act: 'silu', rms_norm_eps: 1e-5, rope_theta: 100000, rope_scaling: null, attention_bias: false, attention_dropout: 0, mlp_bias: false,
        pretraining_tp: 1, tie_word_embeddings: true,
      };
    case 'qwen2': // Qwen/Qwen2.5-0.5B
      return {
        architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', ...common, num_key_value_heads: shape.nKvHead, hidden_act: 'silu',
        rms_norm_eps: 1e-6, rope_theta: 1000000, rope_scaling: null, sliding_window: shape.nPositions, use_sliding_window: false, max_window_layers: shape.nLayer,
        attention_dropout: 0, tie_word_embeddings: true,
      };
    case 'qwen3': // Qwen/Qwen3-0.6B
      return {
        architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', ...common, num_key_value_heads: shape.nKvHead, head_dim: shape.headDim ?? shape.nEmbd / shape.nHead,
        hidden_act: 'silu', rms_norm_eps: 1e-6, rope_theta: 1000000, rope_scaling: null, attention_bias: false, sliding_window: null, use_sliding_window: false,
        max_window_layers: shape.nLayer, attention_dropout: 0, tie_word_embeddings: true,
      };
    case 'gemma2': // google/gemma-2-2b
      return {
        architectures: ['Gemma2ForCausalLM'], model_type: 'gemma2', ...common, num_key_value_heads: shape.nKvHead, head_dim: shape.headDim ?? shape.nEmbd / shape.nHead,
        hidden_act: 'gelu_pytorch_tanh', hidden_activation: 'gelu_pytorch_tanh', rms_norm_eps: 1e-6, rope_theta: 10000, attention_bias: false,
        query_pre_attn_scalar: shape.headDim ?? shape.nEmbd / shape.nHead, attn_logit_softcapping: 50, final_logit_softcapping: 30, sliding_window: 4096,
        cache_implementation: 'hybrid', pad_token_id: 0, tie_word_embeddings: true,
      };
    case 'gemma3': // google/gemma-3-270m
      return {
        architectures: ['Gemma3ForCausalLM'], model_type: 'gemma3_text', ...common, num_key_value_heads: shape.nKvHead, head_dim: shape.headDim ?? shape.nEmbd / shape.nHead,
        hidden_activation: 'gelu_pytorch_tanh', rms_norm_eps: 1e-6, rope_theta: 1000000, rope_local_base_freq: 10000, rope_scaling: null, attention_bias: false,
        query_pre_attn_scalar: shape.headDim ?? shape.nEmbd / shape.nHead, attn_logit_softcapping: null, final_logit_softcapping: null, sliding_window: 512,
        layer_types: Array.from({ length: shape.nLayer }, (_, l) => ((l + 1) % 6 ? 'sliding_attention' : 'full_attention')), pad_token_id: 0, tie_word_embeddings: true,
      };
  }
}

export const BEGIN_OF_TEXT = '<|begin_of_text|>';

export function writeRandomCheckpoint(dir: string, options: RandomFamilyCheckpointOptions): RandomFamilyCheckpoint {
  const family = options.family;
  const bos = options.bos ?? family === 'llama';
  const nHead = options.nHead ?? 4;
  const shape = {
    nLayer: options.nLayer ?? 3,
    nEmbd: options.nEmbd ?? 64,
    nHead,
    nKvHead: options.nKvHead ?? nHead,
    headDim: options.headDim,
    nInner: options.nInner ?? (family === 'gpt_neox' ? 4 * (options.nEmbd ?? 64) : 3 * (options.nEmbd ?? 64)),
    nPositions: options.nPositions ?? 128,
    vocabSize: options.vocabSize ?? 50304,
    bosTokenId: bos ? 50257 : 50256,
    eosTokenId: 50256,
  };
  const seed = options.seed ?? 0;
  const dtype = options.dtype ?? 'F32';
  fs.mkdirSync(dir, { recursive: true });
  const configJson = { ...familyConfigJson(family, shape), ...(options.config ?? {}) };
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(configJson, null, 2) + '\n');
  const config = parseModelConfig(configJson, configPath);

  const unitOffset = config.norm === 'rmsnorm_plus_one';
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, tensorShape] of tensorShapes(config)) {
    tensors[storedName(family, name)] = { dtype, shape: tensorShape, data: () => randomValues(name, tensorShape, seed, unitOffset) };
  }
  if (!config.tieWordEmbeddings) {
    const head = familyWeights(family).head;
    tensors[storedName(family, head)] = { dtype, shape: [config.vocabSize, config.nEmbd], data: () => randomValues(head, [config.vocabSize, config.nEmbd], seed) };
  }
  const shardCount = Math.max(1, Math.floor(options.shards ?? 1));
  const files = shardCount === 1 ? writeSingle(dir, tensors) : writeShards(dir, tensors, shardCount);
  if (options.tokenizer ?? true) {
    const tokenizerJson = bos ? withBosTemplate(gpt2TokenizerJsonFromPackage(), BEGIN_OF_TEXT, 50257) : gpt2TokenizerJsonFromPackage();
    const tokenizerConfig = { ...gpt2TokenizerConfigJson(config.nPositions), tokenizer_class: 'PreTrainedTokenizerFast', ...(bos ? { bos_token: BEGIN_OF_TEXT, add_bos_token: true } : {}) };
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
    files.push('tokenizer.json', 'tokenizer_config.json');
  }
  return { dir, config, storedNames: Object.keys(tensors), files: ['config.json', ...files] };
}
