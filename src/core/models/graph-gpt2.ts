// The GPT-2 forward pass as an ONNX graph, with Hugging Face's math: Conv1D weights are [in, out]
// (so x @ W directly), LayerNorm eps from config, the configured GELU, and the LM head tied to wte.
// Every TransformerLens hook point is a named tensor; only the blocks up to the deepest requested
// hook are built, and the graph outputs are exactly the requested hooks (shapes in hooks.ts).
// Positions and which keys each token may attend to are inputs, not derived from the batch: a row
// may be one right-padded text (causal mask) or several texts packed as a prefix tree, where a
// token sees only its ancestors (packing.ts). Hugging Face's causal, padding-masked attention is
// the first case.
import type { Gpt2Config } from './config';
import { GraphBuilder, MS_DOMAIN, type Weight } from './onnx-graph';
import type { HookPoint } from './hooks';

export const INPUT_IDS = 'input_ids';
/** [batch, positions] int64: each token's position in its text (its depth in the prefix tree). */
export const POSITION_IDS = 'position_ids';
/** [batch, positions, positions] bool: allowed[b, q, k] = query token q may attend to key token k. */
export const ATTENTION_ALLOWED = 'attention_allowed';
/** [rows] int64, with `readRows`: the token slots (b · positions + t) whose rows are read. */
export const READ_ROWS = 'read_rows';

export interface Gpt2GraphSpec {
  config: Gpt2Config;
  hooks: readonly HookPoint[];
  /** Looks up a weight by its canonical name without the `transformer.` prefix (e.g. `h.0.attn.c_attn.weight`). */
  weight: (name: string) => Weight;
  /** 'separate' when the checkpoint has its own `lm_head.weight`; GPT-2 ties the head to wte. */
  lmHead?: 'tied' | 'separate';
  /**
   * Use onnxruntime's com.microsoft contrib ops (SkipLayerNormalization, FastGelu): fewer passes
   * over the activations. Default true; false builds standard ONNX ops only (for other runtimes,
   * and as the benchmark's baseline). FastGelu is the tanh GELU, so configs with another
   * activation always use standard ops for it.
   */
  contribOps?: boolean;
  /**
   * Compute the part of the last block after its attention only at the slots in the READ_ROWS
   * input: the MLP there, the final LayerNorm and the LM head change nothing that is read at
   * other positions, while attention needs every key. The hooks from there on (readRowHooks)
   * come out as [1, rows, width] in READ_ROWS order; the others keep [batch, positions, …].
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
  const afterAttention = (suffix: string) => suffix === 'hook_resid_mid' || suffix === 'hook_resid_post' || suffix === 'hook_mlp_out' || suffix.startsWith('mlp.');
  return names.filter((n) => n === 'logits' || n.startsWith('ln_final.') || n === `blocks.${layers}.hook_resid_pre` || (n.startsWith(last) && afterAttention(n.slice(last.length))));
}

export function buildGpt2Graph(spec: Gpt2GraphSpec): BuiltGraph {
  const { config: c, hooks } = spec;
  const wanted = [...new Set(hooks.map((h) => h.name))];
  const layers = layersNeeded(hooks, c.nLayer);
  const g = new GraphBuilder();
  const w = (name: string) => g.weight(name, () => spec.weight(name));
  // A tensor is named after its hook only when that hook was requested: unrequested hooks stay
  // anonymous, so onnxruntime is free to fuse them away.
  const hookName = (name: string) => (wanted.includes(name) ? name : undefined);

  const ids = g.input(INPUT_IDS, 'int64', ['batch', 'positions']);
  const positionIds = g.input(POSITION_IDS, 'int64', ['batch', 'positions']);
  const embed = g.op1('Gather', [w('wte.weight'), ids], { axis: 0 }, hookName('hook_embed'));
  const posEmbed = g.op1('Gather', [w('wpe.weight'), positionIds], { axis: 0 }, hookName('hook_pos_embed'));
  let resid = g.op1('Add', [embed, posEmbed], {}, hookName('blocks.0.hook_resid_pre'));

  // allowed[b, 0, q, k], broadcast over heads.
  let allowed = '';
  if (layers > 0) allowed = g.op1('Unsqueeze', [g.input(ATTENTION_ALLOWED, 'bool', ['batch', 'positions', 'positions']), g.constInt64([1])]);
  const readRows = spec.readRows && layers > 0 ? g.input(READ_ROWS, 'int64', ['rows']) : '';
  const flatRows = g.constInt64([-1, c.nEmbd]); // [.., .., d] -> [rows, d]
  /** [batch, positions, d] -> [1, rows, d] at the read slots. */
  const gatherRows = (x: string, name?: string) =>
    g.op1('Unsqueeze', [g.op1('Gather', [g.op1('Reshape', [x, flatRows]), readRows], { axis: 0 }), g.constInt64([0])], {}, name);
  const minusInf = g.constFloat([-Infinity], [], 'minus_inf');

  const H = c.nHead;
  const dh = c.nEmbd / H;
  const splitSizes = g.constInt64([c.nEmbd, c.nEmbd, c.nEmbd]);
  const headsShape = g.constInt64([0, 0, H, dh]); // 0 = copy batch and positions
  const mergedShape = g.constInt64([0, 0, c.nEmbd]);

  // With onnxruntime's contrib ops (the default), each residual Add is fused into the LayerNorm that
  // reads it (SkipLayerNormalization, whose fourth output is the sum, i.e. the residual stream), the
  // output projections' biases ride along in that node, and gelu_new is one FastGelu node that also
  // adds c_fc's bias. A bias is added on its own only when its hook (attn_out, mlp_out, mlp pre) is
  // requested, since the hook must show the biased value.
  const fused = spec.contribOps !== false;
  const tanhGelu = fused && c.activation !== 'gelu' && c.activation !== 'relu';
  // The residual stream is `resid`, or, in fused mode, the pending sum `pending.x + pending.skip (+ bias)`
  // that the next LayerNorm computes as a side output.
  let pending: { x: string; skip: string; bias?: string; name?: string } | undefined;
  const normalize = (scale: string, bias: string, sumName?: string): string => {
    if (!pending) return layerNorm(g, resid, scale, bias, c.layerNormEpsilon);
    const inputs = [pending.x, pending.skip, scale, bias, ...(pending.bias ? [pending.bias] : [])];
    const sum = sumName ?? pending.name ?? g.fresh('resid');
    const [out] = g.op('SkipLayerNormalization', inputs, { epsilon: { float: c.layerNormEpsilon } }, [g.fresh('skip_ln'), '', '', sum], MS_DOMAIN);
    resid = sum;
    pending = undefined;
    return out;
  };
  /** x @ W + b as a tensor of its own (named for its hook), or, fused and unhooked, x @ W with the bias left to the consumer. */
  const linear = (x: string, prefix: string, hook?: string): { y: string; bias?: string } => {
    const product = g.op1('MatMul', [x, w(`${prefix}.weight`)]);
    if (fused && !hook) return { y: product, bias: w(`${prefix}.bias`) };
    return { y: g.op1('Add', [product, w(`${prefix}.bias`)], {}, hook) };
  };
  const residualAdd = (x: { y: string; bias?: string }, name?: string) => {
    if (fused) {
      pending = { x: x.y, skip: resid, bias: x.bias, name };
      return;
    }
    resid = g.op1('Add', [resid, x.y], {}, name);
  };
  const settle = (name?: string) => {
    // Materializes a pending residual sum without a LayerNorm (after the last built block).
    if (!pending) return;
    const sum = g.op1('Add', [pending.x, pending.skip]);
    resid = pending.bias ? g.op1('Add', [sum, pending.bias], {}, name ?? pending.name) : g.op1('Identity', [sum], {}, name ?? pending.name);
    pending = undefined;
  };

  for (let l = 0; l < layers; l++) {
    const p = `h.${l}.`;
    const hook = (suffix: string) => hookName(`blocks.${l}.${suffix}`);

    const ln1 = normalize(w(`${p}ln_1.weight`), w(`${p}ln_1.bias`));
    if (l > 0 && hook('hook_resid_pre')) resid = g.op1('Identity', [resid], {}, hook('hook_resid_pre'));
    const qkv = g.op1('Add', [g.op1('MatMul', [ln1, w(`${p}attn.c_attn.weight`)]), w(`${p}attn.c_attn.bias`)], {}, hook('attn.hook_qkv'));
    const [q, k, v] = g.op('Split', [qkv, splitSizes], { axis: 2 }, [
      hook('attn.hook_q') ?? g.fresh('q'), hook('attn.hook_k') ?? g.fresh('k'), hook('attn.hook_v') ?? g.fresh('v'),
    ]);
    const qh = g.op1('Transpose', [g.op1('Reshape', [q, headsShape])], { perm: [0, 2, 1, 3] }); // [B,H,T,dh]
    const kt = g.op1('Transpose', [g.op1('Reshape', [k, headsShape])], { perm: [0, 2, 3, 1] }); // [B,H,dh,T]
    const vh = g.op1('Transpose', [g.op1('Reshape', [v, headsShape])], { perm: [0, 2, 1, 3] }); // [B,H,T,dh]
    let divisor = 1;
    if (c.scaleAttnWeights) divisor *= Math.sqrt(dh);
    if (c.scaleAttnByInverseLayerIdx) divisor *= l + 1;
    const raw = g.op1('MatMul', [qh, kt]);
    const scaled = divisor === 1 ? raw : g.op1('Div', [raw, g.constFloat([divisor], [], 'attn_divisor')]);
    const scores = g.op1('Where', [allowed, scaled, minusInf], {}, hook('attn.hook_attn_scores'));
    const pattern = g.op1('Softmax', [scores], { axis: -1 }, hook('attn.hook_pattern'));
    const zh = g.op1('MatMul', [pattern, vh]); // [B,H,T,dh]
    const z = g.op1('Reshape', [g.op1('Transpose', [zh], { perm: [0, 2, 1, 3] }), mergedShape], {}, hook('attn.hook_z'));
    const gatherHere = readRows !== '' && l === layers - 1;
    residualAdd(linear(z, `${p}attn.c_proj`, hook('hook_attn_out')), gatherHere && !fused ? undefined : hook('hook_resid_mid'));
    if (gatherHere) {
      if (pending) pending = { ...pending, x: gatherRows(pending.x), skip: gatherRows(pending.skip) };
      else resid = gatherRows(resid, hook('hook_resid_mid'));
    }

    const ln2 = normalize(w(`${p}ln_2.weight`), w(`${p}ln_2.bias`));
    const pre = linear(ln2, `${p}mlp.c_fc`, hook('mlp.hook_pre'));
    const post = tanhGelu
      ? g.op1('FastGelu', [pre.y, ...(pre.bias ? [pre.bias] : [])], {}, hook('mlp.hook_post'), MS_DOMAIN)
      : activation(g, pre.bias ? g.op1('Add', [pre.y, pre.bias]) : pre.y, c.activation, hook('mlp.hook_post'));
    residualAdd(linear(post, `${p}mlp.c_proj`, hook('hook_mlp_out')), hook('hook_resid_post'));
  }
  settle();
  if (layers > 0 && hookName(`blocks.${layers}.hook_resid_pre`)) g.op1('Identity', [resid], {}, `blocks.${layers}.hook_resid_pre`);

  if (layers === c.nLayer && (wanted.includes('ln_final.hook_normalized') || wanted.includes('logits'))) {
    // TransformerLens's hook_normalized is (x - mean) / std, before the LayerNorm's scale and bias.
    const ones = g.constFloat(new Array<number>(c.nEmbd).fill(1), [c.nEmbd], 'ln_unit_scale');
    const normalized = g.op1('LayerNormalization', [resid, ones], { axis: -1, epsilon: { float: c.layerNormEpsilon } }, hookName('ln_final.hook_normalized'));
    if (wanted.includes('logits')) {
      const lnf = g.op1('Add', [g.op1('Mul', [normalized, w('ln_f.weight')]), w('ln_f.bias')]);
      // Gemm with transB reads the tied [V, D] wte as the head without a transposed copy in the graph.
      const flat = g.op1('Reshape', [lnf, flatRows]);
      const head = spec.lmHead === 'separate' ? 'lm_head.weight' : 'wte.weight';
      const logits2d = g.op1('Gemm', [flat, w(head)], { transB: 1 });
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
  return { bytes: g.encode(`gpt2_${layers}_layers`), outputs: wanted, rowOutputs, layersBuilt: layers, nodeCount: g.nodeCount, inlineBytes: g.inlineBytes };
}

function layerNorm(g: GraphBuilder, x: string, scale: string, bias: string, epsilon: number): string {
  return g.op1('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: epsilon } });
}

function activation(g: GraphBuilder, x: string, kind: Gpt2Config['activation'], out?: string): string {
  switch (kind) {
    case 'relu':
      return g.op1('Relu', [x], {}, out);
    case 'gelu': {
      // 0.5 x (1 + erf(x / sqrt 2))
      const erf = g.op1('Erf', [g.op1('Mul', [x, g.constFloat([Math.SQRT1_2], [])])]);
      return g.op1('Mul', [g.op1('Mul', [x, g.constFloat([0.5], [])]), g.op1('Add', [erf, g.constFloat([1], [])])], {}, out);
    }
    default: {
      // gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.0 x^3)))
      const x3 = g.op1('Mul', [g.op1('Mul', [x, x]), x]);
      const inner = g.op1('Mul', [g.op1('Add', [x, g.op1('Mul', [x3, g.constFloat([0.044715], [])])]), g.constFloat([Math.sqrt(2 / Math.PI)], [])]);
      const t = g.op1('Tanh', [inner]);
      return g.op1('Mul', [g.op1('Mul', [x, g.constFloat([0.5], [])]), g.op1('Add', [t, g.constFloat([1], [])])], {}, out);
    }
  }
}
