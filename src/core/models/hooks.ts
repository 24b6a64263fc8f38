// The frozen table of hook points of a GPT-2 model, named as in TransformerLens, with Hugging Face
// module names as aliases. Commands, the CLI, tree views and the graph builder all read this table.
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
// At one position (the row a capture reads) every hook is flattened to the `shape` listed here.
import type { Gpt2Config } from './config';
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

/** The subset of a GPT-2 config that hook shapes depend on. */
export type HookShapeConfig = Pick<Gpt2Config, 'nLayer' | 'nHead' | 'nEmbd' | 'nInner' | 'vocabSize'>;

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
  for (const h of out) {
    Object.freeze(h.shape);
    Object.freeze(h.aliases);
    Object.freeze(h);
  }
  return Object.freeze(out);
}

function withPrefix(names: string[]): string[] {
  return names.flatMap((n) => (n === 'lm_head' ? [n] : [`transformer.${n}`, n]));
}

const HOOK_NAME = /^(?:hook_embed|hook_pos_embed|ln_final\.hook_normalized|logits|blocks\.(\d+)\.(.+))$/;
const ALIAS_NAME = /^(?:transformer\.)?(?:wte|wpe|lm_head|h\.(\d+)(?:\..+)?)$/;

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
  const names = candidates.flatMap((h) => [h.name, ...h.aliases.filter((a) => a.startsWith('transformer.'))]);
  throw new MechLensError('bad-argument', `unknown hook point "${trimmed}"`, {
    input: trimmed,
    fix: `Run "mechlens hooks --model MODEL" for the full list${closeNames(trimmed, names)}.`,
  });
}

/** Product of a per-position shape, with the sequence length filled in for attention patterns. */
export function hookWidth(hook: HookPoint, positions: number): number {
  return hook.shape.reduce<number>((a, d) => a * (d === 'positions' ? positions : d), 1);
}
