// Job 4: hook attention inside a model (design.md, "The five jobs"). Every word is put in a prompt
// template, Q, K and V are read at the word's token (the last token for the notebook's template),
// and the Q and K representations are compared with RSA, overall, per category and per head.
// The layer sweep hooks every layer in one forward pass.
import type { AttentionResult, AttentionSae, AttentionSpace } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { loadCheckpointModel } from './checkpoint-model';
import { toJson, type Matrix } from '../matrix';
import { captureActivations } from '../models/capture';
import { checkSingleTokens } from '../models/positions';
import type { RunControl } from '../run-control';
import { upperTriangle } from '../stats/correlation';
import { histogram } from '../stats/histogram';
import { representationalSimilarity, rsaByCategory } from '../stats/rsa';
import { selectivityIndex } from '../stats/selectivity';
import { cosineSimilarityMatrix } from '../stats/similarity';
import { readWordListFile, type WordList } from '../text/word-list';
import { VERSION } from '../version';
import { attentionSaeRow, featureRsa, silentWarning, wordFeatures, type WordFeatures } from './attention-sae';
import { DEFAULT_HOOK_TEMPLATE } from './model-source';
import { openSae } from './sae-features';

export interface AttentionInput {
  wordsPath: string;
  wordList?: WordList;
  model: string;
  template?: string;
  layer?: number;
  /** Words that are several tokens: drop them (default) or read their last piece. */
  pieces?: 'drop' | 'last-piece';
  permutations?: number;
  seed?: number;
  /** Hook every layer and report the statistics per layer. */
  sweep?: boolean;
  bins?: number;
  cacheDir?: string;
  offline?: boolean;
  provider?: string;
  /** An SAE (spec as in core/models/sae/load.ts) whose features at its own hook are compared with Q and K. */
  sae?: string;
}

export const ATTENTION_DEFAULTS = Object.freeze({ model: 'gpt2-medium', template: DEFAULT_HOOK_TEMPLATE, layer: 5, permutations: 1000, bins: 30 });

export async function runAttention(input: AttentionInput, control: RunControl = {}): Promise<AttentionResult> {
  const started = Date.now();
  const { signal } = control;
  const template = input.template ?? ATTENTION_DEFAULTS.template;
  const layer = input.layer ?? ATTENTION_DEFAULTS.layer;
  const permutations = input.permutations ?? ATTENTION_DEFAULTS.permutations;
  const seed = input.seed ?? 0;
  const bins = input.bins ?? ATTENTION_DEFAULTS.bins;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });

  const list = input.wordList ?? readWordListFile(input.wordsPath);
  const opened = input.sae ? await openSae(input.sae, undefined, input.model, input, control) : undefined;
  const { model } = await loadCheckpointModel(input, control, {
    needs: 'the attention job needs a Hugging Face checkpoint folder',
    fix: 'Use a checkpoint folder or hub id of a supported family (GPT-2, Pythia, Llama, Qwen, Gemma-2).',
  });
  const nLayer = model.checkpoint.config.nLayer;
  const nHead = model.checkpoint.config.nHead;
  // Grouped-query attention: K and V come per kv head, and query head h reads kv head floor(h / groups).
  const nKvHead = model.checkpoint.config.nKvHead;
  const groups = nHead / nKvHead;
  if (!Number.isInteger(layer) || layer < 0 || layer >= nLayer) {
    throw new MechLensError('bad-argument', `layer ${layer} does not exist: the model has layers 0 to ${nLayer - 1}`, { input: input.model, fix: `Choose a layer from 0 to ${nLayer - 1}.` });
  }

  const words = list.items.map((i) => i.word);
  const check = checkSingleTokens(model.tokenizer, template, words, input.pieces ?? 'drop');
  if (check.kept.length < 3) {
    throw new MechLensError('not-found', `only ${check.kept.length} of ${words.length} words are single tokens in "${template}"`, { input: input.wordsPath, fix: 'Use words that are one token for this model, or read the last piece of the others.' });
  }
  const categoryOf = new Map(list.items.map((i) => [i.word, i.category]));
  const items = check.kept;
  const itemCategories = items.map((w) => categoryOf.get(w) ?? null);

  const layers = input.sweep ? Array.from({ length: nLayer }, (_, l) => l) : [layer];
  const hooksAt = (l: number) => ({ q: `blocks.${l}.attn.hook_q`, k: `blocks.${l}.attn.hook_k`, v: `blocks.${l}.attn.hook_v`, mlp: `blocks.${l}.mlp.hook_post`, resid: `blocks.${l}.hook_resid_post` });
  const hooks = layers.flatMap((l) => (input.sweep ? Object.values(hooksAt(l)) : [hooksAt(l).q, hooksAt(l).k, hooksAt(l).v]));
  step(`Capturing ${hooks.length} hooks for ${items.length} prompts`, 0.05);
  const captured = await captureActivations(model, check.inputs, hooks, 'target', {
    signal, provider: input.provider, onProgress: (p) => step(p.message, 0.05 + 0.4 * (p.fraction ?? 0)),
  });
  throwIfCancelled(signal);
  const rows = (hook: string): Matrix<Float32Array> => {
    const t = captured.activations[hook];
    return { rows: t.dims[0], cols: t.dims[1], data: t.data };
  };

  let features: WordFeatures | undefined;
  if (opened) {
    step(`SAE features at ${opened.hook}`, 0.45);
    features = await wordFeatures(model, opened, check.inputs, { signal, provider: input.provider });
    throwIfCancelled(signal);
  }

  step('Similarities and RSA', 0.5);
  const main = hooksAt(layer);
  const describe = (hook: string, sim: Matrix): AttentionSpace & { sim: Matrix } => {
    const h = histogram(upperTriangle(sim), { bins });
    return { hook, sim, similarity: toJson(sim), selectivity: selectivityIndex(sim, itemCategories), histogram: { edges: Array.from(h.edges), counts: Array.from(h.counts) } };
  };
  const space = (hook: string) => describe(hook, cosineSimilarityMatrix(rows(hook)).similarity);
  const q = space(main.q);
  const k = space(main.k);
  const v = space(main.v);
  const rsa = representationalSimilarity(q.sim, k.sim, { permutations, seed, signal });
  const byCategory = rsaByCategory(q.sim, k.sim, itemCategories, { permutations, seed, signal });
  const warnings = [...check.warnings, ...captured.warnings];
  const kvHeads = groups === 1 ? null : {
    nKvHead,
    groups,
    note: `Grouped-query attention: ${nHead} query heads share ${nKvHead} key/value heads, ${groups} query heads each; query head h reads kv head floor(h / ${groups}). `
      + `K and V are ${nKvHead} heads × ${model.checkpoint.config.dHead}. Per-head RSA compares query head h's similarity matrix with that of the kv head it reads, so the ${groups} query heads of one group share one K matrix.`,
  };
  if (kvHeads) warnings.push(kvHeads.note);
  for (const s of byCategory.skipped) warnings.push(`RSA within "${s.category}" is undefined: ${s.reason}.`);

  step('Per-head RSA', 0.75);
  const saeHeads: AttentionSae['heads'] = [];
  const heads = Array.from({ length: nHead }, (_, head) => {
    const kvHead = Math.floor(head / groups);
    const qs = headSlice(rows(main.q), head, nHead);
    const ks = headSlice(rows(main.k), kvHead, nKvHead);
    const qSim = cosineSimilarityMatrix(qs).similarity;
    const kSim = cosineSimilarityMatrix(ks).similarity;
    if (features) saeHeads.push({ head, rsaQ: featureRsa(features.sim, qSim)?.pearson ?? null, rsaK: featureRsa(features.sim, kSim)?.pearson ?? null });
    return { head, kvHead, rsa: safeRsa(qSim, kSim), selectivityQ: selectivityIndex(qSim, itemCategories).index, selectivityK: selectivityIndex(kSim, itemCategories).index };
  });

  let sweep: AttentionResult['sweep'] = null;
  if (input.sweep) {
    step('Layer sweep', 0.85);
    sweep = layers.map((l) => {
      throwIfCancelled(signal);
      const h = hooksAt(l);
      const sims = Object.fromEntries(Object.entries(h).map(([name, hook]) => [name, cosineSimilarityMatrix(rows(hook)).similarity]));
      const sel = (name: string) => selectivityIndex(sims[name], itemCategories).index;
      const withFeatures = (name: string) => (features ? featureRsa(features.sim, sims[name])?.pearson ?? null : null);
      return {
        layer: l, rsaQK: safeRsa(sims.q, sims.k), selectivity: { q: sel('q'), k: sel('k'), v: sel('v'), mlp: sel('mlp'), resid: sel('resid') },
        ...(features ? { sae: { q: withFeatures('q'), k: withFeatures('k'), resid: withFeatures('resid') } } : {}),
      };
    });
  }

  const strip = ({ sim: _sim, ...rest }: AttentionSpace & { sim: unknown }): AttentionSpace => rest;
  let sae: AttentionSae | undefined;
  if (opened && features) {
    step('RSA of the SAE features with Q and K', 0.95);
    const rsaOptions = { permutations, seed, signal };
    sae = attentionSaeRow(opened, features, strip(describe(opened.hook, features.sim)), items,
      featureRsa(features.sim, q.sim, rsaOptions), featureRsa(features.sim, k.sim, rsaOptions), saeHeads);
    warnings.push(...features.warnings);
    const silent = silentWarning(sae.silent, opened.sae.label);
    if (silent) warnings.push(silent);
  }
  step('Done', 1);
  const modelName = input.model.replace(/^.*[\\/]/, '');
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'attention',
    title: `Q/K at layer ${layer} of ${modelName}: "${template}"${sae ? `, with features of ${sae.info.label}` : ''}`,
    model: { spec: `model:${input.model}#${main.q}`, label: modelName, kind: 'model-hook', dims: rows(main.q).cols, revision: captured.revision, provider: captured.provider, copy: model.copy },
    provider: captured.provider,
    template,
    layer,
    items,
    itemCategories,
    categories: list.categories.filter((c) => itemCategories.includes(c)),
    missing: words.filter((w) => !items.includes(w)),
    pieces: check.checks.filter((c) => !c.single).map((c) => ({ word: c.word, pieces: c.pieces })),
    q: strip(q),
    k: strip(k),
    v: strip(v),
    rsa,
    rsaByCategory: byCategory.rsa,
    heads,
    kvHeads,
    bosAdded: captured.bosAdded,
    sweep,
    ...(sae ? { sae } : {}),
    warnings,
    run: { createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started, options: { template, layer, permutations, seed, pieces: input.pieces ?? 'drop', sweep: !!input.sweep, bins, ...(input.sae ? { sae: input.sae } : {}) } },
    inputs: { words: input.wordsPath, model: input.model, template, layer, seed, ...(input.sae ? { sae: input.sae } : {}) },
  };
}

/** The d_head columns of one head: attention hooks are flattened head-major. */
function headSlice(m: Matrix<Float32Array>, head: number, nHead: number): Matrix<Float32Array> {
  const width = m.cols / nHead;
  const data = new Float32Array(m.rows * width);
  for (let i = 0; i < m.rows; i++) data.set(m.data.subarray(i * m.cols + head * width, i * m.cols + (head + 1) * width), i * width);
  return { rows: m.rows, cols: width, data };
}

function safeRsa(a: Matrix, b: Matrix): number | null {
  try {
    return representationalSimilarity(a, b, { permutations: 0 }).pearson;
  } catch (e) {
    if (e instanceof MechLensError) return null;
    throw e;
  }
}

