// "Copy as Python" for every chart card of the compare, attention and contrast panels: a script that
// recomputes the card's numbers from the exported data with numpy/scipy/scikit-learn and redraws it.
// Where a result keeps only the finished numbers (per-head RSA, the layer sweep), the script says so
// and redraws them. Keys are the cards' export names.
import type { JobName, ResultOf } from '../protocol/jobs';
import type { AttentionResult, CompareResult, ContrastResult, HeadDetector, HeadsResult, Result, SaeResult } from '../protocol/result';
import { attributionCards, attributionScript } from './python-attribution';
import { lensScript } from './lens-python';
import { attentionSaeCards, attentionSaeScript } from './python-attention-sae';
import { buildScript, pyInt, pyLiteral, pyMatrix, pyNumber, pyStr, pyVector, type ScriptParts } from './python-script';

const STATS = 'from scipy import stats';
const COSINE = 'from sklearn.metrics.pairwise import cosine_similarity';
const DBSCAN = 'from sklearn.cluster import DBSCAN';

const heatmapPlot = (title: string, colorLabel: string) => `fig, ax = plt.subplots(figsize=(8, 7))
m = np.abs(S[~np.eye(len(S), dtype=bool)]).max() if len(S) > 1 else 1.0
im = ax.imshow(S, cmap="RdBu_r", vmin=-m, vmax=m)
step = max(1, len(labels) // 40)
ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=90)
ax.set_yticks(range(0, len(labels), step), labels[::step])
ax.set_title(${pyStr(title)})
fig.colorbar(im, ax=ax, label=${pyStr(colorLabel)})`;

function rsaScatter(title: string, A: number[][], B: number[][], names: [string, string], rsaPerms: { permutations: number; seed: number }): ScriptParts {
  return {
    title, about: ['Recomputes RSA between the two similarity matrices: Pearson r, Spearman rho, S_c over the upper triangles,',
      'and a Mantel permutation p with numpy (the same count and seed, numpy\'s shuffles).'],
    imports: [STATS], helpers: ['upper', 'rsa', 'mantel'],
    data: [['A', pyMatrix(A)], ['B', pyMatrix(B)], ['PERMUTATIONS', pyInt(rsaPerms.permutations)], ['SEED', pyInt(rsaPerms.seed)]],
    compute: `x, y = upper(A), upper(B)
numbers = rsa(x, y)
numbers["pValue_numpy"] = mantel_p(A, B, PERMUTATIONS, SEED)`,
    plot: `fig, ax = plt.subplots(figsize=(6, 6))
ax.scatter(x, y, s=6, alpha=0.5)
ax.set_xlabel(${pyStr(`similarity in ${names[0]}`)})
ax.set_ylabel(${pyStr(`similarity in ${names[1]}`)})
ax.set_title(f"RSA: r = {numbers['pearson']:.4f}, rho = {numbers['spearman']:.4f}")`,
  };
}

function rsaPerCategory(title: string, A: number[][], B: number[][], categories: (string | null)[]): ScriptParts {
  return {
    title, about: ['Recomputes RSA (Pearson r, Spearman rho) within each category of at least 3 words, on its own word pairs.'],
    imports: [STATS], helpers: ['upper', 'rsa'],
    data: [['A', pyMatrix(A)], ['B', pyMatrix(B)], ['categories', pyLiteral(categories)]],
    compute: `names = list(dict.fromkeys(c for c in categories if c is not None))
numbers = {"perCategory": []}
for c in names:
    m = [i for i, k in enumerate(categories) if k == c]
    if len(m) >= 3:
        numbers["perCategory"].append({"category": c, **rsa(upper(A[np.ix_(m, m)]), upper(B[np.ix_(m, m)]))})`,
    plot: `rows = numbers["perCategory"]
fig, ax = plt.subplots(figsize=(7, 4))
ax.bar([r["category"] for r in rows], [r["pearson"] for r in rows])
ax.axhline(0, color="gray", lw=0.5)
ax.set_ylabel("Pearson r within the category")
ax.set_title("RSA per category")`,
  };
}

function selectivityOf(title: string, S: number[][], labels: string[], categories: (string | null)[], colorLabel: string): ScriptParts {
  return {
    title, about: ['Recomputes the category selectivity index of this similarity matrix and redraws the heatmap.'],
    imports: [], helpers: ['upper', 'selectivity'],
    data: [['S', pyMatrix(S)], ['labels', pyLiteral(labels)], ['categories', pyLiteral(categories)]],
    compute: 'numbers = {"selectivity": selectivity(S, categories)}',
    plot: heatmapPlot(title, colorLabel),
  };
}

function histogramOf(title: string, S: number[][], edges: number[] | null): ScriptParts {
  return {
    title, about: [edges ? 'Recomputes the histogram of the off-diagonal similarities with numpy.histogram on the panel\'s bin edges.'
      : 'Recomputes the off-diagonal similarities and their numpy.histogram (30 bins).'],
    imports: [], helpers: ['upper'],
    data: [['S', pyMatrix(S)], ...(edges ? [['EDGES', pyVector(edges)] as [string, string]] : [])],
    compute: `values = upper(S)
counts, edges = np.histogram(values, bins=${edges ? 'EDGES' : '30'})
numbers = {"n": len(values), "mean": values.mean(), "counts": counts, "edges": edges}`,
    plot: `fig, ax = plt.subplots(figsize=(6, 4))
ax.stairs(counts, edges, fill=True)
ax.set_xlabel("cosine similarity")
ax.set_ylabel("pairs")
ax.set_title(${pyStr(title)})`,
  };
}

function compareScript(r: CompareResult, name: string): ScriptParts | undefined {
  const space = (k: 'a' | 'b') => r[k];
  const perms = { permutations: r.rsa.permutations, seed: r.inputs.seed };
  const heat = /^similarity-(a|b)$/.exec(name);
  if (heat) {
    const s = space(heat[1] as 'a' | 'b');
    const fromVectors = s.vectors.length === r.items.length;
    return {
      title: `cosine similarity of ${s.source.label}, ${r.title}`,
      about: [fromVectors ? 'Recomputes the cosine-similarity matrix from the word vectors with scikit-learn, and its selectivity index.'
        : 'This result stores no word vectors: the similarity matrix is loaded as exported; the selectivity index is recomputed.'],
      imports: [COSINE], helpers: ['upper', 'selectivity', 'cosine'],
      data: [[fromVectors ? 'X' : 'S', pyMatrix(fromVectors ? s.vectors : s.similarity)], ['labels', pyLiteral(r.items)], ['categories', pyLiteral(r.itemCategories)]],
      compute: `${fromVectors ? 'S = cosine_matrix(X)\n' : ''}numbers = {"similarity": S, "selectivity": selectivity(S, categories)}`,
      plot: heatmapPlot(`Cosine similarity, ${s.source.label}`, 'cosine similarity'),
    };
  }
  if (name === 'selectivity-strips') {
    return {
      title: `within vs between categories, ${r.title}`, about: ['Recomputes both spaces\' within- and between-category similarities and selectivity indices.'],
      imports: [], helpers: ['upper', 'selectivity'],
      data: [['A', pyMatrix(r.a.similarity)], ['B', pyMatrix(r.b.similarity)], ['categories', pyLiteral(r.itemCategories)], ['names', pyLiteral([r.a.source.label, r.b.source.label])]],
      compute: 'numbers = {"a": selectivity(A, categories), "b": selectivity(B, categories)}',
      plot: `fig, ax = plt.subplots(figsize=(6, 4))
cats = np.array(categories, dtype=object)
for k, (S, label) in enumerate(zip((A, B), names)):
    i, j = np.triu_indices(len(S), k=1)
    same = (cats[i] == cats[j]) & (cats[i] != None)
    ax.scatter(np.full(same.sum(), 2 * k) + np.random.default_rng(0).uniform(-0.3, 0.3, same.sum()), S[i, j][same], s=4, label=f"{label}: within")
    ax.scatter(np.full((~same).sum(), 2 * k + 1) + np.random.default_rng(1).uniform(-0.3, 0.3, (~same).sum()), S[i, j][~same], s=4, label=f"{label}: between")
ax.set_ylabel("cosine similarity")
ax.legend(fontsize=7)
ax.set_title("Within vs between categories")`,
    };
  }
  if (name === 'similarity-histogram') {
    return {
      title: `similarity distributions, ${r.title}`, about: ['Recomputes the off-diagonal similarities of both spaces and their histograms (30 shared bins).'],
      imports: [], helpers: ['upper'],
      data: [['A', pyMatrix(r.a.similarity)], ['B', pyMatrix(r.b.similarity)], ['names', pyLiteral([r.a.source.label, r.b.source.label])]],
      compute: `a, b = upper(A), upper(B)
edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=30)
numbers = {"a": {"n": len(a), "mean": a.mean(), "counts": np.histogram(a, edges)[0]}, "b": {"n": len(b), "mean": b.mean(), "counts": np.histogram(b, edges)[0]}}`,
      plot: `fig, ax = plt.subplots(figsize=(6, 4))
for values, label in zip((a, b), names):
    ax.hist(values, bins=edges, alpha=0.5, label=label)
ax.set_xlabel("cosine similarity")
ax.legend()`,
    };
  }
  if (name === 'rsa-scatter') return rsaScatter(`RSA ${r.a.source.label} vs ${r.b.source.label}, ${r.title}`, r.a.similarity, r.b.similarity, [r.a.source.label, r.b.source.label], perms);
  if (name === 'rsa-per-category') return rsaPerCategory(`RSA per category, ${r.title}`, r.a.similarity, r.b.similarity, r.itemCategories);
  if (name === 'word-vector' && r.a.vectors.length === r.items.length && r.b.vectors.length === r.items.length) {
    return {
      title: `word vectors in both spaces, ${r.title}`, about: ['Loads every word\'s vector in both spaces; prints the norms and plots one word (set WORD).'],
      imports: [], helpers: [],
      data: [['XA', pyMatrix(r.a.vectors)], ['XB', pyMatrix(r.b.vectors)], ['labels', pyLiteral(r.items)], ['WORD', pyStr(r.items[0] ?? '')]],
      compute: 'numbers = {"normA": np.linalg.norm(XA, axis=1), "normB": np.linalg.norm(XB, axis=1)}',
      plot: `w = labels.index(WORD)
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5))
top.plot(XA[w], lw=0.8)
top.set_title(f"{WORD}: A")
bottom.plot(XB[w], lw=0.8)
bottom.set_title(f"{WORD}: B")
bottom.set_xlabel("dimension")`,
    };
  }
  const clusters = /^clusters-(a|b)$/.exec(name);
  const map = clusters ? space(clusters[1] as 'a' | 'b').map : undefined;
  if (clusters && map) {
    return {
      title: `${map.method.toUpperCase()} map and DBSCAN clusters of ${space(clusters[1] as 'a' | 'b').source.label}, ${r.title}`,
      about: ['Loads the 2-D map as computed (t-SNE is not bit-reproducible across libraries) and reruns DBSCAN on it with scikit-learn.'],
      imports: [DBSCAN], helpers: [],
      data: [['coords', pyMatrix(map.coords)], ['labels', pyLiteral(r.items)], ['OPTIONS', pyLiteral(map.options)]],
      compute: `clusters = DBSCAN(eps=OPTIONS["eps"], min_samples=OPTIONS["minSamples"]).fit_predict(coords)
numbers = {"labels": clusters, "clusters": int(clusters.max() + 1)}`,
      plot: `fig, ax = plt.subplots(figsize=(7, 6))
ax.scatter(coords[:, 0], coords[:, 1], c=clusters, cmap="tab10", s=12)
for (x, y), word in zip(coords, labels):
    ax.annotate(word, (x, y), fontsize=6)
ax.set_title(f"DBSCAN: {numbers['clusters']} clusters")`,
    };
  }
  return undefined;
}

function attentionScript(r: AttentionResult, name: string): ScriptParts | undefined {
  const heat = /^similarity-(q|k)$/.exec(name);
  if (heat) {
    const s = r[heat[1] as 'q' | 'k'];
    return selectivityOf(`cosine similarity of ${heat[1].toUpperCase()} at ${s.hook}, ${r.title}`, s.similarity, r.items, r.itemCategories, 'cosine similarity');
  }
  const hist = /^histogram-(q|k)$/.exec(name);
  if (hist) {
    const s = r[hist[1] as 'q' | 'k'];
    return histogramOf(`${hist[1].toUpperCase()} similarities at ${s.hook}, ${r.title}`, s.similarity, s.histogram.edges);
  }
  if (name === 'rsa-scatter') return rsaScatter(`RSA Q vs K at layer ${r.layer}, ${r.title}`, r.q.similarity, r.k.similarity, ['Q', 'K'], { permutations: r.rsa.permutations, seed: r.inputs.seed });
  if (name === 'rsa-per-category') return rsaPerCategory(`RSA Q vs K per category, ${r.title}`, r.q.similarity, r.k.similarity, r.itemCategories);
  if (name === 'rsa-per-head') {
    return {
      title: `RSA Q vs K per head at layer ${r.layer}, ${r.title}`,
      about: ['The result keeps each head\'s RSA r, not its Q and K slices, so this redraws the stored values.'],
      imports: [], helpers: [],
      data: [['heads', pyLiteral(r.heads)], ['OVERALL', pyNumber(r.rsa.pearson)]],
      compute: 'numbers = {"rsa": [h["rsa"] for h in heads]}',
      plot: `fig, ax = plt.subplots(figsize=(7, 4))
ax.bar([h["head"] for h in heads], [np.nan if v is None else v for v in numbers["rsa"]])
ax.axhline(OVERALL, ls="--", color="gray", label=f"all heads: r = {OVERALL:.3f}")
ax.set_xlabel("head")
ax.set_ylabel("RSA r (Q vs K)")
ax.legend()`,
    };
  }
  if ((name === 'sweep-selectivity' || name === 'sweep-rsa') && r.sweep) {
    const rsaOnly = name === 'sweep-rsa';
    return {
      title: `${rsaOnly ? 'RSA Q vs K' : 'selectivity'} over layers, ${r.title}`,
      about: ['The sweep keeps each layer\'s statistics, not its matrices, so this redraws the stored values.'],
      imports: [], helpers: [],
      data: [['sweep', pyLiteral(r.sweep)]],
      compute: rsaOnly ? 'numbers = {"rsaQK": [s["rsaQK"] for s in sweep]}'
        : 'numbers = {key: [s["selectivity"][key] for s in sweep] for key in ("q", "k", "v", "mlp", "resid")}',
      plot: `fig, ax = plt.subplots(figsize=(7, 4))
layers = [s["layer"] for s in sweep]
for key, values in numbers.items():
    ax.plot(layers, [np.nan if v is None else v for v in values], marker="o", label=key)
ax.axvline(${pyInt(r.layer)}, ls="--", color="gray")
ax.set_xlabel("layer")
ax.legend()`,
    };
  }
  return undefined;
}

function contrastScript(r: ContrastResult, name: string): ScriptParts | undefined {
  const data: [string, string][] = [['X', pyMatrix(r.activations)], ['group', pyLiteral(r.sentences.map((s) => s.group))], ['groups', pyLiteral(r.groups)]];
  const split = 'A, B = X[np.array(group) == 0], X[np.array(group) == 1]';
  const options = r.run.options as Record<string, unknown>;
  switch (name) {
    case 'activations':
      return {
        title: `activation image at ${r.hook}, ${r.title}`, about: ['Loads the sentences × neurons activations and redraws them, group A above group B.'],
        imports: [], helpers: [], data, compute: `${split}\nnumbers = {"shape": X.shape, "meanA": A.mean(), "meanB": B.mean()}`,
        plot: `fig, ax = plt.subplots(figsize=(10, 5))
im = ax.imshow(np.vstack([A, B]), aspect="auto", cmap="RdBu_r")
ax.axhline(len(A) - 0.5, color="black")
ax.set_xlabel("neuron")
ax.set_ylabel(f"sentence ({groups[0]} above, {groups[1]} below)")
fig.colorbar(im, ax=ax)`,
      };
    case 'neuron': {
      const neuron = r.significant.length ? r.significant.reduce((best, i) => (Math.abs(r.t[i]) > Math.abs(r.t[best]) ? i : best)) : 0;
      return {
        title: `one neuron across sentences, ${r.title}`,
        about: [`Neuron ${neuron} (set NEURON for another): its activation in every sentence, and its ${r.test === 'student' ? 'Student' : 'Welch'} t-test with scipy.`],
        imports: [STATS], helpers: [], data: [...data, ['NEURON', pyInt(neuron)], ['TEST', pyStr(r.test)]],
        compute: `${split}
a, b = A[:, NEURON], B[:, NEURON]
t, p = stats.ttest_ind(a, b, equal_var=(TEST == "student"))
pooled = ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
numbers = {"neuron": NEURON, "t": t, "p": p, "cohenD": (a.mean() - b.mean()) / np.sqrt(pooled), "meanA": a.mean(), "meanB": b.mean()}`,
        plot: `fig, ax = plt.subplots(figsize=(8, 4))
ax.bar(range(len(a)), a, label=groups[0])
ax.bar(range(len(a), len(a) + len(b)), b, label=groups[1])
ax.set_xlabel("sentence")
ax.set_ylabel(f"activation of neuron {NEURON}")
ax.set_title(f"t = {t:.3f}, p = {p:.3g}")
ax.legend()`,
      };
    }
    case 'neuron-means':
      return {
        title: `per-neuron mean activation, ${r.title}`, about: ['Recomputes each neuron\'s mean over the sentences of each group.'],
        imports: [], helpers: [], data, compute: `${split}\nnumbers = {"meanA": A.mean(axis=0), "meanB": B.mean(axis=0)}`,
        plot: `fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(numbers["meanA"], lw=0.7, label=groups[0])
ax.plot(numbers["meanB"], lw=0.7, label=groups[1])
ax.set_xlabel("neuron")
ax.set_ylabel("mean activation")
ax.legend()`,
      };
    case 'sentence-means':
      return {
        title: `per-sentence mean activation, ${r.title}`, about: ['Recomputes each sentence\'s mean over all neurons.'],
        imports: [], helpers: [], data, compute: 'numbers = {"sentenceMeans": X.mean(axis=1)}',
        plot: `fig, ax = plt.subplots(figsize=(8, 4))
ax.bar(range(len(X)), numbers["sentenceMeans"], color=["C0" if g == 0 else "C1" for g in group])
ax.set_xlabel("sentence")
ax.set_ylabel("mean activation")`,
      };
    case 't-values':
      return {
        title: `${r.test === 'student' ? 'Student' : 'Welch'} t per neuron with ${r.correction === 'fdr' ? 'Benjamini–Hochberg' : 'Bonferroni'} at alpha ${r.alpha}, ${r.title}`,
        about: ['Recomputes the two-sample t-test per neuron with scipy, Cohen\'s d (pooled SD) and the correction.',
          'Neurons constant within both groups get t = 0, p = 1, d = 0, as in MechLens (scipy gives nan or inf there).'],
        imports: [STATS], helpers: [], data: [...data, ['TEST', pyStr(r.test)], ['CORRECTION', pyStr(r.correction)], ['ALPHA', pyNumber(r.alpha)]],
        compute: `${split}
nA, nB = len(A), len(B)
pooled = ((nA - 1) * A.var(axis=0, ddof=1) + (nB - 1) * B.var(axis=0, ddof=1)) / (nA + nB - 2)
flat = pooled == 0
with np.errstate(divide="ignore", invalid="ignore"):
    t, p = stats.ttest_ind(A, B, equal_var=(TEST == "student"), axis=0)
    d = (A.mean(axis=0) - B.mean(axis=0)) / np.sqrt(pooled)
t, p, d = np.where(flat, 0.0, t), np.where(flat, 1.0, p), np.where(flat, 0.0, d)
m = len(p)
if CORRECTION == "bonferroni":
    adjusted = np.minimum(p * m, 1.0)
    threshold = ALPHA / m
    significant = np.flatnonzero(p <= threshold)
else:  # Benjamini-Hochberg, as statsmodels' fdr_bh
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    passing = np.flatnonzero(p[order] <= np.arange(1, m + 1) / m * ALPHA)
    k = passing.max() + 1 if len(passing) else 0
    threshold = k / m * ALPHA
    significant = np.sort(order[:k])
numbers = {"t": t, "p": p, "pAdjusted": adjusted, "cohenD": d, "significant": significant, "threshold": threshold}`,
        plot: `fig, ax = plt.subplots(figsize=(10, 4))
sig = np.zeros(len(t), dtype=bool)
sig[significant] = True
ax.scatter(np.flatnonzero(~sig), t[~sig], s=4, marker="x", color="gray", label="not significant")
ax.scatter(np.flatnonzero(sig), t[sig], s=8, color="C3", label="significant")
ax.set_xlabel("neuron")
ax.set_ylabel("t")
ax.legend()`,
      };
    case 'label-shuffle': {
      const ls = r.labelShuffle;
      return {
        title: `label-shuffle check, ${r.title}`, about: ['Recomputes the check\'s p from the significant counts under shuffled labels: (1 + #shuffles with >= observed) / (1 + shuffles).'],
        imports: [], helpers: [], data: [['counts', pyVector(ls.counts)], ['OBSERVED', pyNumber(ls.observed)]],
        compute: 'numbers = {"pValue": (1 + int((counts >= OBSERVED).sum())) / (1 + len(counts)), "meanShuffled": counts.mean()}',
        plot: `fig, ax = plt.subplots(figsize=(6, 4))
ax.hist(counts, bins=30)
ax.axvline(OBSERVED, color="C3", label=f"real labels: {OBSERVED}")
ax.set_xlabel("significant neurons")
ax.legend()`,
      };
    }
    case 'neuron-map':
      return {
        title: `t-SNE of the significant neurons, ${r.title}`,
        about: ['Loads the t-SNE map as computed, reruns DBSCAN on it with scikit-learn, and recomputes the k-means inertia of its clusters.'],
        imports: [DBSCAN], helpers: [],
        data: [['coords', pyMatrix(r.coords)], ['t', pyVector(r.significant.map((i) => r.t[i]))], ['EPS', pyNumber(options.eps)], ['MIN_SAMPLES', pyInt(options.minSamples)],
          ['kmeans_labels', pyLiteral(r.kmeans?.labels ?? [])]],
        compute: `clusters = DBSCAN(eps=EPS, min_samples=MIN_SAMPLES).fit_predict(coords) if len(coords) else np.array([], dtype=int)
km = np.array(kmeans_labels)
inertia = sum(((coords[km == c] - coords[km == c].mean(axis=0)) ** 2).sum() for c in np.unique(km)) if len(km) else None
numbers = {"labels": clusters, "kmeansInertia": inertia}`,
        plot: `fig, ax = plt.subplots(figsize=(7, 6))
s = ax.scatter(coords[:, 0], coords[:, 1], c=t, cmap="RdBu_r", s=14)
fig.colorbar(s, ax=ax, label="t")
ax.set_title("significant neurons (t-SNE)")`,
      };
    case 'gram-matrix':
    case 'cosine-matrix': {
      const gram = name === 'gram-matrix';
      return {
        title: `${gram ? 'Gram' : 'cosine'} matrix of the significant neurons, ${r.title}`,
        about: ['Recomputes the matrix from the activation profiles (neurons × sentences) of the significant neurons, in cluster order.'],
        imports: gram ? [] : [COSINE], helpers: gram ? [] : ['cosine'],
        data: [['X', pyMatrix(r.activations)], ['order', pyLiteral(r.clusterOrder)], ['labels', pyLiteral(r.clusterOrder.map(String))]],
        compute: `P = X[:, order].T
S = ${gram ? 'P @ P.T' : 'cosine_matrix(P)'}
numbers = {"matrix": S}`,
        plot: heatmapPlot(`${gram ? 'Gram' : 'Cosine'} matrix of the significant neurons`, gram ? 'dot product' : 'cosine similarity'),
      };
    }
    case 'cosine-histogram':
      return histogramOf(`cosines between significant neurons, ${r.title}`, r.cosine, null);
    default:
      return undefined;
  }
}

/**
 * The heads panel's score maps: the model runs again in torch + transformers with
 * output_attentions=True (eager attention, so Gemma-2's softcap is in the weights) on the same token
 * ids, and the three detectors are computed from their definitions; the script prints them and the
 * largest difference from the panel's map.
 */
function headsScript(r: HeadsResult, name: string): ScriptParts | undefined {
  const detector = /^scores-(previousToken|duplicateToken|induction)$/.exec(name)?.[1] as HeadDetector | undefined;
  if (!detector) return undefined;
  return {
    title: `${detector} score of every head, ${r.title}`,
    about: ['Runs the model with torch + transformers (output_attentions=True) on the token ids MechLens ran, and computes',
      'score = (1/T) sum_q sum_k A[q,k] D[q,k] per layer and head, averaged over the texts. Needs torch and transformers too.',
      'MODEL is the folder MechLens read (or the id it was given).'],
    imports: ['import torch', 'from transformers import AutoModelForCausalLM'], helpers: [],
    data: [['MODEL', pyStr(r.model.copy?.path ?? r.inputs.model)], ['TOKENS', pyLiteral(r.texts.map((t) => t.tokens.map((x) => x.id)))],
      ['DETECTOR', pyStr(detector)], ['PANEL', pyMatrix(r.scores[detector])]],
    compute: `model = AutoModelForCausalLM.from_pretrained(MODEL, attn_implementation="eager", torch_dtype=torch.float32)
model.eval()


def detector_scores(A, ids):
    """A: [layers, heads, T, T] -> each detector's [layers, heads] scores."""
    T = len(ids)
    tok = np.array(ids)
    q, k = np.arange(T)[:, None], np.arange(T)[None, :]
    marks = {
        "previousToken": k == q - 1,
        "duplicateToken": (k < q) & (tok[k] == tok[q]),
        "induction": (k >= 1) & (k < q) & (tok[np.maximum(k - 1, 0)] == tok[q]),
    }
    return {name: (A * D).sum(axis=(2, 3)) / T for name, D in marks.items()}


per_text = []
with torch.no_grad():
    for ids in TOKENS:
        out = model(torch.tensor([ids]), output_attentions=True)
        A = torch.stack(out.attentions)[:, 0].double().numpy()
        per_text.append(detector_scores(A, ids))
scores = {name: np.mean([s[name] for s in per_text], axis=0) for name in per_text[0]}
numbers = {**scores, "maxDifferenceFromPanel": float(np.abs(scores[DETECTOR] - PANEL).max())}`,
    plot: `fig, ax = plt.subplots(figsize=(7, 5))
im = ax.imshow(scores[DETECTOR], cmap="viridis", vmin=0, vmax=1, aspect="auto")
ax.set_xlabel("head")
ax.set_ylabel("layer")
ax.set_title(DETECTOR + " score")
fig.colorbar(im, ax=ax)`,
  };
}

/** A job's "Copy as Python" cards: which cards have a script, and the script of one. */
export interface PythonCards<J extends JobName> {
  /** Decided without encoding any data (the scripts are built on click). */
  has(result: ResultOf<J>, name: string): boolean;
  script(result: ResultOf<J>, name: string): ScriptParts | undefined;
}

/**
 * The SAE panel's feature card: the feature's activation on every token (exported), its density and
 * maximum recomputed with numpy; with --sae-lens, the same activations from scratch with SAELens
 * (SAE.from_pretrained or SAE.load_from_disk, then sae.encode on TransformerLens's cache).
 */
function saeScript(r: SaeResult, name: string): ScriptParts | undefined {
  const match = /^sae-feature-(\d+)$/.exec(name);
  const profile = match ? r.profiles.find((p) => p.feature === Number(match[1])) : undefined;
  if (!profile) return undefined;
  const bos = r.bosPrepended ? 1 : 0;
  const local = !r.sae.release;
  return {
    title: `feature ${profile.feature} of ${r.sae.label} on every token, ${r.title}`,
    about: [
      `Feature ${profile.feature}'s activation on each token of the ${r.texts.length} texts (the BOS, if any, left out of the density, max and mean when active, as in the panel).`,
      'python3 this.py --sae-lens recomputes them with sae_lens and transformer_lens (pip install sae-lens).',
    ],
    imports: [],
    helpers: ['saeLens'],
    data: [
      ['TEXTS', pyLiteral(r.texts.map((t) => t.text))],
      ['TOKENS', pyLiteral(r.texts.map((t) => t.tokens.map((x) => x.token)))],
      ['ACTS', `[${profile.activations.map((a) => pyVector(a)).join(', ')}]`],
      ['FEATURE', pyInt(profile.feature)], ['BOS', pyInt(bos)], ['HOOK', pyStr(r.hook)], ['MODEL', pyStr(r.inputs.model)],
      ['RELEASE', pyLiteral(r.sae.release ?? null)], ['SAE_ID', pyLiteral(r.sae.saeId ?? null)], ['SAE_PATH', pyLiteral(local ? r.sae.spec : null)],
    ],
    compute: `counted = np.concatenate([np.asarray(a)[BOS:] for a in ACTS])
active = counted[counted != 0]
numbers = {"feature": FEATURE, "density": float((counted != 0).mean()), "max": float(counted.max(initial=0.0)),
           "meanActive": float(active.mean()) if active.size else 0.0}
if "--sae-lens" in sys.argv:
    model, sae = load_with_sae_lens()
    again = []
    for text in TEXTS:
        _, cache = model.run_with_cache(text, prepend_bos=bool(BOS), names_filter=[HOOK])
        again.append(sae.encode(cache[HOOK])[0, :, FEATURE].detach().cpu().numpy())
    numbers["sae_lens_max_difference"] = float(max(np.abs(a - np.asarray(b)).max() for a, b in zip(again, ACTS)))`,
    plot: `fig, ax = plt.subplots(figsize=(10, 4))
flat = np.concatenate([np.asarray(a) for a in ACTS])
labels = [f"{i + 1}:{t}" for i, ts in enumerate(TOKENS) for t in ts]
ax.bar(range(len(flat)), flat)
ax.set_xticks(range(len(flat)), labels, rotation=90, fontsize=7)
ax.set_ylabel(f"feature {FEATURE}")
fig.tight_layout()`,
  };
}

/** For a job whose panel has no Python button yet. */
const noCards = { has: () => false, script: () => undefined };

/** The webview's second job table (the renderers are in jobs.ts): each job's Python cards. */
export const pythonCards: { readonly [J in JobName]: PythonCards<J> } = Object.freeze({
  compare: {
    has: (result, name) => {
      if (name === 'word-vector') return result.a.vectors.length === result.items.length && result.b.vectors.length === result.items.length;
      const clusters = /^clusters-(a|b)$/.exec(name);
      if (clusters) return result[clusters[1] as 'a' | 'b'].map !== undefined;
      return /^(similarity-(a|b)|selectivity-strips|similarity-histogram|rsa-scatter|rsa-per-category)$/.test(name);
    },
    script: compareScript,
  },
  tokens: noCards,
  match: noCards,
  sae: { has: (result, name) => /^sae-feature-\d+$/.test(name) && result.profiles.some((p) => `sae-feature-${p.feature}` === name), script: saeScript },
  attention: {
    has: (result, name) => {
      if (name === 'sweep-selectivity' || name === 'sweep-rsa') return result.sweep !== null;
      if (attentionSaeCards.test(name)) return result.sae !== undefined && (name !== 'sweep-sae' || result.sweep !== null);
      return /^(similarity-(q|k)|histogram-(q|k)|rsa-scatter|rsa-per-category|rsa-per-head)$/.test(name);
    },
    script: (result, name) => attentionScript(result, name) ?? attentionSaeScript(result, name),
  },
  contrast: {
    has: (_result, name) => /^(activations|neuron-means|neuron|sentence-means|t-values|label-shuffle|neuron-map|gram-matrix|cosine-matrix|cosine-histogram)$/.test(name),
    script: contrastScript,
  },
  heads: {
    has: (_result, name) => /^scores-(previousToken|duplicateToken|induction)$/.test(name),
    script: headsScript,
  },
  attribution: {
    has: (result, name) => result.texts.length > 0 && (attributionCards as readonly string[]).includes(name),
    script: attributionScript,
  },
  lens: {
    has: (result, name) => (result.texts[Number(/^lens-grid-(\d+)$/.exec(name)?.[1] ?? -1)]?.layers.length ?? 0) > 0,
    script: lensScript,
  },
});

/** The result's job's cards (none for a job this version does not know); generic so the entry fits the result. */
function cardsOf<J extends JobName>(result: ResultOf<J>): PythonCards<J> | undefined {
  return Object.prototype.hasOwnProperty.call(pythonCards, result.job) ? pythonCards[result.job as J] : undefined;
}

/** The script for one card of a result, or undefined when the card has none. */
export function pythonForCard(result: Result, name: string): string | undefined {
  const parts = cardsOf(result)?.script(result, name);
  return parts ? buildScript(parts) : undefined;
}

/** Which cards have a script, decided without encoding any data (the scripts are built on click). */
export function pythonScriptExists(result: Result, name: string): boolean {
  return cardsOf(result)?.has(result, name) ?? false;
}
