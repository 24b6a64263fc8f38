// The heads job against PyTorch (test/fixtures/heads/make_heads_fixtures.py): every layer's pattern,
// each text's detector scores and their mean, for texts and for the repeat-random probe, on random
// GPT-2, Llama (RMSNorm, RoPE, grouped-query attention, a BOS) and Gemma-2 (softcap, sliding window)
// checkpoints, to 1e-4. The token ids the job runs are the fixture's too.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runHeads } from '../../src/core/analyses/heads';
import type { HeadScores } from '../../src/protocol/result';
import { HEADS_FIXTURE_MODELS, HEADS_FIXTURE_PROBE, HEADS_FIXTURE_TEXTS, fixtureDir } from '../fixtures/heads/checkpoints';

interface Run { ids: number[]; scores: HeadScores; patterns: number[][][][] }
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/heads/reference.json'), 'utf8')) as {
  models: { name: string; texts: Run[]; textsMean: HeadScores; probe: Run }[];
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-heads-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
before(() => { for (const model of HEADS_FIXTURE_MODELS) model.write(fixtureDir(tmp, model)); });

function assertNested(got: unknown, want: unknown, where: string): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${where}: length ${Array.isArray(got) ? got.length : typeof got} vs ${want.length}`);
    want.forEach((w, i) => assertNested((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  const g = got as number;
  const w = want as number;
  assert.ok(Math.abs(g - w) <= 1e-4, `${where}: ${g} vs torch ${w}`);
}

function assertScores(got: HeadScores, want: HeadScores, where: string): void {
  for (const name of ['previousToken', 'duplicateToken', 'induction'] as const) assertNested(got[name], want[name], `${where} ${name}`);
}

for (const model of HEADS_FIXTURE_MODELS) {
  test(`${model.name}: patterns and detector scores of texts equal PyTorch's to 1e-4`, async () => {
    const want = fixture.models.find((m) => m.name === model.name)!;
    const r = await runHeads({ model: fixtureDir(tmp, model), texts: HEADS_FIXTURE_TEXTS, patterns: true, provider: 'cpu' });
    assert.equal(r.job, 'heads');
    assert.equal(r.texts.length, 2);
    r.texts.forEach((t, i) => {
      assert.deepEqual(t.tokens.map((x) => x.id), want.texts[i].ids, 'the tokens the reference ran');
      assertScores(t.scores, want.texts[i].scores, `text ${i}`);
      assertNested(r.patterns![i], want.texts[i].patterns, `text ${i} patterns`);
    });
    assertScores(r.scores, want.textsMean, 'mean over texts');
    assert.equal(r.scores.previousToken.length, r.nLayer);
    assert.equal(r.scores.previousToken[0].length, r.nHead);
    assert.equal(r.bosAdded, model.name === 'llama');
    assert.equal(r.probe, null);
  });

  test(`${model.name}: the repeat-random probe's tokens, patterns and scores equal PyTorch's to 1e-4`, async () => {
    const want = fixture.models.find((m) => m.name === model.name)!.probe;
    const r = await runHeads({ model: fixtureDir(tmp, model), repeatRandom: HEADS_FIXTURE_PROBE.tokens, seed: HEADS_FIXTURE_PROBE.seed, patterns: true, provider: 'cpu' });
    assert.deepEqual(r.texts[0].tokens.map((x) => x.id), want.ids);
    assert.equal(r.probe?.tokens, HEADS_FIXTURE_PROBE.tokens);
    assert.equal(r.probe?.bos?.id, want.ids[0]);
    assertScores(r.scores, want.scores, 'probe');
    assertNested(r.patterns![0], want.patterns, 'probe patterns');
    // Without --patterns the result carries none, and the scores are the same.
    const lean = await runHeads({ model: fixtureDir(tmp, model), repeatRandom: HEADS_FIXTURE_PROBE.tokens, seed: HEADS_FIXTURE_PROBE.seed, provider: 'cpu' });
    assert.equal(lean.patterns, undefined);
    assert.deepEqual(lean.scores, r.scores);
  });
}

test('the reference patterns are causal distributions, with Gemma-2\'s sliding window (4) on its even layers', () => {
  const gemma = fixture.models.find((m) => m.name === 'gemma2')!.probe;
  const layer0 = gemma.patterns[0][0];
  const T = gemma.ids.length;
  for (let q = 0; q < T; q++) {
    const row = layer0[q];
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    row.forEach((v, k) => { if (k > q || k <= q - 4) assert.equal(v, 0, `q ${q} k ${k} outside the window`); });
  }
  assert.ok(gemma.patterns[1][0][T - 1][0] > 0, 'layer 1 is global');
});

test('bad inputs name the fix', async () => {
  const dir = fixtureDir(tmp, HEADS_FIXTURE_MODELS[0]);
  await assert.rejects(runHeads({ model: dir }), /no input: give texts or the repeat-random probe/);
  await assert.rejects(runHeads({ model: dir, texts: ['a'], repeatRandom: 5 }), /give one input, not texts and the repeat-random probe/);
  await assert.rejects(runHeads({ model: dir, texts: [''] }), /text 1 is empty/);
  await assert.rejects(runHeads({ model: dir, tokenIds: [[1, 99999999]] }), /outside the model's vocabulary/);
});

test('patterns over maxPatternValues are left out with a warning that says what to do; the scores stay', async () => {
  const dir = fixtureDir(tmp, HEADS_FIXTURE_MODELS[0]);
  const full = await runHeads({ model: dir, texts: HEADS_FIXTURE_TEXTS, patterns: true, provider: 'cpu' });
  const capped = await runHeads({ model: dir, texts: HEADS_FIXTURE_TEXTS, patterns: true, maxPatternValues: 100, provider: 'cpu' });
  assert.equal(capped.patterns, undefined);
  assert.ok(capped.warnings.some((w) => /more than the 100 this view keeps: only the scores are shown\. Use fewer or shorter texts/.test(w)), capped.warnings.join('\n'));
  assert.deepEqual(capped.scores, full.scores);
});
