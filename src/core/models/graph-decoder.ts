// One decoder-only forward pass as an ONNX graph for every family in config.ts, with Hugging Face's
// math (modeling_gpt2/gpt_neox/llama/qwen2/qwen3/gemma2.py): the config picks the norm (LayerNorm,
// RMSNorm, Gemma's (1 + w) RMSNorm), learned or rotary positions (partial rotary, rotate_half),
// GPT-2's fused Conv1D c_attn, NeoX's per-head fused query_key_value or separate projections with
// grouped-query attention, plain or gated MLPs, a parallel residual, Gemma's post-norms, softcaps
// and sliding windows. Every TransformerLens hook point is a named tensor; only the blocks up to
// the deepest requested hook are built, and the graph outputs are exactly the requested hooks.
// Positions and which keys each token may attend to are inputs, not derived from the batch: a row
// may be one right-padded text (causal mask) or several texts packed as a prefix tree, where a
// token sees only its ancestors (packing.ts); a sliding window compares positions, which are the
// tokens' depths in their text either way.
import type { ModelConfig } from './config';
import { familyWeights, type NormWeights } from './family-weights';
import { normNodes, unembedNodes } from './graph-head';
import { GraphBuilder, MS_DOMAIN, type Weight } from './onnx-graph';
import type { HookPoint } from './hooks';
import type { RopeSpec } from './rope';

export const INPUT_IDS = 'input_ids';
/** [batch, positions] int64: each token's position in its text (its depth in the prefix tree). */
export const POSITION_IDS = 'position_ids';
/** [batch, positions, positions] bool: allowed[b, q, k] = query token q may attend to key token k. */
export const ATTENTION_ALLOWED = 'attention_allowed';
/** [rows] int64, with `readRows`: the token slots (b · positions + t) whose rows are read. */
export const READ_ROWS = 'read_rows';

export interface DecoderGraphSpec {
  config: ModelConfig;
  hooks: readonly HookPoint[];
  /** Looks up a weight by its canonical name, without the base model's prefix (e.g. `h.0.attn.c_attn.weight`). */
  weight: (name: string) => Weight;
  /** 'separate' when the checkpoint has its own LM head; 'tied' reads the embedding matrix. */
  lmHead?: 'tied' | 'separate';
  /**
   * Use onnxruntime's com.microsoft contrib ops (SkipLayerNormalization, FastGelu) where the family
   * allows (GPT-2): fewer passes over the activations. Default true; false builds standard ONNX ops
   * only (for other runtimes, and as the benchmark's baseline). FastGelu is the tanh GELU, so
   * configs with another activation always use standard ops for it.
   */
  contribOps?: boolean;
  /**
   * Compute the part of the last block after its attention only at the slots in the READ_ROWS
   * input: the MLP there, the final norm and the LM head change nothing that is read at other
   * positions, while attention needs every key. The hooks from there on (readRowHooks) come out
   * as [1, rows, width] in READ_ROWS order; the others keep [batch, positions, …].
   */
  readRows?: boolean;
}

export interface BuiltGraph {
  bytes: Uint8Array;
  /** Graph output names, in request order (duplicates removed). */
  outputs: string[];
  /** Outputs computed only at READ_ROWS (with `readRows`), shaped [1, rows, width]. */
  rowOutputs: string[];
  /** Number of transformer blocks in the graph. */
  layersBuilt: number;
  nodeCount: number;
  /** Weight bytes embedded in the model rather than referenced as external data. */
  inlineBytes: number;
}

/** Blocks needed so that every hook in `hooks` is computed. */
export function layersNeeded(hooks: readonly HookPoint[], nLayer: number): number {
  // The residual stream entering block L is complete after block L - 1.
  const needs = (h: HookPoint) => (h.name.endsWith('.hook_resid_pre') ? h.layer : h.layer + 1);
  return hooks.reduce((n, h) => Math.max(n, Math.min(nLayer, needs(h))), 0);
}

/** Hooks that a graph with `readRows` computes only at the read rows: those after the last built block's attention. */
export function readRowHooks(names: readonly string[], layers: number): string[] {
  if (layers === 0) return [];
  const last = `blocks.${layers - 1}.`;
  const afterAttention = (suffix: string) => suffix === 'hook_resid_mid' || suffix === 'hook_resid_post' || suffix === 'hook_mlp_out'
    || suffix.startsWith('mlp.') || suffix.startsWith('ln2.') || suffix.startsWith('ln2_post.');
  return names.filter((n) => n === 'logits' || n.startsWith('ln_final.') || n === `blocks.${layers}.hook_resid_pre` || (n.startsWith(last) && afterAttention(n.slice(last.length))));
}

/** A linear layer's output: one tensor, or (fused GPT-2, unhooked) x·W with the bias left to its consumer. */
interface LinearOut { y: string; bias?: string }

export function buildDecoderGraph(spec: DecoderGraphSpec): BuiltGraph {
  const { config: c, hooks } = spec;
  const family = familyWeights(c.modelType);
  const wanted = [...new Set(hooks.map((h) => h.name))];
  const layers = layersNeeded(hooks, c.nLayer);
  const g = new GraphBuilder();
  const w = (name: string) => g.weight(name, () => spec.weight(name));
  // A tensor is named after its hook only when that hook was requested: unrequested hooks stay
  // anonymous, so onnxruntime is free to fuse them away.
  const hookName = (name: string) => (wanted.includes(name) ? name : undefined);

  const ids = g.input(INPUT_IDS, 'int64', ['batch', 'positions']);
  const positionIds = g.input(POSITION_IDS, 'int64', ['batch', 'positions']);
  const learned = c.positions === 'learned';
  const embedScaled = c.embedScale !== 1;
  const gathered = g.op1('Gather', [w(family.embed), ids], { axis: 0 }, embedScaled ? undefined : hookName('hook_embed'));
  // Gemma: hidden_states * torch.tensor(hidden_size**0.5, dtype=hidden_states.dtype).
  const embed = embedScaled ? g.op1('Mul', [gathered, g.constFloat([Math.fround(c.embedScale)], [], 'embed_scale')], {}, hookName('hook_embed')) : gathered;
  let resid: string;
  if (learned) {
    const posEmbed = g.op1('Gather', [w(family.posEmbed!), positionIds], { axis: 0 }, hookName('hook_pos_embed'));
    resid = g.op1('Add', [embed, posEmbed], {}, hookName('blocks.0.hook_resid_pre'));
  } else {
    resid = layers > 0 && hookName('blocks.0.hook_resid_pre') ? g.op1('Identity', [embed], {}, 'blocks.0.hook_resid_pre') : embed;
  }

  // allowed[b, 0, q, k], broadcast over heads; with a sliding window W also q - k < W in positions.
  let allowed = '';
  if (layers > 0) allowed = g.op1('Unsqueeze', [g.input(ATTENTION_ALLOWED, 'bool', ['batch', 'positions', 'positions']), g.constInt64([1])]);
  const windowMasks = new Map<number, string>();
  const allowedAt = (l: number): string => {
    const window = c.slidingWindow[l];
    if (window === null || window === undefined) return allowed;
    let mask = windowMasks.get(window);
    if (!mask) {
      const distance = g.op1('Sub', [g.op1('Unsqueeze', [positionIds, g.constInt64([2])]), g.op1('Unsqueeze', [positionIds, g.constInt64([1])])]);
      const inWindow = g.op1('Unsqueeze', [g.op1('Less', [distance, g.constInt64([window], [], 'sliding_window')]), g.constInt64([1])]);
      mask = g.op1('And', [allowed, inWindow]);
      windowMasks.set(window, mask);
    }
    return mask;
  };
  const readRows = spec.readRows && layers > 0 ? g.input(READ_ROWS, 'int64', ['rows']) : '';
  const flatRows = g.constInt64([-1, c.nEmbd]); // [.., .., d] -> [rows, d]
  /** [batch, positions, d] -> [1, rows, d] at the read slots. */
  const gatherRows = (x: string, name?: string) =>
    g.op1('Unsqueeze', [g.op1('Gather', [g.op1('Reshape', [x, flatRows]), readRows], { axis: 0 }), g.constInt64([0])], {}, name);
  const minusInf = g.constFloat([-Infinity], [], 'minus_inf');

  const H = c.nHead;
  const KV = c.nKvHead;
  const dh = c.dHead;
  const groups = H / KV;
  const qWidth = H * dh;

  // With onnxruntime's contrib ops (the default, GPT-2 only), each residual Add is fused into the
  // LayerNorm that reads it (SkipLayerNormalization, whose fourth output is the sum, i.e. the
  // residual stream), the output projections' biases ride along in that node, and gelu_new is one
  // FastGelu node that also adds c_fc's bias. A bias is added on its own only when its hook
  // (attn_out, mlp_out, mlp pre) is requested, since the hook must show the biased value.
  const fused = spec.contribOps !== false && c.qkvLayout === 'conv1d' && c.norm === 'layernorm' && !c.parallelResidual && !c.postNorms;
  const tanhGelu = fused && c.activation !== 'gelu' && c.activation !== 'relu' && c.activation !== 'silu';
  // The residual stream is `resid`, or, in fused mode, the pending sum `pending.x + pending.skip (+ bias)`
  // that the next LayerNorm computes as a side output.
  let pending: { x: string; skip: string; bias?: string; name?: string } | undefined;
  const eps = { float: c.layerNormEpsilon };
  /** The norm of `x` (or of the pending residual sum), with its hook_scale/hook_normalized when requested under `hookPrefix`. */
  const norm = (x: string, weights: NormWeights, hookPrefix: string, sumName?: string): string => {
    if (pending) {
      const inputs = [pending.x, pending.skip, w(weights.weight), w(weights.bias!), ...(pending.bias ? [pending.bias] : [])];
      const sum = sumName ?? pending.name ?? g.fresh('resid');
      const [out] = g.op('SkipLayerNormalization', inputs, { epsilon: eps }, [g.fresh('skip_ln'), '', '', sum], MS_DOMAIN);
      resid = sum;
      pending = undefined;
      return out;
    }
    return normNodes(g, c, x, weights, w, { scale: hookName(`${hookPrefix}.hook_scale`), normalized: hookName(`${hookPrefix}.hook_normalized`) });
  };
  /** x·W + b for [.., .., nIn] x; `tail` reshapes the output's last axis (default [out]). */
  const linear = (x: string, prefix: string, hasBias: boolean, nIn: number, hook?: string, tail?: number[]): LinearOut => {
    if (family.linearLayout === 'conv1d') {
      const product = g.op1('MatMul', [x, w(`${prefix}.weight`)]);
      if (fused && !hook) return { y: product, bias: w(`${prefix}.bias`) };
      return { y: g.op1('Add', [product, w(`${prefix}.bias`)], {}, hook) };
    }
    // nn.Linear weights are [out, in]: Gemm reads them transposed without a transposed copy.
    const flat = g.op1('Reshape', [x, g.constInt64([-1, nIn])]);
    const y2 = g.op1('Gemm', [flat, w(`${prefix}.weight`), ...(hasBias ? [w(`${prefix}.bias`)] : [])], { transB: 1 });
    const shape = g.op1('Concat', [g.op1('Shape', [x], { end: 2 }), g.constInt64(tail ?? [-1])], { axis: 0 });
    return { y: g.op1('Reshape', [y2, shape], {}, hook) };
  };
  const biased = (x: LinearOut) => (x.bias ? g.op1('Add', [x.y, x.bias]) : x.y);
  const residualAdd = (x: LinearOut, name?: string) => {
    if (fused) {
      pending = { x: x.y, skip: resid, bias: x.bias, name };
      return;
    }
    resid = g.op1('Add', [resid, biased(x)], {}, name);
  };
  const settle = (name?: string) => {
    // Materializes a pending residual sum without a LayerNorm (after the last built block).
    if (!pending) return;
    const sum = g.op1('Add', [pending.x, pending.skip]);
    resid = pending.bias ? g.op1('Add', [sum, pending.bias], {}, name ?? pending.name) : g.op1('Identity', [sum], {}, name ?? pending.name);
    pending = undefined;
  };

  // cos and sin [batch, positions, 1, rotary dims] per distinct RoPE (HF computes them in float32).
  const ropeTables = new Map<RopeSpec, { cos: string; sin: string }>();
  const ropeFor = (rope: RopeSpec) => {
    let table = ropeTables.get(rope);
    if (!table) {
      const positions = g.op1('Unsqueeze', [g.op1('Cast', [positionIds], { to: 1 }), g.constInt64([2])]); // [B, T, 1]
      const angles = g.op1('Mul', [positions, g.constFloat([...rope.invFreq], [rope.invFreq.length], 'inv_freq')]);
      const emb = g.op1('Concat', [angles, angles], { axis: -1 });
      const heads = g.constInt64([2]);
      table = { cos: g.op1('Unsqueeze', [g.op1('Cos', [emb]), heads]), sin: g.op1('Unsqueeze', [g.op1('Sin', [emb]), heads]) };
      ropeTables.set(rope, table);
    }
    return table;
  };
  /** HF's apply_rotary_pos_emb on [B, T, heads, d_head]: x·cos + rotate_half(x)·sin on the first rotaryDim dims. */
  const rotate = (x4: string, rope: RopeSpec): string => {
    const { cos, sin } = ropeFor(rope);
    const rot = rope.rotaryDim;
    const [xr, xp] = rot < dh ? g.op('Split', [x4, g.constInt64([rot, dh - rot])], { axis: -1 }, 2) : [x4, ''];
    const [x1, x2] = g.op('Split', [xr, g.constInt64([rot / 2, rot / 2])], { axis: -1 }, 2);
    const half = g.op1('Concat', [g.op1('Neg', [x2]), x1], { axis: -1 });
    const rotated = g.op1('Add', [g.op1('Mul', [xr, cos]), g.op1('Mul', [half, sin])]);
    return xp ? g.op1('Concat', [rotated, xp], { axis: -1 }) : rotated;
  };
  const flatHeads = (heads: number) => g.constInt64([0, 0, heads * dh]);
  const toHeads = (heads: number) => g.constInt64([0, 0, heads, dh]); // 0 = copy batch and positions

  /** q, k, v as [B, T, heads, d_head] from the block's input, with hook_q/k/v named. */
  const projectQkv = (x: string, l: number, hook: (s: string) => string | undefined): [string, string, string] => {
    const lw = family.layer(l);
    if (c.qkvLayout === 'conv1d') {
      const qkv = g.op1('Add', [g.op1('MatMul', [x, w(`${lw.qkv}.weight`)]), w(`${lw.qkv}.bias`)], {}, hook('attn.hook_qkv'));
      const [q, k, v] = g.op('Split', [qkv, g.constInt64([qWidth, qWidth, qWidth])], { axis: 2 }, [
        hook('attn.hook_q') ?? g.fresh('q'), hook('attn.hook_k') ?? g.fresh('k'), hook('attn.hook_v') ?? g.fresh('v'),
      ]);
      return [g.op1('Reshape', [q, toHeads(H)]), g.op1('Reshape', [k, toHeads(H)]), g.op1('Reshape', [v, toHeads(H)])];
    }
    if (c.qkvLayout === 'neox') {
      // HF: qkv.view(b, t, heads, 3 * head_size), then q, k, v are the thirds of each head.
      const qkv = linear(x, lw.qkv!, c.qkvBias, c.nEmbd, undefined, [H, 3 * dh]).y;
      const parts = g.op('Split', [qkv, g.constInt64([dh, dh, dh])], { axis: -1 }, 3);
      (['attn.hook_q', 'attn.hook_k', 'attn.hook_v'] as const).forEach((s, i) => { if (hook(s)) g.op1('Reshape', [parts[i], flatHeads(H)], {}, hook(s)); });
      return parts as [string, string, string];
    }
    const q = linear(x, lw.q!, c.qkvBias, c.nEmbd, hook('attn.hook_q')).y;
    const k = linear(x, lw.k!, c.qkvBias, c.nEmbd, hook('attn.hook_k')).y;
    const v = linear(x, lw.v!, c.qkvBias, c.nEmbd, hook('attn.hook_v')).y;
    return [g.op1('Reshape', [q, toHeads(H)]), g.op1('Reshape', [k, toHeads(KV)]), g.op1('Reshape', [v, toHeads(KV)])];
  };

  /** The attention sublayer up to and including the output projection (before any post-norm). */
  const attention = (x: string, l: number, hook: (s: string) => string | undefined, outHook?: string): LinearOut => {
    const lw = family.layer(l);
    const projected = projectQkv(x, l, hook);
    let [q4, k4] = projected;
    const v4 = projected[2];
    if (c.qkNorm) {
      q4 = norm(q4, { weight: lw.qNorm! }, `blocks.${l}.attn.q_norm`);
      k4 = norm(k4, { weight: lw.kNorm! }, `blocks.${l}.attn.k_norm`);
    }
    if (c.positions === 'rotary') {
      q4 = rotate(q4, c.rope[l]);
      k4 = rotate(k4, c.rope[l]);
      if (hook('attn.hook_rot_q')) g.op1('Reshape', [q4, flatHeads(H)], {}, hook('attn.hook_rot_q'));
      if (hook('attn.hook_rot_k')) g.op1('Reshape', [k4, flatHeads(KV)], {}, hook('attn.hook_rot_k'));
    }
    const qh = g.op1('Transpose', [q4], { perm: [0, 2, 1, 3] }); // [B,H,T,dh]
    const kt = g.op1('Transpose', [k4], { perm: [0, 2, 3, 1] }); // [B,KV,dh,T]
    const vh = g.op1('Transpose', [v4], { perm: [0, 2, 1, 3] }); // [B,KV,T,dh]
    // Grouped-query attention as HF's repeat_kv: query head h reads kv head floor(h / groups). The
    // query heads are viewed as [KV, groups] and MatMul broadcasts k and v over the groups.
    const raw = groups === 1
      ? g.op1('MatMul', [qh, kt])
      : g.op1('Reshape', [g.op1('MatMul', [g.op1('Reshape', [qh, g.constInt64([0, KV, groups, -1, dh])]), g.op1('Unsqueeze', [kt, g.constInt64([2])])]), g.constInt64([0, H, -1, 0])]);
    let scaled: string;
    if (c.modelType === 'gpt2') {
      let divisor = 1;
      if (c.scaleAttnWeights) divisor *= Math.sqrt(dh);
      if (c.scaleAttnByInverseLayerIdx) divisor *= l + 1;
      scaled = divisor === 1 ? raw : g.op1('Div', [raw, g.constFloat([divisor], [], 'attn_divisor')]);
    } else {
      scaled = g.op1('Mul', [raw, g.constFloat([Math.fround(c.attnScale)], [], 'attn_scale')]);
    }
    if (c.attnSoftcap !== null) {
      const cap = g.constFloat([c.attnSoftcap], [], 'attn_softcap');
      scaled = g.op1('Mul', [g.op1('Tanh', [g.op1('Div', [scaled, cap])]), cap]);
    }
    const scores = g.op1('Where', [allowedAt(l), scaled, minusInf], {}, hook('attn.hook_attn_scores'));
    const pattern = g.op1('Softmax', [scores], { axis: -1 }, hook('attn.hook_pattern'));
    const zh = groups === 1
      ? g.op1('MatMul', [pattern, vh])
      : g.op1('Reshape', [g.op1('MatMul', [g.op1('Reshape', [pattern, g.constInt64([0, KV, groups, 0, -1])]), g.op1('Unsqueeze', [vh, g.constInt64([2])])]), g.constInt64([0, H, -1, dh])]);
    const z = g.op1('Reshape', [g.op1('Transpose', [zh], { perm: [0, 2, 1, 3] }), flatHeads(H)], {}, hook('attn.hook_z'));
    return linear(z, lw.o, c.attnOutBias, qWidth, outHook);
  };

  /** The MLP sublayer: plain act(x·W_in)·W_out or gated (act(x·W_gate) ⊙ x·W_up)·W_down. */
  const mlp = (x: string, l: number, hook: (s: string) => string | undefined, outHook?: string): LinearOut => {
    const lw = family.layer(l);
    let post: string;
    if (c.mlp === 'gated') {
      const pre = linear(x, lw.gate!, c.mlpBias, c.nEmbd, hook('mlp.hook_pre')).y;
      const preLinear = linear(x, lw.up!, c.mlpBias, c.nEmbd, hook('mlp.hook_pre_linear')).y;
      post = g.op1('Mul', [activation(g, pre, c.activation), preLinear], {}, hook('mlp.hook_post'));
    } else {
      const pre = linear(x, lw.mlpIn!, c.mlpBias, c.nEmbd, hook('mlp.hook_pre'));
      post = tanhGelu
        ? g.op1('FastGelu', [pre.y, ...(pre.bias ? [pre.bias] : [])], {}, hook('mlp.hook_post'), MS_DOMAIN)
        : activation(g, biased(pre), c.activation, hook('mlp.hook_post'));
    }
    return linear(post, lw.mlpOut, c.mlpBias, c.nInner, outHook);
  };

  for (let l = 0; l < layers; l++) {
    const lw = family.layer(l);
    const hook = (suffix: string) => hookName(`blocks.${l}.${suffix}`);
    const gatherHere = readRows !== '' && l === layers - 1;

    const ln1 = norm(resid, lw.ln1, `blocks.${l}.ln1`);
    if (l > 0 && hook('hook_resid_pre')) resid = g.op1('Identity', [resid], {}, hook('hook_resid_pre'));
    const residPre = resid;
    let attnOut: LinearOut;
    if (c.postNorms) {
      attnOut = { y: norm(biased(attention(ln1, l, hook)), lw.ln1Post!, `blocks.${l}.ln1_post`) };
      if (hook('hook_attn_out')) attnOut = { y: g.op1('Identity', [attnOut.y], {}, hook('hook_attn_out')) };
    } else {
      attnOut = attention(ln1, l, hook, hook('hook_attn_out'));
    }

    if (c.parallelResidual) {
      // HF GPTNeoXLayer: mlp(ln2(x)) + attn(ln1(x)) + x.
      const x = gatherHere ? gatherRows(residPre) : residPre;
      const a = gatherHere ? gatherRows(biased(attnOut)) : biased(attnOut);
      const ln2 = norm(x, lw.ln2, `blocks.${l}.ln2`);
      const mlpOut = biased(mlp(ln2, l, hook, hook('hook_mlp_out')));
      resid = g.op1('Add', [g.op1('Add', [mlpOut, a]), x], {}, hook('hook_resid_post'));
      continue;
    }
    residualAdd(attnOut, gatherHere && !fused ? undefined : hook('hook_resid_mid'));
    if (gatherHere) {
      if (pending) pending = { ...pending, x: gatherRows(pending.x), skip: gatherRows(pending.skip) };
      else resid = gatherRows(resid, hook('hook_resid_mid'));
    }

    const ln2 = norm(resid, lw.ln2, `blocks.${l}.ln2`);
    let mlpOut: LinearOut;
    if (c.postNorms) {
      mlpOut = { y: norm(biased(mlp(ln2, l, hook)), lw.ln2Post!, `blocks.${l}.ln2_post`) };
      if (hook('hook_mlp_out')) mlpOut = { y: g.op1('Identity', [mlpOut.y], {}, hook('hook_mlp_out')) };
    } else {
      mlpOut = mlp(ln2, l, hook, hook('hook_mlp_out'));
    }
    residualAdd(mlpOut, hook('hook_resid_post'));
  }
  settle();
  if (layers > 0 && hookName(`blocks.${layers}.hook_resid_pre`)) g.op1('Identity', [resid], {}, `blocks.${layers}.hook_resid_pre`);

  const finalWanted = wanted.some((n) => n.startsWith('ln_final.')) || wanted.includes('logits');
  if (layers === c.nLayer && finalWanted) {
    let lnf: string;
    if (c.modelType === 'gpt2') {
      // TransformerLens's hook_normalized is (x - mean) / std, before the LayerNorm's scale and bias.
      const ones = g.constFloat(new Array<number>(c.nEmbd).fill(1), [c.nEmbd], 'ln_unit_scale');
      const normalized = g.op1('LayerNormalization', [resid, ones], { axis: -1, epsilon: eps }, hookName('ln_final.hook_normalized'));
      lnf = g.op1('Add', [g.op1('Mul', [normalized, w(family.finalNorm.weight)]), w(family.finalNorm.bias!)]);
    } else {
      lnf = norm(resid, family.finalNorm, 'ln_final');
    }
    if (wanted.includes('logits')) {
      const flat = g.op1('Reshape', [lnf, flatRows]);
      const logits2d = unembedNodes(g, c, flat, w(spec.lmHead === 'separate' ? family.head : family.embed));
      const outShape = g.op1('Concat', [g.op1('Shape', [lnf], { end: 2 }), g.constInt64([c.vocabSize])], { axis: 0 });
      g.op1('Reshape', [logits2d, outShape], {}, 'logits');
    }
  }

  const rowOutputs = readRows ? readRowHooks(wanted, layers) : [];
  for (const name of wanted) {
    const hook = hooks.find((h) => h.name === name)!;
    const width = hook.shape.reduce<number>((a, d) => a * (d as number), 1);
    const dims: (number | string)[] = hook.positionAxis === 2
      ? ['batch', c.nHead, 'positions', 'positions']
      : rowOutputs.includes(name) ? [1, 'rows', width] : ['batch', 'positions', width];
    g.output(name, 'float32', dims);
  }
  return { bytes: g.encode(`${c.modelType}_${layers}_layers`), outputs: wanted, rowOutputs, layersBuilt: layers, nodeCount: g.nodeCount, inlineBytes: g.inlineBytes };
}

function activation(g: GraphBuilder, x: string, kind: ModelConfig['activation'], out?: string): string {
  switch (kind) {
    case 'relu':
      return g.op1('Relu', [x], {}, out);
    case 'silu':
      return g.op1('Mul', [x, g.op1('Sigmoid', [x])], {}, out);
    case 'gelu': {
      // 0.5 x (1 + erf(x / sqrt 2))
      const erf = g.op1('Erf', [g.op1('Mul', [x, g.constFloat([Math.SQRT1_2], [])])]);
      return g.op1('Mul', [g.op1('Mul', [x, g.constFloat([0.5], [])]), g.op1('Add', [erf, g.constFloat([1], [])])], {}, out);
    }
    default: {
      // gelu_new / gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const x3 = g.op1('Mul', [g.op1('Mul', [x, x]), x]);
      const inner = g.op1('Mul', [g.op1('Add', [x, g.op1('Mul', [x3, g.constFloat([0.044715], [])])]), g.constFloat([Math.sqrt(2 / Math.PI)], [])]);
      const t = g.op1('Tanh', [inner]);
      return g.op1('Mul', [g.op1('Mul', [x, g.constFloat([0.5], [])]), g.op1('Add', [t, g.constFloat([1], [])])], {}, out);
    }
  }
}
