// Job 5: contrast two sentence groups neuron by neuron (design.md, "The five jobs"). Defaults are the
// notebook's: blocks.5.mlp.hook_pre, Student's t, Bonferroni at 0.05 / nNeurons, t-SNE perplexity 30,
// DBSCAN min_samples 3 (eps from the map's spacing unless given; the notebook's 1) and k-means k 3 on
// the map of significant neurons.
import { autoEps } from './embedding-map';
import { existsSync } from 'node:fs';
import type { Adjustment, ContrastResult, NeuronCluster } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { dbscan } from '../cluster/dbscan';
import { kmeans } from '../cluster/kmeans';
import { MechLensError, throwIfCancelled } from '../errors';
import { assertModelFits } from '../models/weight-memory';
import { tsne } from '../layout/tsne';
import { toJson, type Matrix } from '../matrix';
import { captureActivations } from '../models/capture';
import { loadModel } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import { modelLabel } from '../models/model-label';
import type { Progress, RunControl } from '../run-control';
import { captureSaeFeatures, openSae, saeInfo } from './sae-features';
import { benjaminiHochberg, bonferroni } from '../stats/corrections';
import { labelPermutationCheck } from '../stats/label-permutation';
import { cosineSimilarityMatrix, gramMatrix } from '../stats/similarity';
import { twoSampleTTest } from '../stats/ttest';
import { readSentenceSetFile, type SentenceSet } from '../text/sentence-set';
import { VERSION } from '../version';

export interface ContrastInput {
  sentencesPath: string;
  sentenceSet?: SentenceSet;
  model: string;
  /** Hook to read; default CONTRAST_DEFAULTS.hook, or with `sae` the SAE's own hook. */
  hook?: string;
  /** Contrast the features of this SAE (spec as in core/models/sae/load.ts) instead of the hook's units. */
  sae?: string;
  /** Target strings searched in sentences without a `{marker}`, e.g. [" him", " her"]. */
  targets?: string[];
  test?: 'student' | 'welch';
  correction?: 'bonferroni' | 'fdr';
  alpha?: number;
  /** Shuffles of the group labels for the significance-count check (0 skips it). */
  shuffles?: number;
  perplexity?: number;
  eps?: number;
  minSamples?: number;
  k?: number;
  seed?: number;
  cacheDir?: string;
  offline?: boolean;
  provider?: string;
}

export const CONTRAST_DEFAULTS = Object.freeze({ hook: 'blocks.5.mlp.hook_pre', test: 'student', correction: 'bonferroni', alpha: 0.05, shuffles: 200, perplexity: 30, eps: 1, minSamples: 3, k: 3 } as const);

/**
 * Hub ids with per-neuron pages on neuroscope.io, and the site's name for each: GPT-2 small to XL,
 * and Pythia-70M (neuroscope.io/pythia-70m/L/N.html). Other models (other Pythia sizes, Llama,
 * Qwen, Gemma) have none; the panel says so instead of linking.
 */
const NEUROSCOPE_PAGES: Record<string, string> = {
  'gpt2': 'gpt2-small', 'gpt2-small': 'gpt2-small', 'gpt2-medium': 'gpt2-medium', 'gpt2-large': 'gpt2-large', 'gpt2-xl': 'gpt2-xl', 'distilgpt2': 'distilgpt2',
  'EleutherAI/pythia-70m': 'pythia-70m',
};

/** The base of a model's Neuroscope neuron pages, or null when the site has none for it. */
export function neuroscopeBase(modelName: string): string | null {
  const page = Object.hasOwn(NEUROSCOPE_PAGES, modelName) ? NEUROSCOPE_PAGES[modelName] : undefined;
  return page ? `https://neuroscope.io/${page}` : null;
}

export async function runContrast(input: ContrastInput, control: RunControl = {}): Promise<ContrastResult> {
  const started = Date.now();
  const { signal } = control;
  const o = { ...CONTRAST_DEFAULTS, seed: 0, ...stripUndefined(input) };
  const opened = input.sae ? await openSae(input.sae, input.hook, input.model, input, control) : undefined;
  if (opened) o.hook = opened.hook;
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });

  step('Reading the sentences', 0);
  const set = input.sentenceSet ?? readSentenceSetFile(input.sentencesPath);
  const groups = set.categories;
  if (groups.length !== 2) {
    throw new MechLensError('bad-argument', `a contrast needs exactly two [groups], found ${groups.length}${groups.length ? ` (${groups.join(', ')})` : ''}`, {
      input: input.sentencesPath, fix: 'Put the sentences under two headers, e.g. [him] and [her].',
    });
  }
  const rows = set.sentences.filter((s) => s.category !== null).sort((x, y) => groups.indexOf(x.category!) - groups.indexOf(y.category!));
  const nA = rows.filter((s) => s.category === groups[0]).length;
  const nB = rows.length - nA;
  if (nA < 2 || nB < 2) {
    throw new MechLensError('bad-argument', `each group needs at least 2 sentences for a t-test (${groups[0]}: ${nA}, ${groups[1]}: ${nB})`, { input: input.sentencesPath, fix: 'Add sentences to the smaller group.' });
  }

  step(`Loading ${input.model}`, 0.02);
  const dir = await ensureModel(input.model, { cacheDir: input.cacheDir, offline: input.offline, signal, onStatus: (message) => control.onProgress?.({ message }) });
  const model = await loadModel(dir);
  assertModelFits(model, input.model);
  step(`Capturing ${o.hook} for ${rows.length} sentences`, 0.05);
  const inputs = rows.map((s) => ({ text: s.text, target: s.target, targetStart: s.targetStart, line: s.line, source: input.sentencesPath }));
  const captureOptions = { signal, targets: input.targets, provider: input.provider, onProgress: (p: Progress) => step(p.message, 0.05 + 0.45 * (p.fraction ?? 0)) };
  // With an SAE, its features at the target token are the units: every column is a feature index.
  const features = opened ? await captureSaeFeatures(model, opened, inputs, 'target', captureOptions) : undefined;
  const captured = features ? features.captured : await captureActivations(model, inputs, [o.hook], 'target', captureOptions);
  throwIfCancelled(signal);
  const tensor = Object.values(captured.activations)[0];
  const values = features ? features.encoding.acts.data : tensor.data;
  const neurons = features ? features.encoding.acts.cols : tensor.dims[1];
  const all: Matrix<Float32Array> = { rows: rows.length, cols: neurons, data: values };
  const groupA: Matrix<Float32Array> = { rows: nA, cols: neurons, data: values.subarray(0, nA * neurons) };
  const groupB: Matrix<Float32Array> = { rows: nB, cols: neurons, data: values.subarray(nA * neurons) };

  step('t-tests per neuron', 0.5);
  const equalVariance = o.test === 'student';
  const tt = twoSampleTTest(groupA, groupB, { equalVariance });
  const corrected = o.correction === 'bonferroni' ? bonferroni(tt.p, o.alpha) : benjaminiHochberg(tt.p, o.alpha);
  const significant: number[] = [];
  corrected.significant.forEach((s, i) => { if (s) significant.push(i); });

  step(`Shuffling group labels ${o.shuffles} times`, 0.55);
  const shuffle = o.shuffles > 0
    ? labelPermutationCheck(groupA, groupB, { correction: o.correction, equalVariance, alpha: o.alpha, permutations: o.shuffles, seed: o.seed, signal })
    : null;

  const warnings = [...set.warnings, ...(opened?.warnings ?? []), ...captured.warnings];
  const unit = opened ? 'features' : 'neurons';
  if (tt.zeroVariance.length) warnings.push(`${tt.zeroVariance.length} ${unit} are constant in both groups${opened ? ' (most of them never fire on these sentences)' : ''}; they get t = 0, p = 1.`);
  const adjusted: NonNullable<ContrastResult['adjusted']> = {};
  // Without an explicit eps, DBSCAN's radius comes from the map's own spacing, as in Compare (autoEps):
  // a fixed eps 1 made every neuron noise on t-SNE maps whose scale depends on the data.
  const { eps: chosenEps, ...neuronMap } = await mapSignificantNeurons(all, significant, tt.t, { ...o, eps: input.eps }, warnings, adjusted,
    { signal, onProgress: (p) => step(p.message, 0.7 + 0.25 * (p.fraction ?? 0)) });
  o.eps = chosenEps;
  const epsChosen = input.eps === undefined ? 'auto' : 'given';

  const layerMatch = /^blocks\.(\d+)\./.exec(tensor.hook);
  // A local folder is named as the model, not by its whole path (the title would be a path otherwise).
  const modelName = existsSync(input.model) ? modelLabel(input.model) : input.model.replace(/^openai-community\//, '');
  step('Done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'contrast',
    title: `${groups[0]} vs ${groups[1]} at ${o.hook} of ${modelName}${opened ? `, features of ${opened.sae.label}` : ''}`,
    model: { spec: `model:${input.model}#${o.hook}${input.sae ? `@sae:${input.sae}` : ''}`, label: modelName, kind: 'model-hook', dims: neurons, revision: captured.revision, provider: captured.provider, copy: model.copy },
    ...(opened ? { sae: saeInfo(opened.sae) } : {}),
    hook: o.hook,
    layer: layerMatch ? Number(layerMatch[1]) : null,
    provider: captured.provider,
    groups: [groups[0], groups[1]],
    sentences: rows.map((s, i) => ({ text: s.text, group: i < nA ? 0 : 1, position: captured.positions[i], token: captured.tokens[i][captured.positions[i]], line: s.line })),
    tokens: captured.tokens,
    bosAdded: captured.bosAdded,
    activations: toJson(all),
    test: o.test,
    correction: o.correction,
    alpha: o.alpha,
    t: Array.from(tt.t),
    p: Array.from(tt.p),
    pAdjusted: Array.from(corrected.adjusted),
    df: Array.from(tt.df),
    cohenD: Array.from(tt.cohenD),
    meanA: Array.from(tt.meanA),
    meanB: Array.from(tt.meanB),
    significant,
    threshold: corrected.threshold,
    zeroVariance: tt.zeroVariance,
    labelShuffle: shuffle
      ? { shuffles: shuffle.counts.length, observed: shuffle.observed, counts: Array.from(shuffle.counts), meanShuffled: shuffle.meanShuffled, pValue: shuffle.pValue }
      : { shuffles: 0, observed: significant.length, counts: [], meanShuffled: NaN, pValue: NaN },
    ...neuronMap,
    neuroscope: opened ? null : neuroscopeBase(modelName),
    warnings,
    ...(Object.keys(adjusted).length ? { adjusted } : {}),
    run: { createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started, options: { ...o, epsChosen, sentencesPath: undefined, sentenceSet: undefined } },
    inputs: { sentences: input.sentencesPath, model: input.model, hook: o.hook, targets: input.targets ?? [], seed: o.seed, ...(input.sae ? { sae: input.sae } : {}) },
  };
}

type NeuronMap = Pick<ContrastResult, 'coords' | 'labels' | 'clusters' | 'kmeans' | 'clusterOrder' | 'gram' | 'cosine'>;

/** Neurons are the points and sentences the features, as in the notebook. */
async function mapSignificantNeurons(all: Matrix, significant: number[], t: ArrayLike<number>, o: { perplexity: number; eps: number | undefined; minSamples: number; k: number; seed: number }, warnings: string[],
  adjusted: NonNullable<ContrastResult['adjusted']>, control: RunControl): Promise<NeuronMap & { eps: number }> {
  const n = significant.length;
  if (n === 0) return { coords: [], labels: [], clusters: [], kmeans: null, clusterOrder: [], gram: [], cosine: [], eps: o.eps ?? CONTRAST_DEFAULTS.eps };
  const profiles = new Float64Array(n * all.rows);
  significant.forEach((neuron, i) => { for (let s = 0; s < all.rows; s++) profiles[i * all.rows + s] = all.data[s * all.cols + neuron]; });
  const x: Matrix<Float64Array> = { rows: n, cols: all.rows, data: profiles };
  let coords: Matrix<Float64Array>;
  if (n >= 3) {
    const perplexity = Math.min(o.perplexity, Math.max(1, (n - 1) / 3));
    if (perplexity < o.perplexity) {
      warnings.push(`Only ${n} significant neurons: t-SNE perplexity lowered from ${o.perplexity} to ${perplexity.toFixed(1)}.`);
      adjusted.perplexity = { asked: o.perplexity, used: perplexity, why: `at most (n − 1) / 3 for ${n} significant neurons` };
    }
    coords = tsne(x, { perplexity, seed: o.seed }, { signal: control.signal, onIteration: (it) => control.onProgress?.({ message: `t-SNE of ${n} significant neurons, iteration ${it}`, fraction: it / 1000 }) }).coords;
  } else {
    coords = { rows: n, cols: 2, data: new Float64Array(n * 2) };
    warnings.push(`Only ${n} significant neuron${n === 1 ? '' : 's'}: no t-SNE map.`);
  }
  const eps = o.eps ?? (n > 1 ? autoEps(coords, o.minSamples, o.seed) : CONTRAST_DEFAULTS.eps);
  const clustered = clusterSignificantNeurons(all, significant, t, coords, { ...o, eps }, warnings);
  const k = kAdjustment(o.k, clustered.kmeans, `${n} significant neurons`);
  if (k) adjusted.k = k;
  return { coords: toJson(coords), ...clustered, eps };
}

/**
 * The record of a k-means k lowered to the number of points clustered, `points` naming them ("14
 * significant neurons", "20 words"); the run and a re-clustering on screen both keep it.
 */
export function kAdjustment(asked: number, kmeans: { k: number } | null, points: string): Adjustment | undefined {
  return kmeans && kmeans.k < asked ? { asked, used: kmeans.k, why: `at most the ${points}` } : undefined;
}

/** The start of the warning clusterSignificantNeurons gives for a lowered k (a re-clustering replaces it). */
export const K_LOWERED_WARNING = 'k-means: k ';

/**
 * DBSCAN and k-means of the significant neurons on their map, and their profiles' Gram and cosine
 * matrices in cluster order. Apart from t-SNE, so a panel can re-cluster a stored map (recluster-map.ts).
 */
export function clusterSignificantNeurons(all: Matrix, significant: number[], t: ArrayLike<number>, coords: Matrix<Float64Array>,
  o: { eps: number; minSamples: number; k: number; seed: number }, warnings: string[] = []): Omit<NeuronMap, 'coords'> {
  const n = significant.length;
  if (n === 0) return { labels: [], clusters: [], kmeans: null, clusterOrder: [], gram: [], cosine: [] };
  const profiles = new Float64Array(n * all.rows);
  significant.forEach((neuron, i) => { for (let s = 0; s < all.rows; s++) profiles[i * all.rows + s] = all.data[s * all.cols + neuron]; });
  const labels = dbscan(coords, { eps: o.eps, minSamples: o.minSamples, metric: 'euclidean' });
  const clusterList = (lab: ArrayLike<number>): NeuronCluster[] => {
    const byLabel = new Map<number, number[]>();
    for (let i = 0; i < n; i++) (byLabel.get(lab[i]) ?? byLabel.set(lab[i], []).get(lab[i])!).push(i);
    return [...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([label, idx]) => ({
      label,
      neurons: idx.map((i) => significant[i]),
      meanT: idx.reduce((s, i) => s + t[significant[i]], 0) / idx.length,
      meanAbsT: idx.reduce((s, i) => s + Math.abs(t[significant[i]]), 0) / idx.length,
    }));
  };
  const k = Math.min(o.k, n);
  if (k < o.k && n >= 2) warnings.push(`${K_LOWERED_WARNING}${o.k} is more than the ${n} significant neurons, so k was lowered to ${n}.`);
  const km = n >= 2 ? kmeans(coords, { k, seed: o.seed }) : null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const la = labels[a] < 0 ? Infinity : labels[a], lb = labels[b] < 0 ? Infinity : labels[b];
    return la - lb || t[significant[b]] - t[significant[a]];
  });
  const sorted = new Float64Array(n * all.rows);
  order.forEach((i, r) => sorted.set(profiles.subarray(i * all.rows, (i + 1) * all.rows), r * all.rows));
  const sortedMatrix: Matrix<Float64Array> = { rows: n, cols: all.rows, data: sorted };
  return {
    labels: Array.from(labels),
    clusters: clusterList(labels),
    kmeans: km ? { k, labels: Array.from(km.labels), inertia: km.inertia, clusters: clusterList(km.labels) } : null,
    clusterOrder: order.map((i) => significant[i]),
    gram: toJson(gramMatrix(sortedMatrix)),
    cosine: toJson(cosineSimilarityMatrix(sortedMatrix).similarity),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
