import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectSelection } from '../../../src/extension/job-table';
import { SCHEMA_VERSION, type AttentionResult, type CompareResult, type ContrastResult, type TokensResult } from '../../../src/protocol/result';

const close = (actual: number, expected: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

function compare(): CompareResult {
  const items = ['moon', 'star', 'pear', 'kiwi'];
  const space = (label: string, similarity: number[][]) => ({ source: { spec: label, label, kind: 'catalog' as const, dims: 2 }, similarity,
    selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [] });
  const a = space('A50', [[1, 0.9, 0.1, 0.2], [0.9, 1, 0.3, 0.0], [0.1, 0.3, 1, 0.8], [0.2, 0.0, 0.8, 1]]);
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title: 't', items, itemCategories: ['space', 'space', 'fruit', 'fruit'], categories: ['space', 'fruit'], missing: [],
    a: { ...a, map: { method: 'tsne', coords: [], labels: [0, 0, 1, 1], clusters: [{ label: 1, members: ['pear', 'kiwi'], centroid: [0.5, -0.25] }], options: {} } },
    b: space('B300', [[1, 0.5, 0.6, NaN], [0.5, 1, 0.2, 0.1], [0.6, 0.2, 1, 0.7], [NaN, 0.1, 0.7, 1]]),
    rsa: { pearson: 0, spearman: 0, cosine: 0, pValue: null, permutations: 0, n: 6 }, rsaByCategory: [], warnings: [],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words: 'w', seed: 0 } };
}

interface NeuronFixture {
  activations: number[][]; nA: number; nB: number;
  neurons: { meanA: number; sdA: number; meanB: number; sdB: number; cohenD: number; student: { t: number; p: number; df: number }; welch: { t: number; p: number; df: number } }[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'inspector', 'neuron.json'), 'utf8')) as NeuronFixture;

function contrast(testKind: 'student' | 'welch'): ContrastResult {
  const n = fixture.nA + fixture.nB;
  const d = fixture.neurons.length;
  return {
    schemaVersion: SCHEMA_VERSION, job: 'contrast', title: 'c', model: { spec: 'model:x', label: 'x', kind: 'model-hook', dims: d }, hook: 'blocks.0.mlp.hook_pre', layer: 0,
    provider: 'cpu', groups: ['him', 'her'],
    sentences: Array.from({ length: n }, (_, r) => ({ text: `s${r}`, group: r < fixture.nA ? 0 : 1, position: 1, token: ' him', line: r + 1 })),
    tokens: [], activations: fixture.activations, test: testKind, correction: 'fdr', alpha: 0.05,
    t: new Array(d).fill(0), p: new Array(d).fill(1), pAdjusted: [0.5, 0.6, 0.7, 0.8, 0.01], df: new Array(d).fill(0), cohenD: new Array(d).fill(0),
    meanA: [], meanB: [], significant: [4], threshold: 0, zeroVariance: [],
    labelShuffle: { shuffles: 0, observed: 0, counts: [], meanShuffled: 0, pValue: 1 }, coords: [], labels: [],
    clusters: [{ label: 0, neurons: [1, 4], meanT: -2, meanAbsT: 2 }], kmeans: null, clusterOrder: [], gram: [], cosine: [], neuroscope: null, warnings: [],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { sentences: 's', model: 'x', hook: 'h', targets: [], seed: 0 },
  };
}

test('one selected word: nearest neighbours in each space, most similar first, itself and NaN left out', () => {
  assert.deepEqual(inspectSelection(compare(), ['moon'], undefined, 2), {
    kind: 'token', word: 'moon', category: 'space',
    spaces: [
      { label: 'A50', neighbours: [{ word: 'star', similarity: 0.9 }, { word: 'kiwi', similarity: 0.2 }] },
      { label: 'B300', neighbours: [{ word: 'pear', similarity: 0.6 }, { word: 'star', similarity: 0.5 }] },
    ],
  });
  // The same word picked by its row.
  assert.deepEqual(inspectSelection(compare(), [], { kind: 'token', index: 0 }, 2), inspectSelection(compare(), ['moon'], undefined, 2));
});

test('two words: their similarity in both spaces (NaN as null); anything else says what to do', () => {
  assert.deepEqual(inspectSelection(compare(), ['pear', 'kiwi']), { kind: 'pair', words: ['pear', 'kiwi'], spaces: [{ label: 'A50', similarity: 0.8 }, { label: 'B300', similarity: 0.7 }] });
  assert.deepEqual(inspectSelection(compare(), ['moon', 'kiwi']).kind === 'pair' && (inspectSelection(compare(), ['moon', 'kiwi']) as { spaces: unknown[] }).spaces[1], { label: 'B300', similarity: null });
  assert.equal(inspectSelection(undefined, ['moon']).kind, 'empty');
  assert.match((inspectSelection(compare(), ['comet']) as { message: string }).message, /^"comet" is not in this result\./);
});

test('a compare cluster: its members and its centroid over dimensions', () => {
  assert.deepEqual(inspectSelection(compare(), [], { kind: 'cluster', map: 'a', label: 1 }), {
    kind: 'cluster', map: 'a', label: 1, title: 'A50 · cluster 1 · 2 words', members: ['pear', 'kiwi'], profile: [0.5, -0.25], profileLabel: 'centroid (dimension)',
  });
});

for (const kind of ['student', 'welch'] as const) {
  test(`a neuron (${kind}): group means, sds, t, p, df and Cohen's d equal scipy's`, () => {
    fixture.neurons.forEach((ref, j) => {
      const data = inspectSelection(contrast(kind), [], { kind: 'neuron', neuron: j });
      assert.equal(data.kind, 'neuron');
      if (data.kind !== 'neuron') return;
      assert.equal(data.values.length, fixture.nA + fixture.nB);
      assert.equal(data.split, fixture.nA);
      assert.deepEqual(data.groups.map((g) => [g.name, g.n]), [['him', fixture.nA], ['her', fixture.nB]]);
      close(data.groups[0].mean, ref.meanA, 1e-12, `meanA n${j}`);
      close(data.groups[0].sd, ref.sdA, 1e-12, `sdA n${j}`);
      close(data.groups[1].mean, ref.meanB, 1e-12, `meanB n${j}`);
      close(data.groups[1].sd, ref.sdB, 1e-12, `sdB n${j}`);
      close(data.t, ref[kind].t, 1e-10, `t n${j}`);
      close(data.p, ref[kind].p, 1e-8, `p n${j}`);
      close(data.df, ref[kind].df, 1e-10, `df n${j}`);
      close(data.cohenD, ref.cohenD, 1e-10, `d n${j}`);
      assert.equal(data.significant, j === 4);
      assert.equal(data.pAdjusted, contrast(kind).pAdjusted[j]);
    });
  });
}

test('a neuron named in the selection items ("n3") is the same as picked by focus; out of range says so', () => {
  assert.deepEqual(inspectSelection(contrast('welch'), ['n3']), inspectSelection(contrast('welch'), [], { kind: 'neuron', neuron: 3 }));
  assert.deepEqual(inspectSelection(contrast('welch'), [], { kind: 'neuron', neuron: 9 }), { kind: 'empty', message: 'Neuron 9 is not in this result (it has 5 neurons).' });
});

test('a neuron cluster: members by |t|, and the mean activation of its neurons in every sentence', () => {
  const r = contrast('student');
  r.t = [0, -1, 0, 0, 3];
  const data = inspectSelection(r, [], { kind: 'cluster', map: 'dbscan', label: 0 });
  assert.equal(data.kind, 'cluster');
  if (data.kind !== 'cluster') return;
  assert.deepEqual(data.members, ['n4', 'n1']);
  data.profile.forEach((v, row) => close(v, (fixture.activations[row][1] + fixture.activations[row][4]) / 2, 1e-12, `row ${row}`));
  assert.equal(data.split, fixture.nA);
  assert.equal(inspectSelection(r, [], { kind: 'cluster', map: 'kmeans', label: 0 }).kind, 'empty');
});

test('a token of a tokens run: neighbours by cosine read off the Gram matrix', () => {
  const tokens = { job: 'tokens', tokens: ['a', 'b', 'c'], gram: [[4, 2, 0], [2, 1, 0], [0, 0, 9]], matrixCap: 100, model: { label: 'gpt2' }, clusters: [] } as unknown as TokensResult;
  const data = inspectSelection(tokens, ['a']);
  assert.deepEqual(data, { kind: 'token', word: 'a', category: null, spaces: [{ label: 'gpt2 token embeddings (cosine)', neighbours: [{ word: 'b', similarity: 1 }, { word: 'c', similarity: 0 }] }] });
  assert.match((inspectSelection({ ...tokens, gram: null } as TokensResult, ['a']) as { message: string }).message, /no Gram matrix/);
  // A group picked in the token panel's list (its members, in any order) is shown as that cluster.
  const grouped = { ...tokens, clusters: [{ label: 2, indices: [0, 1], members: ['a', 'b'], tokenIds: [64, 65], centroid: [0.5, 1.5] }] } as unknown as TokensResult;
  assert.deepEqual(inspectSelection(grouped, ['b', 'a']), { kind: 'cluster', map: 'tokens', label: 2, title: 'Cluster 2 · 2 tokens', members: ['a', 'b'], profile: [0.5, 1.5], profileLabel: 'centroid (embedding dimension)' });
  assert.equal(inspectSelection(grouped, ['a', 'c']).kind, 'empty');
});

test('a layer of an attention sweep: every statistic there, and each over all layers', () => {
  const sweep = [0, 1, 2].map((layer) => ({ layer, rsaQK: layer / 10, selectivity: { q: 1 + layer, k: 2, v: null, mlp: 1, resid: 1.5 } }));
  const attention = { job: 'attention', layer: 1, items: [], sweep } as unknown as AttentionResult;
  const data = inspectSelection(attention, [], { kind: 'layer', layer: 2 });
  assert.equal(data.kind, 'layer');
  if (data.kind !== 'layer') return;
  assert.deepEqual(data.values.slice(0, 4), [{ name: 'RSA Q vs K', value: 0.2 }, { name: 'selectivity Q', value: 3 }, { name: 'selectivity K', value: 2 }, { name: 'selectivity V', value: null }]);
  assert.deepEqual(data.series[1], { name: 'selectivity Q', values: [1, 2, 3] });
  assert.deepEqual(data.layers, [0, 1, 2]);
  assert.equal(data.current, 1);
});

test('a pair names the model it can be run through at every layer: the attention job\'s, or a compare side\'s model: source', () => {
  assert.equal((inspectSelection(compare(), ['moon', 'star']) as { layerSource?: unknown }).layerSource, undefined, 'static vectors: no model');
  const withModel = compare();
  withModel.b.source = { ...withModel.b.source, spec: 'model:gpt2#blocks.5.hook_resid_post', kind: 'model-hook' };
  withModel.inputs.template = 'A {word}';
  assert.deepEqual((inspectSelection(withModel, ['moon', 'star']) as { layerSource?: unknown }).layerSource, { model: 'gpt2', template: 'A {word}' });
  const attention = { job: 'attention', layer: 1, items: ['moon', 'star'], itemCategories: [null, null], template: 'The next word is {word}', inputs: { model: 'gpt2-medium' },
    q: { hook: 'blocks.1.attn.hook_q', similarity: [[1, 0.5], [0.5, 1]] }, k: { hook: 'blocks.1.attn.hook_k', similarity: [[1, 0.25], [0.25, 1]] }, v: { hook: 'blocks.1.attn.hook_v', similarity: [[1, 0], [0, 1]] } } as unknown as AttentionResult;
  assert.deepEqual(inspectSelection(attention, ['moon', 'star']), {
    kind: 'pair', words: ['moon', 'star'], layerSource: { model: 'gpt2-medium', template: 'The next word is {word}' },
    spaces: [{ label: 'Q · layer 1', similarity: 0.5 }, { label: 'K · layer 1', similarity: 0.25 }, { label: 'V · layer 1', similarity: 0 }],
  });
});
