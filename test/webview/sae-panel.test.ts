// The SAE features panel rendered in headless Chromium from a stored SaeResult (fixtures/make-sae-fixture.ts:
// the real runSae on a random GPT-2 with the end-to-end SAELens SAE): chips under every token from the
// Result, hovering a chip shades every token of every text with that feature's activation, clicking
// opens its card (density, max, Neuronpedia link through openLink, the Inspector's selection), the
// features table and its CSV, Copy as Python, and docs/screenshots/sae.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SaeResult } from '../../src/protocol/result';
import { usePanel, openPanel, plainFormControls, waitUntil, type WebviewPage } from '../helpers/chromium';

const stored = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'sae-result.regression.json'), 'utf8')) as SaeResult;
// A known release's Neuronpedia base, as the catalog gives it, so the links can be checked.
const fixture: SaeResult = { ...stored, sae: { ...stored.sae, neuronpedia: 'https://www.neuronpedia.org/gpt2-small/1-res-jb' } };

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 1100 });

test('says ready, then renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
  assert.deepEqual(await plainFormControls(panel.page), [], 'every form control is a vscode-element (the chips are buttons, reached with Tab)');
});

test('every token of every text with its top features as chips, largest first, and its L0', async () => {
  const tokens = fixture.texts.reduce((n, t) => n + t.tokens.length, 0);
  assert.equal(await panel.page.locator('.ml-sae-token').count(), tokens);
  for (const [ti, text] of fixture.texts.entries()) {
    for (const [i, position] of text.positions.entries()) {
      const cell = panel.page.locator(`.ml-sae-token[data-token="${ti}:${i}"]`);
      assert.equal(await cell.locator('.ml-sae-token-text').textContent(), text.tokens[i].token);
      assert.deepEqual(await cell.locator('.ml-sae-chip').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-feature')))), position.top.map((t) => t.feature));
      assert.equal(await cell.locator('.ml-sae-l0').textContent(), `L0 ${position.l0}`);
    }
    const stat = (k: string) => panel.page.locator(`.ml-sae-text[data-text="${ti}"] [data-stat="${k}"]`).textContent();
    const mse = Number(await stat('mse'));
    assert.ok(Math.abs(mse - text.mse!) <= 0.01 * text.mse!, `MSE shown ${mse}, result ${text.mse}`);
    const ve = Number(await stat('ve'));
    if (text.varianceExplained !== null) assert.ok(Math.abs(ve - text.varianceExplained) < 1e-3, `variance explained shown ${ve}`);
  }
  const chips = (await panel.page.locator('.ml-sources .ml-source').allTextContents()).join(' | ');
  assert.match(chips, /standard/);
  assert.match(chips, /96 features/);
});

test('hovering a chip shows that feature on every token of every text', async () => {
  const profile = fixture.profiles[1];
  const chip = panel.page.locator(`.ml-sae-chip[data-feature="${profile.feature}"]`).first();
  await chip.hover();
  for (const [ti, text] of fixture.texts.entries()) {
    for (let i = 0; i < text.tokens.length; i++) {
      const v = profile.activations[ti][i];
      const shade = await panel.page.locator(`.ml-sae-token[data-token="${ti}:${i}"] .ml-sae-shade`).textContent();
      assert.equal(shade, v === 0 ? '·' : v.toFixed(2), `text ${ti} token ${i}`);
    }
  }
  await panel.page.mouse.move(5, 5);
  assert.equal(await panel.page.locator('.ml-sae-token .ml-sae-shade').first().textContent(), '');
});

test('clicking a chip opens the feature card: density, max, Neuronpedia through openLink, and the Inspector\'s selection', async () => {
  const profile = fixture.profiles[0];
  await panel.page.locator(`.ml-sae-chip[data-feature="${profile.feature}"]`).first().click();
  const cardEl = panel.page.locator(`[data-card="sae-feature"][data-feature="${profile.feature}"]`);
  await cardEl.waitFor();
  assert.equal(await cardEl.locator('[data-stat="density"]').textContent(), `${(profile.density * 100).toFixed(1)}% of tokens`);
  const posted = await panel.posted();
  assert.deepEqual(posted.at(-1), { type: 'selection', items: [`f${profile.feature}`], focus: { kind: 'neuron', neuron: profile.feature } });
  await cardEl.locator('.ml-sae-link').click();
  assert.deepEqual((await panel.posted()).at(-1), { type: 'openLink', url: `https://www.neuronpedia.org/gpt2-small/1-res-jb/${profile.feature}` });
  const bars = await cardEl.locator('rect').count();
  assert.ok(bars >= fixture.texts.reduce((n, t) => n + t.tokens.length, 0), `one bar per token (${bars})`);
  await cardEl.locator('[data-export="python"]').click();
  const python = (await panel.posted()).at(-1) as { type: string; content?: string };
  assert.match(JSON.stringify(python), /SAE\.from_pretrained|load_from_disk/);
});

test('the features table lists every profile with its density and exports as CSV', async () => {
  assert.equal(await panel.page.locator('.ml-sae-table tr[data-feature]').count(), fixture.profiles.length);
  await panel.page.locator('[data-card="sae-table"] [data-export="csv"]').click();
  const csv = (await panel.posted()).at(-1) as { type: string; name: string; content: string };
  assert.equal(csv.name, 'sae-features.csv');
  assert.equal(csv.content.trim().split('\n').length, fixture.profiles.length + 1);
});

test('max, mean and density leave the BOS out alike, and the table and the card say so; a feature only on the BOS shades it full', async () => {
  assert.ok(fixture.bosPrepended);
  const subtitle = await panel.page.locator('[data-card="sae-table"] .ml-card-subtitle').textContent();
  assert.match(subtitle ?? '', /max, mean and density over the texts' tokens, the BOS left out/);
  const titles = await panel.page.locator('.ml-sae-table th').evaluateAll((ths) => ths.map((th) => th.getAttribute('title') ?? ''));
  for (const column of [1, 2, 3]) assert.match(titles[column], /the BOS left out/, `column ${column}: ${titles[column]}`);
  // The fixture's feature 29 fires on the BOS only (42.2 there): no statistic counts it.
  const bosOnly = fixture.profiles.find((p) => p.activations.every((a) => a[0] > 0 && a.slice(1).every((v) => v === 0)));
  assert.ok(bosOnly, 'the fixture has a feature active on the BOS only');
  assert.deepEqual([bosOnly.max, bosOnly.density, bosOnly.meanActive], [0, 0, 0]);
  assert.equal(fixture.profiles.at(-1)!.feature, bosOnly.feature, 'strongest first by that max: last');
  const row = panel.page.locator(`.ml-sae-table tr[data-feature="${bosOnly.feature}"] td`);
  assert.deepEqual((await row.allTextContents()).slice(1, 4), ['0.000', 'n/a', '0.0%']);
  await panel.page.locator(`.ml-sae-chip[data-feature="${bosOnly.feature}"]`).first().hover();
  const share = (cell: string) => panel.page.locator(`.ml-sae-token[data-token="${cell}"]`).evaluate((e) => (e as unknown as { style: { getPropertyValue(name: string): string } }).style.getPropertyValue('--ml-sae-share'));
  assert.equal(await share('0:0'), '1.000');
  assert.equal(await share('0:1'), '0.000');
  await panel.page.mouse.move(5, 5);
  const cardEl = panel.page.locator(`[data-card="sae-feature"][data-feature="${fixture.profiles[0].feature}"]`);
  await panel.page.locator(`.ml-sae-table tr[data-feature="${fixture.profiles[0].feature}"]`).click();
  assert.match(await cardEl.locator('.ml-card-subtitle').textContent() ?? '', /active on, max and mean over the texts' tokens, the BOS left out; the bars show every token/);
});

test('with SAELens\'s sparsity file, the feature card shows the release\'s density beside the density on these texts, and the CSV has it', async () => {
  const [first, second] = fixture.profiles;
  const withRelease: SaeResult = { ...fixture, profiles: fixture.profiles.map((p, i) => (i === 0 ? { ...p, releaseLogDensity: -2.5 } : i === 1 ? { ...p, releaseLogDensity: null } : p)) };
  const page = await openPanel(panel.browser, { result: withRelease, theme: 'dark', width: 1280, height: 1100 });
  try {
    const stat = async (feature: number) => {
      await page.page.locator(`.ml-sae-table tr[data-feature="${feature}"]`).click();
      const cardEl = page.page.locator(`[data-card="sae-feature"][data-feature="${feature}"]`);
      await cardEl.waitFor();
      return cardEl.locator('[data-stat="releaseDensity"]').textContent();
    };
    assert.equal(await stat(first.feature), '0.3% (log10 -2.50)');
    assert.equal(await stat(second.feature), 'never active (dead)');
    await page.page.locator('[data-card="sae-table"] [data-export="csv"]').click();
    const csv = (await page.posted()).at(-1) as { content: string };
    const [head, row] = csv.content.trim().split('\n');
    assert.match(head, /density,release_log10_density,neuronpedia/);
    assert.match(row, /,-2\.5,/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
  assert.equal(await panel.page.locator('[data-stat="releaseDensity"]').count(), 0, 'no file, no release density');
});

/** Hovers the second profile's feature, so every token is shaded by it, and saves the picture. */
async function hoveredScreenshot(page: WebviewPage, name: string): Promise<void> {
  await page.page.locator(`.ml-sae-chip[data-feature="${fixture.profiles[1].feature}"]`).first().hover();
  await waitUntil(page.page, `document.querySelector('[data-hover-feature]') !== null`);
  await page.screenshot(name);
  assert.deepEqual(page.errors, []);
}

test('screenshots: the panel with a feature hovered, in the dark and the light theme', async () => {
  await hoveredScreenshot(panel, 'sae');
  const light = await openPanel(panel.browser, { result: fixture, theme: 'light', width: 1280, height: 1100 });
  try {
    await hoveredScreenshot(light, 'sae-light');
  } finally {
    await light.close();
  }
});
