// What the Inspector view shows for a selection in a result panel, derived from the Result alone:
// one word or token → its nearest neighbours in each space; two words → their similarity in each
// space (and per layer when the result has them); a neuron → its activation in every sentence with
// both groups' summaries and its t-test; a cluster → its members and centroid profile; a point of a
// layer sweep → every statistic recorded at that layer.
import type { AttentionResult, AttributionResult, CompareResult, ContrastResult, HeadDetector, HeadsResult, MatchResult, Result, SaeResult, TokensResult } from '../../protocol/result';
import type { Focus, GroupSummary, InspectorData, Neighbour } from '../../protocol/side-view';
import { matrix } from '../../core/matrix';
import { twoSampleTTest } from '../../core/stats/ttest';
import { DEFAULT_HOOK_TEMPLATE } from '../../core/analyses/model-source';

export type { InspectorData } from '../../protocol/side-view';

const hint = 'Click a word, neuron, cluster, token or layer in a MechLens panel to inspect it here.';

/** The k largest finite similarities of row `index`, itself left out, most similar first (ties by word). */
export function nearestNeighbours(row: ArrayLike<number>, words: readonly string[], index: number, k: number): Neighbour[] {
  const out: Neighbour[] = [];
  for (let j = 0; j < row.length; j++) if (j !== index && Number.isFinite(row[j])) out.push({ word: words[j], similarity: row[j] });
  return out.sort((x, y) => y.similarity - x.similarity || x.word.localeCompare(y.word)).slice(0, k);
}

interface Space { label: string; similarity: number[][] }

function spacesOf(result: CompareResult | AttentionResult): Space[] {
  if (result.job === 'compare') return (['a', 'b'] as const).map((s) => ({ label: result[s].source.label, similarity: result[s].similarity }));
  return (['q', 'k', 'v'] as const).map((s) => ({ label: `${s.toUpperCase()} · layer ${result.layer}`, similarity: result[s].similarity }));
}

/** The model a pair can be run through at every layer: the attention job's, or a compare side's `model:` source. */
export function layerSource(result: CompareResult | AttentionResult): { model: string; template: string } | undefined {
  if (result.job === 'attention') return { model: result.inputs.model, template: result.template };
  const spec = [result.a.source, result.b.source].find((s) => s.kind === 'model-hook' || s.kind === 'model-embed')?.spec;
  const model = spec ? /^model:(.+?)(#.*)?$/.exec(spec)?.[1] : undefined;
  return model ? { model, template: result.inputs.template ?? DEFAULT_HOOK_TEMPLATE } : undefined;
}

function words(result: CompareResult | AttentionResult, items: readonly string[], focus: Focus | undefined, k: number): InspectorData | undefined {
  const indices = focus?.kind === 'token' ? [focus.index] : items.map((w) => result.items.indexOf(w)).filter((i) => i >= 0);
  const spaces = spacesOf(result);
  if (indices.length === 1 && indices[0] < result.items.length) {
    const i = indices[0];
    return {
      kind: 'token', word: result.items[i], category: result.itemCategories[i] ?? null,
      spaces: spaces.map((s) => ({ label: s.label, neighbours: nearestNeighbours(s.similarity[i] ?? [], result.items, i, k) })),
    };
  }
  if (indices.length === 2) {
    const [i, j] = indices;
    const at = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
    const source = layerSource(result);
    return { kind: 'pair', words: [result.items[i], result.items[j]], spaces: spaces.map((s) => ({ label: s.label, similarity: at(s.similarity[i]?.[j]) })), ...(source ? { layerSource: source } : {}) };
  }
  return undefined;
}

/** Mean and sample standard deviation (n − 1), as numpy's mean and std(ddof=1). */
function summary(name: string, values: number[]): GroupSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const ss = values.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  return { name, n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN };
}

/** One neuron's column split by group, with the same two-sample test the contrast job ran. */
function inspectNeuron(result: ContrastResult, neuron: number): InspectorData {
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= result.t.length) return { kind: 'empty', message: `Neuron ${neuron} is not in this result (it has ${result.t.length} neurons).` };
  const values = result.activations.map((row) => row[neuron]);
  const a = values.filter((_, r) => result.sentences[r].group === 0);
  const b = values.filter((_, r) => result.sentences[r].group === 1);
  if (a.length < 2 || b.length < 2) return { kind: 'empty', message: 'Each group needs at least two sentences for a t-test.' };
  const test = twoSampleTTest(matrix(a.length, 1, Float64Array.from(a)), matrix(b.length, 1, Float64Array.from(b)), { equalVariance: result.test === 'student' });
  const split = result.sentences.findIndex((s) => s.group === 1);
  return {
    kind: 'neuron', neuron, hook: result.hook, values, sentences: result.sentences.map((s) => s.text), split: split < 0 ? values.length : split,
    groups: [summary(result.groups[0], a), summary(result.groups[1], b)],
    t: test.t[0], p: test.p[0], df: test.df[0], cohenD: test.cohenD[0], pAdjusted: result.pAdjusted[neuron],
    significant: result.significant.includes(neuron), test: result.test,
  };
}

/** A contrast cluster: its neurons (strongest |t| first) and their mean activation in each sentence. */
function neuronCluster(result: ContrastResult, map: string, label: number): InspectorData | undefined {
  const clusters = map === 'kmeans' ? result.kmeans?.clusters : result.clusters;
  const cluster = clusters?.find((c) => c.label === label);
  if (!cluster) return undefined;
  const neurons = [...cluster.neurons].sort((x, y) => Math.abs(result.t[y]) - Math.abs(result.t[x]) || x - y);
  const profile = result.activations.map((row) => neurons.reduce((s, n) => s + row[n], 0) / Math.max(1, neurons.length));
  const split = result.sentences.findIndex((s) => s.group === 1);
  return {
    kind: 'cluster', map, label, title: `${map === 'kmeans' ? 'k-means' : 'DBSCAN'} cluster ${label} · ${neurons.length} neurons · mean t ${cluster.meanT.toFixed(2)}`,
    members: neurons.map((n) => `n${n}`), profile, profileLabel: 'mean activation of its neurons',
    sentences: result.sentences.map((s) => s.text), split: split < 0 ? profile.length : split, groupNames: result.groups,
  };
}

/** Cosine of rows i and j read off a Gram matrix of dot products. */
function gramCosine(gram: number[][], i: number, j: number): number {
  const d = Math.sqrt(gram[i][i] * gram[j][j]);
  return d > 0 ? gram[i][j] / d : NaN;
}

function tokens(result: TokensResult, items: readonly string[], focus: Focus | undefined, k: number): InspectorData | undefined {
  // A group picked from the token panel's list arrives as its members: that is the cluster.
  const picked = new Set(items);
  const cluster = focus?.kind === 'cluster' ? result.clusters.find((x) => x.label === focus.label)
    : items.length > 1 ? result.clusters.find((x) => x.members.length === picked.size && x.members.every((m) => picked.has(m))) : undefined;
  if (cluster) {
    return { kind: 'cluster', map: 'tokens', label: cluster.label, title: `Cluster ${cluster.label} · ${cluster.members.length} tokens`, members: cluster.members, profile: cluster.centroid, profileLabel: 'centroid (embedding dimension)' };
  }
  if (focus?.kind === 'cluster') return undefined;
  const i = focus?.kind === 'token' ? focus.index : result.tokens.indexOf(items[0] ?? '');
  if (items.length > 1 || i < 0 || i >= result.tokens.length) return undefined;
  if (!result.gram) return { kind: 'empty', message: `This run kept no Gram matrix (more than ${result.matrixCap} tokens), so neighbours of "${result.tokens[i]}" cannot be read from it.` };
  const gram = result.gram;
  const row = result.tokens.map((_, j) => gramCosine(gram, i, j));
  return { kind: 'token', word: result.tokens[i], category: null, spaces: [{ label: `${result.model.label} token embeddings (cosine)`, neighbours: nearestNeighbours(row, result.tokens, i, k) }] };
}

function layer(result: AttentionResult, at: number): InspectorData | undefined {
  const sweep = result.sweep;
  const point = sweep?.find((s) => s.layer === at);
  if (!sweep || !point) return undefined;
  const names = ['RSA Q vs K', 'selectivity Q', 'selectivity K', 'selectivity V', 'selectivity MLP', 'selectivity resid'];
  const pick = (s: (typeof sweep)[number]) => [s.rsaQK, s.selectivity.q, s.selectivity.k, s.selectivity.v, s.selectivity.mlp, s.selectivity.resid];
  const values = pick(point);
  return {
    kind: 'layer', layer: at, current: result.layer, values: names.map((name, i) => ({ name, value: values[i] })),
    series: names.map((name, i) => ({ name, values: sweep.map((s) => pick(s)[i]) })), layers: sweep.map((s) => s.layer),
  };
}

/** A compare result: a cluster of either map, else the word or pair picked. */
export function inspectCompare(result: CompareResult, items: readonly string[], focus: Focus | undefined, k: number): InspectorData | undefined {
  if (focus?.kind === 'cluster' && (focus.map === 'a' || focus.map === 'b')) {
    const space = result[focus.map];
    const c = space.map?.clusters.find((x) => x.label === focus.label);
    return c ? { kind: 'cluster', map: focus.map, label: c.label, title: `${space.source.label} · cluster ${c.label} · ${c.members.length} words`, members: c.members, profile: c.centroid, profileLabel: 'centroid (dimension)' } : undefined;
  }
  return words(result, items, focus, k);
}

/** An attention result: a point of the layer sweep, else the word or pair picked. */
export function inspectAttention(result: AttentionResult, items: readonly string[], focus: Focus | undefined, k: number): InspectorData | undefined {
  if (focus?.kind === 'layer') return layer(result, focus.layer);
  return words(result, items, focus, k);
}

/** A match result: the words of its comparison, when it ran one. */
export function inspectMatch(result: MatchResult, items: readonly string[], focus: Focus | undefined, k: number): InspectorData | undefined {
  return result.compare ? words(result.compare, items, focus, k) : undefined;
}

/** A contrast result: a neuron (picked, or named nN), or a cluster of neurons. */
export function inspectContrast(result: ContrastResult, items: readonly string[], focus: Focus | undefined): InspectorData | undefined {
  const named = /^n(\d+)$/.exec(items[0] ?? '');
  if (focus?.kind === 'neuron') return inspectNeuron(result, focus.neuron);
  if (focus?.kind === 'cluster') return neuronCluster(result, focus.map, focus.label);
  return named ? inspectNeuron(result, Number(named[1])) : undefined;
}

/** An SAE result: one feature (picked in the panel, or named fN), with its activation on every token of every text. */
export function inspectSae(result: SaeResult, items: readonly string[], focus: Focus | undefined): InspectorData | undefined {
  const named = /^f(\d+)$/.exec(items[0] ?? '');
  const feature = focus?.kind === 'neuron' ? focus.neuron : named ? Number(named[1]) : undefined;
  if (feature === undefined) return undefined;
  const profile = result.profiles.find((p) => p.feature === feature);
  if (!profile) return { kind: 'empty', message: `Feature ${feature} is in no token's top ${result.top} in this run, so the run kept no profile of it.` };
  const labels = result.texts.flatMap((t, ti) => t.tokens.map((tok) => `${ti + 1}: ${tok.token}`));
  const values = profile.activations.flat();
  const strongest = values.map((v, i) => [v, i] as const).filter(([v]) => v > 0).sort((a, b) => b[0] - a[0]).slice(0, 8);
  return {
    kind: 'cluster', map: 'sae', label: feature,
    title: `Feature ${feature} · active on ${(profile.density * 100).toFixed(1)}% of tokens · max ${profile.max.toPrecision(3)}`,
    members: strongest.map(([v, i]) => `${labels[i]} (${v.toPrecision(3)})`), profile: values, profileLabel: `activation of feature ${feature} on each token`,
    sentences: labels,
  };
}

/** A tokens result: a cluster of the map, else one token's neighbours. */
export const inspectTokens = tokens;

const DETECTOR_LABELS: Record<HeadDetector, string> = { previousToken: 'previous-token', duplicateToken: 'duplicate-token', induction: 'induction' };

/** A heads result: the head picked (focus, or named "L5H1"), with its scores across layers and texts. */
export function inspectHeads(result: HeadsResult, items: readonly string[], focus: Focus | undefined): InspectorData | undefined {
  const named = /^L(\d+)H(\d+)$/.exec(items[0] ?? '');
  const at = focus?.kind === 'head' ? focus : named ? { layer: Number(named[1]), head: Number(named[2]) } : undefined;
  if (!at || at.layer >= result.nLayer || at.head >= result.nHead) return undefined;
  const names = Object.keys(DETECTOR_LABELS) as HeadDetector[];
  return {
    kind: 'head', layer: at.layer, head: at.head,
    scores: names.map((n) => ({ name: DETECTOR_LABELS[n], value: result.scores[n][at.layer][at.head] })),
    series: names.map((n) => ({ name: DETECTOR_LABELS[n], values: result.scores[n].map((row) => row[at.head]) })),
    layers: result.scores.induction.map((_, l) => l),
    texts: result.texts.map((t) => ({ text: t.text, values: names.map((n) => t.scores[n][at.layer][at.head]) })),
  };
}

/**
 * An attribution result: a layer (picked in the bars or the head grid) of the text named first in
 * `items` (else the first text): its attention, MLP and head values, and attention and MLP at every layer.
 */
export function inspectAttribution(result: AttributionResult, items: readonly string[], focus: Focus | undefined): InspectorData | undefined {
  if (focus?.kind !== 'layer' || focus.layer < 0 || focus.layer >= result.nLayer) return undefined;
  const text = result.texts.find((t) => t.text === items[0]) ?? result.texts[0];
  if (!text) return undefined;
  const valueOf = (name: string) => text.components.find((c) => c.name === name)?.value ?? null;
  const layers = Array.from({ length: result.nLayer }, (_, l) => l);
  const l = focus.layer;
  return {
    kind: 'layer', layer: l, current: l,
    values: [
      { name: `blocks.${l}.attn`, value: valueOf(`blocks.${l}.attn`) },
      { name: `blocks.${l}.mlp`, value: valueOf(`blocks.${l}.mlp`) },
      ...text.heads[l].map((value, h) => ({ name: `head ${l}.${h}`, value })),
    ],
    series: [
      { name: 'attention', values: layers.map((k) => valueOf(`blocks.${k}.attn`)) },
      { name: 'MLP', values: layers.map((k) => valueOf(`blocks.${k}.mlp`)) },
    ],
    layers,
  };
}

/** What the view shows when nothing in the result matches the selection. */
export function nothingToInspect(result: Result | undefined, items: readonly string[]): InspectorData {
  if (!result) return { kind: 'empty', message: hint };
  return { kind: 'empty', message: items.length ? `"${items.join(', ').slice(0, 80)}" is not in this result. ${hint}` : hint };
}
