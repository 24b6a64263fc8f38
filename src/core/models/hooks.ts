// The frozen table of hook points of a model, named as in TransformerLens's HookedTransformer, with
// Hugging Face module names as aliases. Commands, the CLI, tree views and the graph builder all read
// this table. GPT-2 keeps the table it always had; the other families (config.ts) add the norms'
// hook_scale/hook_normalized, rotary q/k, gated-MLP and Gemma post-norm hooks.
//
// Full tensor shapes as the graph returns them (B = batch, T = positions, H = heads, Dh = d_head,
// D = d_model, F = MLP width, V = vocabulary):
//   hook_embed, hook_pos_embed, blocks.L.hook_resid_pre|mid|post, blocks.L.hook_attn_out,
//   blocks.L.hook_mlp_out, ln_final.hook_normalized     [B, T, D]
//   blocks.L.attn.hook_q|k|v|z                           [B, T, H*Dh]  (head-major: HF's c_attn slice)
//   blocks.L.attn.hook_qkv                               [B, T, 3*D]   (HF's c_attn output: q|k|v)
//   blocks.L.attn.hook_pattern|hook_attn_scores          [B, H, T(query), T(key)]
//   blocks.L.mlp.hook_pre|hook_post                      [B, T, F]
//   logits                                               [B, T, V]
// Other families: attn.hook_k|v|rot_k have n_kv_heads heads under GQA, attn.hook_rot_q|rot_k are
// [B, T, H*Dh] after RoPE, ln*.hook_scale is [B, T, 1] and ln*.hook_normalized [B, T, D] (before
// the norm's weight, as TransformerLens's folded LayerNormPre/RMSNormPre give them).
// At one position (the row a capture reads) every hook is flattened to the `shape` listed here.
import type { ModelConfig, ModelFamily } from './config';
import { MechLensError } from '../errors';
import { closeNames } from './onnx-graph';

export type HookShapeDim = number | 'positions';

export interface HookPoint {
  name: string;
  /** Per-position shape; its product is the width of one captured row ('positions' = sequence length). */
  shape: HookShapeDim[];
  description: string;
  /** Hugging Face module names that mean the same tensor. */
  aliases: string[];
  /** The layer that must be built to compute it (-1 = embeddings only, nLayer = after the last block). */
  layer: number;
  /** Position axis of the full tensor (2 for attention patterns, whose query axis follows the head axis). */
  positionAxis: 1 | 2;
}

/** The subset of a config that hook shapes depend on (without modelType: GPT-2). */
export type HookShapeConfig = Pick<ModelConfig, 'nLayer' | 'nHead' | 'nEmbd' | 'nInner' | 'vocabSize'>
  & Partial<Pick<ModelConfig, 'modelType' | 'nKvHead' | 'dHead' | 'parallelResidual' | 'postNorms' | 'mlp' | 'finalSoftcap' | 'qkNorm' | 'attnSoftcap'>>;

type HookKind = {
  suffix: string;
  describe: string;
  shape: (c: HookShapeConfig) => HookShapeDim[];
  aliases: (l: number) => string[];
  positionAxis?: 2;
};

const blockHooks: HookKind[] = [
  { suffix: 'hook_resid_pre', describe: 'residual stream entering the block', shape: (c) => [c.nEmbd], aliases: () => [] },
  { suffix: 'attn.hook_qkv', describe: "concatenated q|k|v (Hugging Face's c_attn output)", shape: (c) => [3 * c.nEmbd], aliases: (l) => [`h.${l}.attn.c_attn`] },
  { suffix: 'attn.hook_q', describe: 'queries, heads × d_head flattened head-major', shape: (c) => [c.nHead, c.nEmbd / c.nHead], aliases: () => [] },
  { suffix: 'attn.hook_k', describe: 'keys, heads × d_head flattened head-major', shape: (c) => [c.nHead, c.nEmbd / c.nHead], aliases: () => [] },
  { suffix: 'attn.hook_v', describe: 'values, heads × d_head flattened head-major', shape: (c) => [c.nHead, c.nEmbd / c.nHead], aliases: () => [] },
  { suffix: 'attn.hook_attn_scores', describe: 'q·k / sqrt(d_head) before softmax, heads × key positions (masked keys are -Infinity)', shape: (c) => [c.nHead, 'positions'], aliases: () => [], positionAxis: 2 },
  { suffix: 'attn.hook_pattern', describe: 'attention weights after softmax, heads × key positions', shape: (c) => [c.nHead, 'positions'], aliases: () => [], positionAxis: 2 },
  { suffix: 'attn.hook_z', describe: 'attention-weighted values before the output projection, heads × d_head', shape: (c) => [c.nHead, c.nEmbd / c.nHead], aliases: () => [] },
  { suffix: 'hook_attn_out', describe: 'attention output (after c_proj)', shape: (c) => [c.nEmbd], aliases: (l) => [`h.${l}.attn`, `h.${l}.attn.c_proj`] },
  { suffix: 'hook_resid_mid', describe: 'residual stream after attention', shape: (c) => [c.nEmbd], aliases: () => [] },
  { suffix: 'mlp.hook_pre', describe: 'MLP pre-activations (c_fc output)', shape: (c) => [c.nInner], aliases: (l) => [`h.${l}.mlp.c_fc`] },
  { suffix: 'mlp.hook_post', describe: 'MLP activations after GELU', shape: (c) => [c.nInner], aliases: (l) => [`h.${l}.mlp.act`] },
  { suffix: 'hook_mlp_out', describe: 'MLP output (after c_proj)', shape: (c) => [c.nEmbd], aliases: (l) => [`h.${l}.mlp`, `h.${l}.mlp.c_proj`] },
  { suffix: 'hook_resid_post', describe: 'residual stream leaving the block', shape: (c) => [c.nEmbd], aliases: (l) => [`h.${l}`] },
];

/** Every hook point of a model with this config, in forward order (a frozen table). */
export function listHookPoints(config: HookShapeConfig): readonly HookPoint[] {
  const out = !config.modelType || config.modelType === 'gpt2' ? gpt2HookPoints(config) : familyHookPoints(config as HookShapeConfig & { modelType: ModelFamily });
  for (const h of out) {
    Object.freeze(h.shape);
    Object.freeze(h.aliases);
    Object.freeze(h);
  }
  return Object.freeze(out);
}

function gpt2HookPoints(config: HookShapeConfig): HookPoint[] {
  const out: HookPoint[] = [
    { name: 'hook_embed', shape: [config.nEmbd], description: 'token embeddings (wte rows)', aliases: withPrefix(['wte']), layer: -1, positionAxis: 1 },
    { name: 'hook_pos_embed', shape: [config.nEmbd], description: 'position embeddings (wpe rows)', aliases: withPrefix(['wpe']), layer: -1, positionAxis: 1 },
  ];
  for (let l = 0; l < config.nLayer; l++) {
    for (const k of blockHooks) {
      out.push({
        name: `blocks.${l}.${k.suffix}`,
        shape: k.shape(config),
        description: `layer ${l}: ${k.describe}`,
        aliases: withPrefix(k.aliases(l)),
        layer: l,
        positionAxis: k.positionAxis ?? 1,
      });
    }
  }
  out.push(
    { name: 'ln_final.hook_normalized', shape: [config.nEmbd], description: 'final LayerNorm, normalized before its scale and bias (TransformerLens semantics)', aliases: [], layer: config.nLayer, positionAxis: 1 },
    { name: 'logits', shape: [config.vocabSize], description: 'next-token logits (LM head tied to wte)', aliases: withPrefix(['lm_head']), layer: config.nLayer, positionAxis: 1 },
  );
  return out;
}

/** Hugging Face module names (relative to the base model) per family and hook suffix. */
function familyAliases(family: ModelFamily, l: number, suffix: string): string[] {
  const p = `layers.${l}`;
  if (family === 'gpt_neox') {
    const table: Record<string, string[]> = {
      hook_attn_out: [`${p}.attention`, `${p}.attention.dense`], 'mlp.hook_pre': [`${p}.mlp.dense_h_to_4h`], 'mlp.hook_post': [`${p}.mlp.act`],
      hook_mlp_out: [`${p}.mlp`, `${p}.mlp.dense_4h_to_h`], hook_resid_post: [p],
    };
    return table[suffix] ?? [];
  }
  const gemma = family === 'gemma2' || family === 'gemma3';
  const table: Record<string, string[]> = {
    'attn.hook_q': [`${p}.self_attn.q_proj`], 'attn.hook_k': [`${p}.self_attn.k_proj`], 'attn.hook_v': [`${p}.self_attn.v_proj`],
    hook_attn_out: gemma ? [`${p}.post_attention_layernorm`] : [`${p}.self_attn`, `${p}.self_attn.o_proj`],
    'mlp.hook_pre': [`${p}.mlp.gate_proj`], 'mlp.hook_pre_linear': [`${p}.mlp.up_proj`],
    hook_mlp_out: gemma ? [`${p}.post_feedforward_layernorm`] : [`${p}.mlp`, `${p}.mlp.down_proj`], hook_resid_post: [p],
  };
  return table[suffix] ?? [];
}

const BASE_PREFIX: Record<ModelFamily, string> = { gpt2: 'transformer.', gpt_neox: 'gpt_neox.', llama: 'model.', qwen2: 'model.', qwen3: 'model.', gemma2: 'model.', gemma3: 'model.' };

function familyHookPoints(c: HookShapeConfig & { modelType: ModelFamily }): HookPoint[] {
  const family = c.modelType;
  const H = c.nHead;
  const kv = c.nKvHead ?? H;
  const dh = c.dHead ?? c.nEmbd / H;
  const D = c.nEmbd;
  const F = c.nInner;
  const base = BASE_PREFIX[family];
  const aliased = (names: string[]) => names.flatMap((n) => [`${base}${n}`, n]);
  const gated = c.mlp === 'gated';
  const norm = family === 'gpt_neox' ? 'LayerNorm' : 'RMSNorm';
  const gqa = kv !== H ? `, ${kv} kv heads (query head h reads kv head floor(h / ${H / kv}))` : '';
  const point = (name: string, shape: HookShapeDim[], description: string, layer: number, aliases: string[] = [], positionAxis: 1 | 2 = 1): HookPoint =>
    ({ name, shape, description, aliases, layer, positionAxis });
  const normHooks = (prefix: string, what: string, layer: number): HookPoint[] => [
    point(`${prefix}.hook_scale`, [1], `${what}: the ${norm}'s scale, ${norm === 'LayerNorm' ? 'sqrt(var + eps)' : 'sqrt(mean(x²) + eps)'}`, layer),
    point(`${prefix}.hook_normalized`, [D], `${what}: normalized, before the ${norm}'s weight${norm === 'LayerNorm' ? ' and bias' : ''}`, layer),
  ];
  const embedName = family === 'gpt_neox' ? 'embed_in' : 'embed_tokens';
  const gemma = family === 'gemma2' || family === 'gemma3';
  const out: HookPoint[] = [point('hook_embed', [D], `token embeddings (${embedName} rows${gemma ? ', times sqrt(hidden_size)' : ''})`, -1, gemma ? [] : aliased([embedName]))];
  for (let l = 0; l < c.nLayer; l++) {
    const b = `blocks.${l}.`;
    const hook = (suffix: string, shape: HookShapeDim[], describe: string, positionAxis: 1 | 2 = 1) =>
      point(b + suffix, shape, `layer ${l}: ${describe}`, l, aliased(familyAliases(family, l, suffix)), positionAxis);
    out.push(hook('hook_resid_pre', [D], 'residual stream entering the block'));
    out.push(...normHooks(`${b}ln1`, `layer ${l}: input norm`, l));
    out.push(
      hook('attn.hook_q', [H, dh], 'queries before RoPE, heads × d_head flattened head-major'),
      hook('attn.hook_k', [kv, dh], `keys before RoPE, kv heads × d_head${gqa}`),
      hook('attn.hook_v', [kv, dh], `values, kv heads × d_head${gqa}`),
      hook('attn.hook_rot_q', [H, dh], `queries after ${c.qkNorm ? 'q_norm and ' : ''}RoPE`),
      hook('attn.hook_rot_k', [kv, dh], `keys after ${c.qkNorm ? 'k_norm and ' : ''}RoPE${gqa}`),
      hook('attn.hook_attn_scores', [H, 'positions'], `scaled q·k${c.attnSoftcap ? ' after the softcap' : ''} before softmax, heads × key positions (masked keys are -Infinity)`, 2),
      hook('attn.hook_pattern', [H, 'positions'], 'attention weights after softmax, heads × key positions', 2),
      hook('attn.hook_z', [H, dh], 'attention-weighted values before the output projection, heads × d_head'),
    );
    if (c.postNorms) out.push(...normHooks(`${b}ln1_post`, `layer ${l}: norm after attention`, l));
    out.push(hook('hook_attn_out', [D], `attention output${c.postNorms ? ' (after its post-norm)' : ''}`));
    if (!c.parallelResidual) out.push(hook('hook_resid_mid', [D], 'residual stream after attention'));
    out.push(...normHooks(`${b}ln2`, `layer ${l}: MLP input norm${c.parallelResidual ? ' (reads resid_pre: parallel residual)' : ''}`, l));
    if (gated) {
      out.push(
        hook('mlp.hook_pre', [F], 'gate pre-activations, x·W_gate'),
        hook('mlp.hook_pre_linear', [F], 'up projection, x·W_up'),
        hook('mlp.hook_post', [F], 'act(gate) · up, the down projection\'s input'),
      );
    } else {
      out.push(hook('mlp.hook_pre', [F], 'MLP pre-activations'), hook('mlp.hook_post', [F], 'MLP activations'));
    }
    if (c.postNorms) out.push(...normHooks(`${b}ln2_post`, `layer ${l}: norm after the MLP`, l));
    out.push(
      hook('hook_mlp_out', [D], `MLP output${c.postNorms ? ' (after its post-norm)' : ''}`),
      hook('hook_resid_post', [D], 'residual stream leaving the block'),
    );
  }
  out.push(...normHooks('ln_final', 'final norm', c.nLayer));
  const headName = family === 'gpt_neox' ? 'embed_out' : 'lm_head';
  out.push(point('logits', [c.vocabSize], `next-token logits${c.finalSoftcap ? ' (after the final softcap)' : ''}`, c.nLayer, c.finalSoftcap ? [] : [headName]));
  return out;
}

function withPrefix(names: string[]): string[] {
  return names.flatMap((n) => (n === 'lm_head' ? [n] : [`transformer.${n}`, n]));
}

const HOOK_NAME = /^(?:hook_embed|hook_pos_embed|ln_final\.hook_normalized|ln_final\.hook_scale|logits|blocks\.(\d+)\.(.+))$/;
const ALIAS_NAME = /^(?:transformer\.|gpt_neox\.|model\.)?(?:wte|wpe|lm_head|embed_out|embed_in|embed_tokens|(?:h|layers)\.(\d+)(?:\..+)?)$/;

/**
 * Resolves a TransformerLens hook name or a Hugging Face alias to the canonical hook point.
 * Throws a MechLensError naming the closest hook points when nothing matches.
 */
export function resolveHookName(name: string, config: HookShapeConfig): HookPoint {
  const trimmed = name.trim();
  const layerOf = (m: RegExpMatchArray | null) => (m && m[1] !== undefined ? Number(m[1]) : undefined);
  const layer = layerOf(trimmed.match(HOOK_NAME)) ?? layerOf(trimmed.match(ALIAS_NAME));
  if (layer !== undefined && layer >= config.nLayer) {
    throw new MechLensError('bad-argument', `hook "${trimmed}" asks for layer ${layer}, but the model has ${config.nLayer} layers (0–${config.nLayer - 1})`, {
      input: trimmed, fix: `Use a layer from 0 to ${config.nLayer - 1}.`,
    });
  }
  // Suggestions come from the named layer (or layer 0) plus the hooks outside the blocks.
  const shown = layer ?? 0;
  const candidates = listHookPoints(config).filter((h) => h.layer === shown || h.layer === -1 || h.layer === config.nLayer);
  const hit = candidates.find((h) => h.name === trimmed || h.aliases.includes(trimmed));
  if (hit) return hit;
  const names = candidates.flatMap((h) => [h.name, ...h.aliases.filter((a) => /^(transformer|gpt_neox|model)\./.test(a))]);
  throw new MechLensError('bad-argument', `unknown hook point "${trimmed}"`, {
    input: trimmed,
    fix: `Run "mechlens hooks --model MODEL" for the full list${closeNames(trimmed, names)}.`,
  });
}

/** Product of a per-position shape, with the sequence length filled in for attention patterns. */
export function hookWidth(hook: HookPoint, positions: number): number {
  return hook.shape.reduce<number>((a, d) => a * (d === 'positions' ? positions : d), 1);
}
