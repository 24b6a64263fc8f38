// The attention panel's SAE section (job 4 with --sae) in headless Chromium, from a stored result
// (fixtures/make-attention-fixture.ts: the real runAttention with the end-to-end SAE fixture on its
// random GPT-2, swept): the features' heatmap, RSA with Q and K, the per-head bars, the selectivity
// row and the sweep line, against the Result; hover; docs/screenshots/attention-sae.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttentionResult } from '../../src/protocol/result';
import { assertPythonButtons } from './python-buttons';
import { usePanel, openPanel } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'attention-sae-result.regression.json'), 'utf8')) as AttentionResult;
const sae = fixture.sae!;
const n = fixture.items.length;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900 });

test('renders the SAE section without console errors', async () => {
  assert.ok(sae, 'the fixture has an SAE row');
  assert.deepEqual(panel.errors, []);
  assert.equal(await panel.page.locator('.ml-attention[data-rendered="true"]').count(), 1);
  assert.match(await panel.page.locator('.ml-attention-sae').evaluate((e) => e.previousElementSibling?.textContent ?? ''), new RegExp(`SAE features vs Q and K: ${sae.info.label}`));
});

test('the features heatmap has n² cells, and its hover names the pair with the features\' and Q\'s cosine', async () => {
  assert.equal(await panel.page.locator('[data-card="heatmap-sae"] rect.cell').count(), n * n);
  const overlay = panel.page.locator('[data-card="heatmap-sae"] rect.overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  assert.ok(box);
  const [i, j] = [0, 5];
  await panel.page.mouse.move(box.x + ((j + 0.5) * box.width) / n, box.y + ((i + 0.5) * box.height) / n);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.match(tip, new RegExp(`^${fixture.items[i]} × ${fixture.items[j]}`));
  assert.ok(tip.includes(sae.space.similarity[i][j].toFixed(3)), tip);
  assert.ok(tip.includes(fixture.q.similarity[i][j].toFixed(3)), tip);
  await panel.page.mouse.move(1, 1);
});

test('RSA of the features with Q and K shows the Result\'s r, ρ, p and pairs; mean L0 and selectivity too', async () => {
  const stat = (key: string) => panel.page.locator(`[data-card="sae-rsa"] [data-stat="${key}"]`).textContent();
  for (const [key, stats] of [['q', sae.rsaQ!], ['k', sae.rsaK!]] as const) {
    assert.equal(await stat(`sae-${key}-pearson`), stats.pearson.toFixed(3));
    assert.equal(await stat(`sae-${key}-spearman`), stats.spearman.toFixed(3));
    assert.equal(await stat(`sae-${key}-n`), String(n * (n - 1) / 2));
    const p = stats.pValue!;
    assert.equal(await stat(`sae-${key}-p`), p < 0.001 ? p.toExponential(2) : p.toFixed(3));
  }
  assert.equal(await stat('sae-l0'), sae.meanL0.toFixed(3));
  assert.equal(await panel.page.locator('[data-stat="selectivity-sae"]').textContent(), sae.space.selectivity.index!.toFixed(3));
});

test('one bar per head for Q and for K, and one sweep point per layer on each of the three lines', async () => {
  for (const key of ['q', 'k'] as const) {
    const defined = sae.heads.filter((h) => (key === 'q' ? h.rsaQ : h.rsaK) !== null).length;
    assert.equal(await panel.page.locator(`[data-card="sae-heads-${key}"] rect.bar`).count(), defined);
  }
  const series = panel.page.locator('[data-card="sweep-sae"] g.sweep-series');
  assert.equal(await series.count(), 3);
  for (let s = 0; s < 3; s++) assert.equal(await series.nth(s).locator('circle.sweep-point').count(), fixture.sweep!.length);
  await panel.page.locator('[data-card="sweep-sae"] g.sweep-series[data-series="features vs resid"] circle.sweep-point[data-layer="0"]').hover();
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(tip.includes(fixture.sweep![0].sae!.resid!.toFixed(4)), tip);
  await panel.page.mouse.move(1, 1);
});

test('a run without an SAE has no SAE section', async () => {
  const plain: AttentionResult = { ...fixture, sae: undefined, sweep: fixture.sweep!.map((s) => ({ ...s, sae: undefined })) };
  const page = await openPanel(panel.browser, { result: plain, theme: 'dark', width: 1000, height: 800 });
  try {
    assert.deepEqual(page.errors, []);
    assert.equal(await page.page.locator('.ml-attention-sae, [data-card="sweep-sae"], [data-space="sae"]').count(), 0);
  } finally {
    await page.close();
  }
});

test('screenshot of the SAE section', async () => {
  await panel.page.locator('.ml-attention-sae').scrollIntoViewIfNeeded();
  await panel.screenshot('attention-sae', '.ml-attention-sae');
});

test('every chart card offers Copy as Python, the SAE cards too', () => assertPythonButtons(panel));
