// The contrast panel's pure helpers: the t quantile behind the threshold lines against scipy
// (fixtures/contrast-derive/make_t_critical.py), and the per-sentence/per-neuron views of the fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContrastResult } from '../../src/protocol/result';
import { groupSplit, neuronColumn, neuroscopeUrl, recorrect, sentenceMeans, tCritical, tTwoSidedP, thresholdDf } from '../../src/webview/panels/contrast-derive';

const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'contrast-derive', 't.json'), 'utf8')) as {
  critical: { df: number; p: number; tCritical: number }[]; pvalues: { df: number; t: number; p: number }[];
};
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'contrast-result.regression.json'), 'utf8')) as ContrastResult;

test('two-sided t p-values equal scipy 2·t.sf(|t|, df)', () => {
  for (const c of reference.pvalues) {
    const p = tTwoSidedP(c.t, c.df);
    assert.ok(Math.abs(p - c.p) <= 1e-10 + 1e-9 * c.p, `df ${c.df}, t ${c.t}: ${p} vs ${c.p}`);
  }
});

test('critical |t| equals scipy t.isf(p/2, df), relative 1e-8', () => {
  for (const c of reference.critical) {
    const t = tCritical(c.p, c.df);
    assert.ok(t !== null && Math.abs(t - c.tCritical) <= 1e-8 * c.tCritical, `df ${c.df}, p ${c.p}: ${t} vs ${c.tCritical}`);
  }
  assert.equal(tCritical(0, 10), null);
  assert.equal(tCritical(0.05, 0), null);
});

test('the fixture\'s significant neurons lie beyond the critical |t| and the rest inside (Student)', () => {
  assert.equal(fixture.test, 'student');
  const tc = tCritical(fixture.threshold, thresholdDf(fixture)) as number;
  const sig = new Set(fixture.significant);
  fixture.t.forEach((t, i) => {
    if (!Number.isFinite(t)) return;
    // The fixture rounds t and p to 6 significant digits: allow that much at the boundary.
    if (sig.has(i)) assert.ok(Math.abs(t) >= tc * (1 - 1e-5), `neuron ${i}`);
    else assert.ok(Math.abs(t) <= tc * (1 + 1e-5), `neuron ${i}`);
  });
});

test('sentence means, neuron columns, the group split and Neuroscope URLs', () => {
  const means = sentenceMeans(fixture);
  const row = fixture.activations[3];
  assert.equal(means.length, fixture.sentences.length);
  assert.ok(Math.abs(means[3] - row.reduce((s, v) => s + v, 0) / row.length) < 1e-12);
  assert.deepEqual(neuronColumn(fixture, 7), fixture.activations.map((r) => r[7]));
  const split = groupSplit(fixture);
  assert.ok(fixture.sentences.slice(0, split).every((s) => s.group === 0));
  assert.ok(fixture.sentences.slice(split).every((s) => s.group === 1));
  assert.equal(neuroscopeUrl(fixture, 12), `https://neuroscope.io/gpt2-small/${fixture.layer}/12.html`);
  assert.equal(neuroscopeUrl({ ...fixture, neuroscope: null }, 12), null);
});

test('re-applied corrections equal statsmodels multipletests (bonferroni, fdr_bh) at several alphas', () => {
  const ref = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'contrast-derive', 'corrections.json'), 'utf8')) as {
    p: number[]; cases: { method: string; alpha: number; significant: number[]; adjusted: number[] }[];
  };
  for (const c of ref.cases) {
    const out = recorrect(ref.p, c.method === 'bonferroni' ? 'bonferroni' : 'fdr', c.alpha);
    assert.deepEqual(out.significant, c.significant, `${c.method} ${c.alpha}`);
    out.pAdjusted.forEach((v, i) => assert.ok(Math.abs(v - c.adjusted[i]) <= 1e-12, `${c.method} ${c.alpha} p[${i}]`));
  }
  assert.ok(ref.cases.some((c) => c.significant.length > 0) && ref.cases.some((c) => c.significant.length < ref.p.length));
});

test('re-applying the run\'s own correction reproduces its significant set and threshold', () => {
  const same = recorrect(fixture.p, fixture.correction, fixture.alpha);
  assert.deepEqual(same.significant, fixture.significant);
  assert.ok(Math.abs(same.threshold - fixture.threshold) <= 1e-9);
  const fdr = recorrect(fixture.p, 'fdr', fixture.alpha);
  assert.ok(fdr.significant.length >= fixture.significant.length, 'BH finds at least what Bonferroni finds');
});
