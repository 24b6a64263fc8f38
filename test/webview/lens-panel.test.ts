// The logit lens panel rendered in headless Chromium from a stored LensResult (made by
// fixtures/make-lens-fixture.ts with the real runLens on a random 6-layer GPT-2 checkpoint): one cell
// per (layer, token) showing the Result's top token, hover listing the top k, the target row with
// probabilities and ranks, the text selector, the Inspector selection message, exports, and
// docs/screenshots/lens.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LensResult } from '../../src/protocol/lens';
import { usePanel, chooseByKeyboard, chooseOption, elementValue, openPanel, plainFormControls, waitUntil } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'lens-result.regression.json'), 'utf8')) as LensResult;
const show = (s: string) => s.replace(/ /g, '␣').replace(/\n/g, '⏎');
/** As the panel writes a probability (webview/panels/lens.ts formatProb). */
const prob = (p: number) => (p >= 0.001 || p === 0 ? p.toFixed(4) : p.toExponential(2));

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 760 });

test('renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
  assert.equal(await panel.page.locator('.ml-lens[data-rendered="true"]').count(), 1);
});

test('one cell per layer and token, each showing the Result\'s top token', async () => {
  const text = fixture.texts[0];
  assert.equal(await panel.page.locator('.ml-lens-grid g.cell').count(), fixture.nLayer * text.tokens.length);
  for (const [l, t] of [[0, 0], [fixture.nLayer - 1, text.tokens.length - 1], [2, 3]]) {
    const label = await panel.page.locator(`.ml-lens-grid g.cell[data-layer="${l}"][data-position="${t}"] text`).textContent();
    const want = show(text.layers[l].positions[t].top[0].token);
    assert.ok(want.startsWith((label ?? '').replace(/…$/, '')), `cell ${l},${t}: "${label}" vs "${want}"`);
  }
  assert.deepEqual(await panel.page.locator('.ml-lens-grid .token-heads text').allTextContents(), text.tokens.map((t) => show(t.token)));
});

test('hovering a cell lists the top k with probabilities and the target', async () => {
  const p = fixture.texts[0].layers[1].positions[2];
  await panel.page.locator('.ml-lens-grid g.cell[data-layer="1"][data-position="2"] rect').hover();
  const tip = await panel.page.locator('.ml-tooltip').innerText();
  for (const c of p.top) assert.ok(tip.includes(`${show(c.token)}  ${prob(c.prob)}`), `${c.token} in ${tip}`);
  assert.ok(tip.includes(`rank ${p.target!.rank}`));
});

test('the target row shows the last token\'s probability and rank at every layer', async () => {
  const text = fixture.texts[0];
  const last = text.tokens.length - 1;
  const ranks = await panel.page.locator('.ml-lens-grid .target-cell text:nth-of-type(2)').allTextContents();
  assert.deepEqual(ranks, text.layers.map((layer) => String(layer.positions[last].target!.rank)));
  assert.ok((await panel.page.locator('.ml-lens-grid .target-row').textContent())?.includes('first top-1'));
});

test('clicking a cell selects it for the Inspector and moves the target row to that token', async () => {
  await panel.page.locator('.ml-lens-grid g.cell[data-layer="3"][data-position="1"] rect').click();
  const selection = (await panel.posted()).filter((m) => m.type === 'selection').pop();
  assert.deepEqual(selection, { type: 'selection', items: ['0', '1'], focus: { kind: 'layer', layer: 3 } });
  const ranks = await panel.page.locator('.ml-lens-grid .target-cell text:nth-of-type(2)').allTextContents();
  assert.deepEqual(ranks, fixture.texts[0].layers.map((layer) => String(layer.positions[1].target!.rank)));
});

test('the text selector (a vscode-single-select) shows the second text, by mouse and by keyboard', async () => {
  assert.deepEqual(await plainFormControls(panel.page), [], 'every control is a vscode-element');
  const select = panel.page.locator('vscode-single-select[data-control="text"]');
  assert.equal(await select.locator('vscode-option').count(), fixture.texts.length);
  await chooseOption(select, '2. ');
  const text = fixture.texts[1];
  assert.equal(await panel.page.locator('.ml-lens-grid g.cell').count(), fixture.nLayer * text.tokens.length);
  assert.equal(await panel.page.locator('[data-card="lens-grid"]').getAttribute('data-export-name'), 'lens-grid-1');
  assert.equal(await elementValue(select), '1');
  // The keyboard: ArrowDown opens the list on the text shown, ArrowUp moves to the first, Enter picks it.
  await chooseByKeyboard(select, -1);
  await waitUntil(panel.page, `document.querySelector('[data-card="lens-grid"]')?.getAttribute('data-export-name') === 'lens-grid-0'`);
  assert.equal(await elementValue(select), '0');
});

test('exports: CSV of every cell, .npy of the top-1 probabilities, Copy as Python', async () => {
  const actions = panel.page.locator('[data-card="lens-grid"] .ml-card-actions');
  for (const key of ['svg', 'png', 'csv', 'npy', 'python']) assert.equal(await actions.locator(`[data-export="${key}"]`).count(), 1, key);
  await actions.locator('[data-export="csv"]').click();
  const csv = (await panel.posted()).filter((m) => m.type === 'export' && m.format === 'csv').pop() as { content: string };
  const rows = csv.content.trim().split('\n');
  assert.equal(rows.length, 1 + fixture.nLayer * fixture.texts[0].tokens.length);
  assert.match(rows[0], /^layer,hook,position,token,top1_id,top1_token,top1_prob/);
  assert.match(rows[0], /target_rank$/);
});

test('Run again offers the target word and top k, starting from the run\'s values', async () => {
  const field = (key: string) => panel.page.locator(`[data-param="${key}"]`);
  assert.equal(await field('target').count(), 1);
  assert.equal(await field('topK').count(), 1);
  const value = (key: string) => panel.page.evaluate(`document.querySelector('[data-param="${key}"]')?.value`);
  assert.equal(await value('target'), fixture.target!.word);
  assert.equal(await value('topK'), String(fixture.topK));
});

test('screenshot: docs/screenshots/lens.png (dark) and the light theme', async () => {
  await panel.page.mouse.move(1, 1);
  await panel.screenshot('lens');
  const light = await openPanel(panel.browser, { result: fixture, theme: 'light', width: 1280, height: 760 });
  try {
    assert.deepEqual(light.errors, []);
    await light.screenshot('lens-light');
  } finally {
    await light.close();
  }
});
