// The attention panel rendered in headless Chromium from a stored AttentionResult (made by
// fixtures/make-attention-fixture.ts with the real runAttention on a random 4-layer, 4-head GPT-2
// checkpoint, swept over all layers): DOM against the Result, hover, messages, and
// docs/screenshots/attention-panel.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttentionResult } from '../../src/protocol/result';
import { assertPythonButtons } from './python-buttons';
import { usePanel, openPanel } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'attention-result.regression.json'), 'utf8')) as AttentionResult;
const n = fixture.items.length;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900 });

const texts = (selector: string) => panel.page.locator(selector).allTextContents();
const fixed3 = (v: number) => v.toFixed(3);

test('says ready, then renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
  assert.equal(await panel.page.locator('.ml-attention[data-rendered="true"]').count(), 1);
});

test('header names the model, provider, template and layer; the split word is shown with its pieces', async () => {
  const chips = (await texts('.ml-sources .ml-source')).join(' | ');
  for (const part of [fixture.model.label, fixture.provider, fixture.template, fixture.q.hook, fixture.k.hook]) assert.ok(chips.includes(part), part);
  assert.equal(await panel.page.locator('[data-source="layer"] .ml-source-key + span').textContent(), String(fixture.layer));
  assert.ok(fixture.pieces.length > 0, 'the fixture has a word that is not a single token');
  for (const p of fixture.pieces) {
    const line = panel.page.locator(`.ml-pieces [data-word="${p.word}"]`);
    assert.deepEqual(await line.locator('code.ml-piece').allTextContents(), p.pieces);
    assert.equal(await line.locator('code.ml-word').textContent(), p.word);
  }
  assert.match(await panel.page.locator('.ml-pieces .ml-banner-title').textContent() ?? '', new RegExp(`${fixture.missing.length} dropped`));
});

test('Q and K heatmaps draw n² cells each, with separate color ranges', async () => {
  for (const space of ['q', 'k']) {
    assert.equal(await panel.page.locator(`[data-space="${space}"] rect.cell`).count(), n * n, space);
  }
  const fills = await panel.page.evaluate(`[...document.querySelectorAll('[data-space] rect.cell')].length`);
  assert.equal(fills, 2 * n * n);
});

test('RSA Q vs K shows the Result\'s r, ρ and permutation p', async () => {
  const stat = (key: string) => panel.page.locator(`[data-card="rsa"] [data-stat="${key}"]`).textContent();
  assert.equal(await stat('pearson'), fixed3(fixture.rsa.pearson));
  assert.equal(await stat('spearman'), fixed3(fixture.rsa.spearman));
  assert.equal(await stat('n'), String(n * (n - 1) / 2));
  const p = fixture.rsa.pValue as number;
  assert.equal(await stat('pValue'), p < 0.001 ? p.toExponential(2) : p.toFixed(3));
  assert.equal(await stat('permutations'), String(fixture.rsa.permutations));
  for (const row of fixture.rsaByCategory) {
    assert.equal(await panel.page.locator(`[data-card="rsa-by-category"] [data-category="${row.category}"] .ml-multiple-title`).textContent(),
      `${row.category}: r = ${row.pearson.toFixed(2)}, n = ${row.n}`);
  }
});

test('selectivity of Q, K and V equals the Result', async () => {
  for (const key of ['q', 'k', 'v'] as const) {
    assert.equal(await panel.page.locator(`[data-stat="selectivity-${key}"]`).textContent(), fixed3(fixture[key].selectivity.index as number));
  }
});

test('one bar and one cell per head, each with the head\'s r', async () => {
  assert.equal(await panel.page.locator('[data-card="heads"] rect.bar').count(), fixture.heads.filter((h) => h.rsa !== null).length);
  const barHeads = await panel.page.locator('[data-card="heads"] rect.bar').evaluateAll((nodes) => nodes.map((b) => Number(b.getAttribute('data-head'))));
  assert.deepEqual(barHeads, fixture.heads.filter((h) => h.rsa !== null).map((h) => h.head));
  assert.deepEqual(await texts('[data-card="head-grid"] [data-stat="head-rsa"]'), fixture.heads.map((h) => `r = ${fixed3(h.rsa as number)}`));
  assert.deepEqual(await texts('[data-card="head-grid"] [data-stat="head-selectivity-q"]'), fixture.heads.map((h) => `selectivity Q ${(h.selectivityQ as number).toFixed(4)}`));
  assert.deepEqual(await texts('[data-card="head-grid"] [data-stat="head-selectivity-k"]'), fixture.heads.map((h) => `selectivity K ${(h.selectivityK as number).toFixed(4)}`));
});

test('heads at a glance: the shading spans the heads\' own |r| range (the strongest head is fully shaded), and says so', async () => {
  const rs = fixture.heads.map((h) => h.rsa).filter((r): r is number => r !== null);
  const largest = Math.max(...rs.map(Math.abs));
  const shades = await panel.page.locator('[data-card="head-grid"] .ml-head-cell').evaluateAll((cells) => cells.map((c) => ({
    head: Number(c.getAttribute('data-head')), pct: Number(((c as unknown as { style: { background: string } }).style.background.match(/ (\d+)%/) ?? [])[1] ?? 0) })));
  for (const h of fixture.heads) {
    if (h.rsa === null) continue;
    const shade = shades.find((s) => s.head === h.head);
    assert.equal(shade?.pct, Math.round((Math.abs(h.rsa) / largest) * 60), `head ${h.head}`);
  }
  assert.equal(Math.max(...shades.map((s) => s.pct)), 60);
  assert.match(await panel.page.locator('[data-card="head-grid"] .ml-head-scale').textContent() ?? '', new RegExp(`to ${largest.toFixed(3)} `));
});

test('layer sweep: one point per layer on every line, the current layer marked', async () => {
  const layers = fixture.sweep?.length ?? 0;
  assert.equal(layers, 4);
  const sel = panel.page.locator('[data-card="sweep-selectivity"] g.sweep-series');
  assert.equal(await sel.count(), 5);
  for (let s = 0; s < 5; s++) assert.equal(await sel.nth(s).locator('circle.sweep-point').count(), layers);
  assert.equal(await panel.page.locator('[data-card="sweep-rsa"] circle.sweep-point').count(), layers);
  for (const card of ['sweep-selectivity', 'sweep-rsa']) {
    assert.equal(await panel.page.locator(`[data-card="${card}"] line.current-layer`).count(), 1);
  }
});

test('hovering a sweep point names the layer and its value; hovering a Q cell names the pair and both values', async () => {
  const point = panel.page.locator(`[data-card="sweep-rsa"] circle.sweep-point[data-layer="2"]`);
  await point.hover();
  const tip = panel.page.locator('.ml-tooltip:not([hidden])');
  await tip.waitFor();
  const text = await tip.innerText();
  assert.match(text, /RSA Q–K · layer 2/);
  assert.ok(text.includes((fixture.sweep?.[2].rsaQK as number).toFixed(4)), text);
  await panel.page.mouse.move(1, 1);

  const overlay = panel.page.locator('[data-space="q"] rect.overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  assert.ok(box);
  const [i, j] = [1, 12];
  await panel.page.mouse.move(box.x + ((j + 0.5) * box.width) / n, box.y + ((i + 0.5) * box.height) / n);
  const cellTip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.match(cellTip, new RegExp(`^${fixture.items[i]} × ${fixture.items[j]}`));
  assert.ok(cellTip.includes(fixture.q.similarity[i][j].toFixed(3)), cellTip);
  assert.ok(cellTip.includes(fixture.k.similarity[i][j].toFixed(3)), cellTip);
  assert.equal(await panel.page.locator('[data-space="k"] rect.hover-cell').count(), 1);
  await panel.page.mouse.move(1, 1);
});

test('CSV export of the Q matrix posts the matrix with word labels', async () => {
  await panel.page.locator('[data-card="heatmap-q"] [data-export="csv"]').click();
  const last = (await panel.posted()).at(-1);
  assert.ok(last && last.type === 'export');
  assert.equal(last.name, 'similarity-q.csv');
  const lines = last.content.trim().split('\n');
  assert.equal(lines.length, n + 1);
  assert.equal(lines[1].split(',')[0], fixture.items[0]);
});

test('a run without the sweep, with an undefined head r and no category structure, renders without errors', async () => {
  const plain: AttentionResult = {
    ...fixture, sweep: null, pieces: [], missing: [], warnings: [], rsaByCategory: [],
    heads: fixture.heads.map((h, i) => (i === 0 ? { ...h, rsa: null, selectivityQ: null } : h)),
    q: { ...fixture.q, selectivity: { ...fixture.q.selectivity, index: null, reason: 'only one category' } },
  };
  const page = await openPanel(panel.browser, { result: plain, theme: 'dark', width: 1000, height: 800 });
  try {
    assert.deepEqual(page.errors, []);
    assert.equal(await page.page.locator('[data-card^="sweep"]').count(), 0);
    assert.equal(await page.page.locator('.ml-pieces').count(), 0);
    assert.equal(await page.page.locator('[data-card="heads"] rect.bar').count(), fixture.heads.length - 1);
    assert.equal(await page.page.locator('[data-card="head-grid"] [data-head="0"] [data-stat="head-rsa"]').textContent(), 'r = —');
    assert.equal(await page.page.locator('[data-stat="selectivity-q"]').textContent(), 'n/a');
    assert.equal(await page.page.locator('[data-card="rsa-by-category"] .ml-multiple').count(), 0);
  } finally {
    await page.close();
  }
});

test('screenshots: full panel in the dark and the light theme', async () => {
  await panel.page.mouse.move(1, 1);
  await panel.screenshot('attention-panel');
  const light = await openPanel(panel.browser, { result: fixture, theme: 'light', width: 1280, height: 900 });
  try {
    assert.deepEqual(light.errors, []);
    await light.screenshot('attention-panel-light');
  } finally {
    await light.close();
  }
});

test('every chart card offers Copy as Python, and the button posts a runnable script for that card', () => assertPythonButtons(panel));
