// "Copy as Python": every chart card of the compare, attention and contrast panels has a script, and
// each script, run with Debian's /usr/bin/python3 (numpy, scipy, scikit-learn, matplotlib on the Agg
// backend, figure included), prints numbers equal to the panel's to 1e-6: similarity matrices,
// selectivity, RSA r/ρ/S_c, per-category RSA, histogram counts, t, p, adjusted p, Cohen's d, the
// significant set, the label-shuffle p, DBSCAN labels, k-means inertia, Gram and cosine matrices.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttentionResult, CompareResult, ContrastResult, Result } from '../../src/protocol/result';
import { pythonForCard } from '../../src/webview/python-cards';
import { sentenceMeans } from '../../src/webview/panels/contrast-derive';
import { runCompare } from '../../src/core/analyses/compare';
import { runAttention } from '../../src/core/analyses/attention';
import { runContrast } from '../../src/core/analyses/contrast';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { SAE_FIXTURE_CHECKPOINT } from '../fixtures/sae/dump-activations';
import { ATTENTION_SAE_WORDS } from '../fixtures/sae/attention/dump-attention';

const repoRoot = path.join(__dirname, '..', '..');

/**
 * The panel fixtures are rounded for display tests, so the results here are real runs. Compare: a runCompare: 18 words in 3
 * categories, two vector files with planted category structure (8 and 12 dimensions), t-SNE + DBSCAN.
 */
async function realCompare(): Promise<CompareResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-python-compare-'));
  const words = ['sun', 'moon', 'star', 'comet', 'planet', 'orbit', 'chair', 'table', 'sofa', 'desk', 'bench', 'stool', 'apple', 'pear', 'plum', 'grape', 'lime', 'fig'];
  const categories = ['space', 'furniture', 'fruit'];
  fs.writeFileSync(path.join(dir, 'list.words'), categories.map((c, k) => `[${c}]\n${words.slice(6 * k, 6 * k + 6).join('\n')}`).join('\n') + '\n');
  let state = 12345;
  const random = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 - 0.5; };
  for (const [name, dims] of [['a.txt', 8], ['b.txt', 12]] as const) {
    const centers = categories.map(() => Array.from({ length: dims }, random));
    const lines = words.map((w, i) => `${w} ${centers[Math.floor(i / 6)].map((c) => (c + 0.6 * random()).toFixed(5)).join(' ')}`);
    fs.writeFileSync(path.join(dir, name), `${lines.join('\n')}\n`);
  }
  return runCompare({ wordsPath: path.join(dir, 'list.words'), a: `vectors:${path.join(dir, 'a.txt')}`, b: `vectors:${path.join(dir, 'b.txt')}`, permutations: 200, seed: 1, map: { perplexity: 4 } });
}

/** Attention and contrast on small random GPT-2 checkpoints, as the panel fixtures are made; contrast with both tests and corrections. */
async function realModelRuns(): Promise<{ attention: AttentionResult; attentionSae: AttentionResult; contrast: ContrastResult; welchFdr: ContrastResult }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-python-models-'));
  writeRandomGpt2Checkpoint(path.join(dir, 'attn'), { nLayer: 3, nEmbd: 64, nHead: 4, seed: 7 });
  writeRandomGpt2Checkpoint(path.join(dir, 'mlp'), { nLayer: 2, nEmbd: 64, seed: 5 });
  const attention = await runAttention({ wordsPath: path.join(repoRoot, 'samples', 'next-word.words'), model: path.join(dir, 'attn'), layer: 1, sweep: true, seed: 0, permutations: 100 });
  const sentencesPath = path.join(repoRoot, 'samples', 'him-her.sentences');
  const contrast = await runContrast({ sentencesPath, model: path.join(dir, 'mlp'), hook: 'blocks.1.mlp.hook_pre', seed: 0, shuffles: 50 });
  const welchFdr = await runContrast({ sentencesPath, model: path.join(dir, 'mlp'), hook: 'blocks.1.mlp.hook_pre', seed: 0, shuffles: 50, test: 'welch', correction: 'fdr', alpha: 0.2 });
  // Job 4 with the end-to-end SAE fixture on its own random GPT-2 (its d_in is that model's width).
  writeRandomGpt2Checkpoint(path.join(dir, 'sae-model'), SAE_FIXTURE_CHECKPOINT);
  fs.writeFileSync(path.join(dir, 'kinds.words'), ATTENTION_SAE_WORDS);
  const attentionSae = await runAttention({ wordsPath: path.join(dir, 'kinds.words'), model: path.join(dir, 'sae-model'), layer: 1, sweep: true, seed: 0, permutations: 50,
    sae: path.join(repoRoot, 'test/fixtures/sae/e2e/sae') });
  return { attention, attentionSae, contrast, welchFdr };
}

let compare: CompareResult;
let attention: AttentionResult;
let attentionSae: AttentionResult;
let contrast: ContrastResult;
let welchFdr: ContrastResult;
let cards: [Result, string[]][] = [];
before(async () => {
  compare = await realCompare();
  ({ attention, attentionSae, contrast, welchFdr } = await realModelRuns());
  /** The export names of every chart card, per panel (the names the panels give card()). */
  cards = [
  [compare, ['similarity-a', 'similarity-b', 'selectivity-strips', 'similarity-histogram', 'rsa-scatter', 'rsa-per-category', 'word-vector', 'clusters-a', 'clusters-b']],
  [attention, ['similarity-q', 'similarity-k', 'histogram-q', 'histogram-k', 'rsa-scatter', 'rsa-per-category', 'rsa-per-head', 'sweep-selectivity', 'sweep-rsa']],
  [attentionSae, ['similarity-sae', 'sae-rsa-per-head-q', 'sae-rsa-per-head-k', 'sweep-sae']],
  [contrast, ['activations', 'neuron-means', 'sentence-means', 't-values', 'neuron', 'label-shuffle', 'neuron-map', 'gram-matrix', 'cosine-matrix', 'cosine-histogram']],
  ];
});

const python = '/usr/bin/python3';
const hasPython = spawnSync(python, ['-c', 'import numpy, scipy, sklearn, matplotlib'], { encoding: 'utf8' }).status === 0;

/** Runs every script in one Python process (matplotlib loads once), each as __main__ with plotting on. */
function runScripts(scripts: Map<string, string>): Map<string, Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-python-'));
  const files: Record<string, string> = {};
  for (const [key, script] of scripts) {
    const file = path.join(dir, `${key.replace(/[^\w-]/g, '_')}.py`);
    fs.writeFileSync(file, script);
    files[key] = file;
  }
  const driver = `
import contextlib, io, json, runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
out = {}
for key, file in json.load(open(sys.argv[1])).items():
    sys.argv = [file]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        runpy.run_path(file, run_name="__main__")
    plt.close("all")
    out[key] = json.loads(buf.getvalue().splitlines()[0])
print(json.dumps(out))
`;
  fs.writeFileSync(path.join(dir, 'files.json'), JSON.stringify(files));
  const r = spawnSync(python, ['-c', driver, path.join(dir, 'files.json')], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, MPLBACKEND: 'Agg' } });
  assert.equal(r.status, 0, r.stderr);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, Record<string, unknown>>));
}

function close(actual: unknown, expected: unknown, what: string, tol = 1e-6): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${what}: expected an array`);
    assert.equal(actual.length, expected.length, `${what}: length`);
    expected.forEach((e, i) => close(actual[i], e, `${what}[${i}]`, tol));
  } else if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${what}: ${String(actual)} is not a number`);
    assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${String(actual)} vs ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${what}: expected an object`);
    for (const [k, v] of Object.entries(expected)) close((actual as Record<string, unknown>)[k], v, `${what}.${k}`, tol);
  } else {
    assert.deepEqual(actual, expected, what);
  }
}

const sel = (s: { index: number | null; within: number | null; between: number | null }) => ({ index: s.index, within: s.within, between: s.between });
const rsa = (r: { pearson: number; spearman: number; cosine: number; n: number }) => [r.pearson, r.spearman, r.cosine, r.n];
const gotRsa = (o: Record<string, unknown>) => [o.pearson, o.spearman, o.cosine, o.n];
const upper = (m: number[][]) => m.flatMap((row, i) => row.slice(i + 1));

test('every chart card of the three panels has a Python script; unknown cards have none', () => {
  for (const [result, names] of cards) {
    for (const name of names) assert.match(pythonForCard(result, name) ?? '', /^# MechLens — /, `${result.job} ${name}`);
    assert.equal(pythonForCard(result, 'no-such-card'), undefined);
  }
});

test('each script runs with /usr/bin/python3 and reproduces the panel\'s numbers to 1e-6', { skip: !hasPython && 'no /usr/bin/python3 with numpy, scipy, scikit-learn and matplotlib' }, () => {
  const scripts = new Map<string, string>();
  for (const [result, names] of cards) for (const name of names) scripts.set(`${result.job}/${name}`, pythonForCard(result, name)!);
  scripts.set('welch-fdr/t-values', pythonForCard(welchFdr, 't-values')!);
  const out = runScripts(scripts);
  const get = (key: string) => out.get(key) as Record<string, never>;

  // Compare.
  for (const k of ['a', 'b'] as const) {
    close(get(`compare/similarity-${k}`).similarity, compare[k].similarity, `compare ${k} similarity from vectors`);
    close(get(`compare/similarity-${k}`).selectivity, sel(compare[k].selectivity), `compare ${k} selectivity`);
    close(get('compare/selectivity-strips')[k], sel(compare[k].selectivity), `strips ${k}`);
    close(get(`compare/clusters-${k}`).labels, compare[k].map!.labels, `compare ${k} DBSCAN labels`);
    const off = upper(compare[k].similarity);
    close((get('compare/similarity-histogram')[k] as Record<string, unknown>).mean, off.reduce((s, v) => s + v, 0) / off.length, `compare ${k} mean similarity`);
  }
  close(gotRsa(get('compare/rsa-scatter')), rsa(compare.rsa), 'compare RSA');
  const p = get('compare/rsa-scatter').pValue_numpy as number;
  assert.ok(p > 0 && p <= 1, 'numpy Mantel p is a probability');
  close((get('compare/rsa-per-category').perCategory as Record<string, unknown>[]).map((r) => [r.category, ...gotRsa(r)]),
    compare.rsaByCategory.map((r) => [r.category, ...rsa(r)]), 'compare RSA per category');
  close(get('compare/word-vector').normA, compare.a.vectors.map((v) => Math.hypot(...v)), 'word vector norms');

  // Attention.
  for (const k of ['q', 'k'] as const) {
    close(get(`attention/similarity-${k}`).selectivity, sel(attention[k].selectivity), `attention ${k} selectivity`);
    close(get(`attention/histogram-${k}`).counts, attention[k].histogram.counts, `attention ${k} histogram counts`);
  }
  close(gotRsa(get('attention/rsa-scatter')), rsa(attention.rsa), 'attention RSA Q vs K');
  close((get('attention/rsa-per-category').perCategory as Record<string, unknown>[]).map((r) => [r.category, ...gotRsa(r)]),
    attention.rsaByCategory.map((r) => [r.category, ...rsa(r)]), 'attention RSA per category');
  close(get('attention/rsa-per-head').rsa, attention.heads.map((h) => h.rsa), 'per-head RSA redrawn');
  close(get('attention/sweep-rsa').rsaQK, attention.sweep!.map((s) => s.rsaQK), 'sweep RSA redrawn');
  const sae = attentionSae.sae!;
  const saeRsa = get('attention/similarity-sae');
  for (const [key, stats] of [['features_vs_Q', sae.rsaQ!], ['features_vs_K', sae.rsaK!]] as const) close(gotRsa(saeRsa[key]), rsa(stats), `SAE ${key}`);
  close(get('attention/sae-rsa-per-head-q').rsaQ, sae.heads.map((h) => h.rsaQ), 'SAE per-head RSA with Q redrawn');
  close(get('attention/sae-rsa-per-head-k').rsaK, sae.heads.map((h) => h.rsaK), 'SAE per-head RSA with K redrawn');
  close(get('attention/sweep-sae').resid, attentionSae.sweep!.map((s) => s.sae!.resid), 'SAE sweep redrawn');
  assert.equal(pythonForCard(attention, 'similarity-sae'), undefined, 'no SAE cards without an SAE');

  // Contrast.
  const tTest = get('contrast/t-values');
  close(tTest.t, contrast.t, 't');
  close(tTest.p, contrast.p, 'p');
  close(tTest.pAdjusted, contrast.pAdjusted, 'adjusted p');
  close(tTest.cohenD, contrast.cohenD, 'Cohen\'s d');
  assert.deepEqual(tTest.significant, contrast.significant, 'significant neurons');
  close(tTest.threshold, contrast.threshold, 'threshold');
  const fdr = get('welch-fdr/t-values');
  for (const key of ['t', 'p', 'pAdjusted', 'cohenD', 'threshold'] as const) close(fdr[key], welchFdr[key], `Welch + FDR ${key}`);
  assert.deepEqual(fdr.significant, welchFdr.significant, 'Welch + FDR significant neurons');
  assert.ok(contrast.significant.length > 0 && welchFdr.significant.length > 0, 'both runs have significant neurons to compare');
  const one = get('contrast/neuron') as Record<string, number>;
  assert.ok(contrast.significant.includes(one.neuron), 'the script starts at a significant neuron');
  for (const key of ['t', 'p', 'cohenD', 'meanA', 'meanB'] as const) close(one[key], contrast[key][one.neuron], `neuron ${one.neuron} ${key}`);
  close(get('contrast/neuron-means').meanA, contrast.meanA, 'mean A');
  close(get('contrast/neuron-means').meanB, contrast.meanB, 'mean B');
  close(get('contrast/sentence-means').sentenceMeans, sentenceMeans(contrast), 'sentence means');
  close(get('contrast/label-shuffle').pValue, contrast.labelShuffle.pValue, 'label-shuffle p');
  close(get('contrast/neuron-map').labels, contrast.labels, 'neuron DBSCAN labels');
  if (contrast.kmeans) close(get('contrast/neuron-map').kmeansInertia, contrast.kmeans.inertia, 'k-means inertia');
  close(get('contrast/gram-matrix').matrix, contrast.gram, 'Gram matrix');
  close(get('contrast/cosine-matrix').matrix, contrast.cosine, 'cosine matrix');
  const cos = upper(contrast.cosine);
  close(get('contrast/cosine-histogram').mean, cos.reduce((s, v) => s + v, 0) / cos.length, 'mean neuron cosine');
});
