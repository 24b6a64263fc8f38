// Direct logit attribution at a text's last position (issue 16; TransformerLens's
// ActivationCache.decompose_resid + logit_attrs, computed as the model computes its logits).
//
// With u = W_U[target] − W_U[contrast] (or W_U[target]), γ and β the final norm's weight and bias
// (Gemma: 1 + w) and `scale` that norm's scale at the position, every component c of the final
// residual (the embedding, the position embedding, each block's attn_out and mlp_out as added to
// the stream, Gemma-2's post-norms and Gemma's embedding scale included) contributes
//   ((c − mean c) / scale) · (γ ⊙ u)     LayerNorm, or   (c / scale) · (γ ⊙ u)   RMSNorm,
// and Σ components + β·u (+ the unembedding-bias difference: no supported family has one) is the
// logit difference before any final softcap. (c − mean c)·g = c·(g − mean g), so every component
// is one dot product with v = centred(γ ⊙ u) / scale. A head's own output z_h · W_O[h] (no bias)
// is attributed the same way, as z · (W_O v) summed over the head's slice: one mat-vec per layer.
// Under Gemma-2's post-attention norm the head outputs pass through that norm with its scale at
// the position held fixed (it has no centring, so the heads then sum to the attn component).
import type { AttributionComponent, AttributionLogit, AttributionResult, TextAttribution } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { loadCheckpointModel } from './checkpoint-model';
import { gemm } from '../linalg';
import { captureActivations } from '../models/capture';
import { checkpointRows, type Gpt2Model } from '../models/capture-model';
import type { ModelConfig } from '../models/config';
import { familyWeights } from '../models/family-weights';
import { modelLabel } from '../models/model-label';
import { singleToken } from '../models/single-token';
import type { RunControl } from '../run-control';
import { VERSION } from '../version';
import { textCount } from './run-title';

export { singleToken };

export interface AttributionInput {
  model: string;
  texts: string[];
  /** Read with a leading space; must be one token. */
  target: string;
  contrast?: string;
  /** Where the texts came from (a file), for errors and the saved run. */
  source?: string;
  cacheDir?: string;
  offline?: boolean;
  provider?: string;
}

/** Hooks read at the last position: every component, each layer's z, Gemma-2's post-attention scale, the final residual and the logits. */
export function attributionHooks(c: ModelConfig): string[] {
  const hooks = ['hook_embed', ...(c.positions === 'learned' ? ['hook_pos_embed'] : [])];
  for (let l = 0; l < c.nLayer; l++) {
    hooks.push(`blocks.${l}.hook_attn_out`, `blocks.${l}.hook_mlp_out`, `blocks.${l}.attn.hook_z`);
    if (c.postNorms) hooks.push(`blocks.${l}.ln1_post.hook_scale`);
  }
  hooks.push(`blocks.${c.nLayer - 1}.hook_resid_post`, 'logits');
  return hooks;
}

export async function runAttribution(input: AttributionInput, control: RunControl = {}): Promise<AttributionResult> {
  const started = Date.now();
  const { signal } = control;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });
  if (input.texts.length === 0) throw new MechLensError('bad-argument', 'no text to attribute', { input: input.source ?? 'texts', fix: 'Give at least one text.' });

  const { dir, model } = await loadCheckpointModel(input, control, {
    needs: 'logit attribution needs a Hugging Face checkpoint folder, not an .onnx file',
    fix: 'Open the checkpoint folder (config.json, model.safetensors, tokenizer.json) of the model.',
  });
  const config = model.checkpoint.config;
  const target = singleToken(model.tokenizer, input.target, 'target');
  const contrast = input.contrast?.trim() ? singleToken(model.tokenizer, input.contrast, 'contrast') : undefined;
  if (contrast && contrast.id === target.id) {
    throw new MechLensError('bad-argument', `the target and the contrast are the same token (${target.token})`, { input: 'contrast', fix: 'Choose a different contrast word, or none.' });
  }

  const hooks = attributionHooks(config);
  step(`Running ${modelLabel(dir)} on ${textCount(input.texts.length)}`, 0.05);
  const captured = await captureActivations(model, input.texts, hooks, 'last', {
    signal, provider: input.provider, onProgress: (p) => step(p.message, 0.05 + 0.7 * (p.fraction ?? 0)),
  });
  throwIfCancelled(signal);

  step('Attributing the logit to every component and head', 0.8);
  const weights = readAttributionWeights(model, target.id, contrast?.id);
  const rowOf = (hook: string, i: number) => {
    const t = captured.activations[hook];
    return t.data.subarray(i * t.dims[1], (i + 1) * t.dims[1]);
  };
  const headWeights = headReadouts(model, weights.gu);
  const texts = input.texts.map((text, i): TextAttribution => {
    throwIfCancelled(signal);
    return attributeText(config, weights, headWeights, (hook) => rowOf(hook, i), {
      text, tokenIds: captured.tokenIds[i], tokens: captured.tokens[i], position: captured.positions[i], target: target.id, contrast: contrast?.id,
    });
  });

  const label = modelLabel(dir);
  const versus = contrast ? ` − ${contrast.token}` : '';
  step('Done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'attribution',
    title: `Logit attribution of ${target.token}${versus} in ${label}`,
    model: { spec: `model:${input.model}`, label, kind: 'model-hook', dims: config.nEmbd, vocabSize: config.vocabSize, revision: captured.revision, provider: captured.provider, copy: model.copy },
    provider: captured.provider,
    target,
    ...(contrast ? { contrast } : {}),
    softcap: config.finalSoftcap,
    norm: config.norm,
    nLayer: config.nLayer,
    nHead: config.nHead,
    texts,
    bosAdded: captured.bosAdded,
    warnings: captured.warnings,
    run: { createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started, options: { target: input.target, contrast: input.contrast ?? null, provider: input.provider ?? 'auto' } },
    inputs: { model: input.model, texts: input.texts, target: input.target, contrast: input.contrast ?? null, ...(input.source ? { source: input.source } : {}) },
  };
}

interface AttributionWeights {
  /** Unembedding rows of the target and the contrast. */
  unembedTarget: Float64Array;
  unembedContrast?: Float64Array;
  /** γ ⊙ u, centred for LayerNorm: a component's value is c · gu / scale. */
  gu: Float64Array;
  /** The final norm's gain (Gemma: 1 + w) and bias. */
  gain: Float64Array;
  bias?: Float64Array;
  constant: number;
}

function readAttributionWeights(model: Gpt2Model, targetId: number, contrastId?: number): AttributionWeights {
  const { checkpoint } = model;
  const c = checkpoint.config;
  const family = familyWeights(c.modelType);
  const head = checkpoint.lmHead === 'separate' ? family.head : family.embed;
  const ids = contrastId === undefined ? [targetId] : [targetId, contrastId];
  const rows = checkpointRows(checkpoint, head, ids, model.source, 'unembedding');
  const D = c.nEmbd;
  const unembedTarget = Float64Array.from(rows.data.subarray(0, D));
  const unembedContrast = contrastId === undefined ? undefined : Float64Array.from(rows.data.subarray(D, 2 * D));
  const gain = Float64Array.from(checkpoint.readF32(family.finalNorm.weight), (w) => (c.norm === 'rmsnorm_plus_one' ? 1 + w : w));
  const bias = family.finalNorm.bias ? Float64Array.from(checkpoint.readF32(family.finalNorm.bias)) : undefined;
  const u = unembedTarget.map((w, j) => w - (unembedContrast ? unembedContrast[j] : 0));
  const gu = u.map((x, j) => x * gain[j]);
  if (c.norm === 'layernorm') {
    const mean = gu.reduce((s, x) => s + x, 0) / D;
    for (let j = 0; j < D; j++) gu[j] -= mean;
  }
  // No supported family has an unembedding bias; the constant is the final norm's bias alone.
  const constant = bias ? dot(bias, u) : 0;
  return { unembedTarget, unembedContrast, gu, gain, bias, constant };
}

/** Per layer, W_O · g (Gemma-2: through the post-attention norm's gain) over the heads' concatenated z, and the output bias's b_O · g. */
interface HeadReadout { perZ: Float64Array; biasDot: number }

function headReadouts(model: Gpt2Model, gu: Float64Array): HeadReadout[] {
  const { checkpoint } = model;
  const c = checkpoint.config;
  const family = familyWeights(c.modelType);
  const D = c.nEmbd;
  const width = c.nHead * c.dHead;
  const out: HeadReadout[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    const lw = family.layer(l);
    // Gemma-2's post-attention norm multiplies by (1 + w) after the division by its scale.
    const postGain = lw.ln1Post ? checkpoint.readF32(lw.ln1Post.weight) : undefined;
    const g = postGain ? gu.map((x, j) => x * (1 + postGain[j])) : gu;
    const weight = Float64Array.from(checkpoint.readF32(`${lw.o}.weight`));
    const column = { rows: D, cols: 1, data: g };
    // Conv1D stores W_O as [in = H·dh, out = D]; nn.Linear as [out = D, in = H·dh].
    const perZ = family.linearLayout === 'conv1d'
      ? gemm({ rows: width, cols: D, data: weight }, column).data
      : gemm({ rows: D, cols: width, data: weight }, column, { transposeA: true }).data;
    const biasName = `${lw.o}.bias`;
    const biasDot = checkpoint.tensorNames.includes(biasName) ? dot(Float64Array.from(checkpoint.readF32(biasName)), g) : 0;
    out.push({ perZ, biasDot });
  }
  return out;
}

interface TextInput { text: string; tokenIds: number[]; tokens: string[]; position: number; target: number; contrast?: number }

function attributeText(c: ModelConfig, w: AttributionWeights, heads: HeadReadout[], row: (hook: string) => Float32Array, t: TextInput): TextAttribution {
  const D = c.nEmbd;
  const resid = row(`blocks.${c.nLayer - 1}.hook_resid_post`);
  const scale = normScale(resid, c);
  const value = (hook: string) => dot(row(hook), w.gu) / scale;
  const components: AttributionComponent[] = [{ name: 'embed', value: value('hook_embed') }];
  if (c.positions === 'learned') components.push({ name: 'pos_embed', value: value('hook_pos_embed') });
  const headValues: number[][] = [];
  const attnBias: number[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    components.push({ name: `blocks.${l}.attn`, value: value(`blocks.${l}.hook_attn_out`) }, { name: `blocks.${l}.mlp`, value: value(`blocks.${l}.hook_mlp_out`) });
    const z = row(`blocks.${l}.attn.hook_z`);
    const postScale = c.postNorms ? row(`blocks.${l}.ln1_post.hook_scale`)[0] : 1;
    const { perZ, biasDot } = heads[l];
    const perHead: number[] = [];
    for (let h = 0; h < c.nHead; h++) {
      let s = 0;
      for (let i = h * c.dHead; i < (h + 1) * c.dHead; i++) s += z[i] * perZ[i];
      perHead.push(s / (postScale * scale));
    }
    headValues.push(perHead);
    attnBias.push(biasDot / (postScale * scale));
  }
  const sum = components.reduce((s, x) => s + x.value, 0) + w.constant;

  // The logits recomputed from the final residual in float64, to report them before and after the softcap.
  const mean = c.norm === 'layernorm' ? resid.reduce((s, x) => s + x, 0) / D : 0;
  const normed = Float64Array.from(resid, (x, j) => ((x - mean) / scale) * w.gain[j] + (w.bias ? w.bias[j] : 0));
  const logits = row('logits');
  const logit = (id: number, unembed: Float64Array): AttributionLogit => {
    const pre = dot(normed, unembed);
    return { id, preSoftcap: pre, postSoftcap: c.finalSoftcap === null ? pre : c.finalSoftcap * Math.tanh(pre / c.finalSoftcap), model: logits[id] };
  };
  const target = logit(t.target, w.unembedTarget);
  const contrast = t.contrast === undefined ? undefined : logit(t.contrast, w.unembedContrast!);
  return {
    text: t.text,
    tokens: t.tokens,
    tokenIds: t.tokenIds,
    position: t.position,
    logitDiff: target.preSoftcap - (contrast?.preSoftcap ?? 0),
    constant: w.constant,
    components,
    sum,
    heads: headValues,
    attnBias,
    scale,
    logits: { target, ...(contrast ? { contrast } : {}) },
    modelLogitDiff: target.model - (contrast?.model ?? 0),
  };
}

/** The final norm's scale from the full residual: sqrt(var + eps) (LayerNorm) or sqrt(mean(x²) + eps) (RMSNorm). */
function normScale(x: Float32Array, c: ModelConfig): number {
  const n = x.length;
  const mean = c.norm === 'layernorm' ? x.reduce((s, v) => s + v, 0) / n : 0;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (x[i] - mean) ** 2;
  return Math.sqrt(squares / n + c.layerNormEpsilon);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
