// The logit-attribution panel rendered in headless Chromium from a stored AttributionResult (made by
// fixtures/make-attribution-fixture.ts with the real runAttribution on a random Gemma-2 checkpoint
// with a final softcap): the check sum against the result, the softcap note, the waterfall's bars
// summing to the logit difference, the head grid's L × H cells, the text selector, the Inspector
// selection a layer click posts, the exports, Copy as Python, and docs/screenshots/attribution.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AttributionResult } from '../../src/protocol/result';
import { pythonForCard } from '../../src/webview/python-cards';
import { usePanel, chooseByKeyboard, chooseOption, elementValue, openPanel, plainFormControls, waitUntil } from '../helpers/chromium';
import { assertPythonButtons } from './python-buttons';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'attribution-result.regression.json'), 'utf8')) as AttributionResult;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900, waitFor: `document.querySelector('.ml-attribution')?.getAttribute('data-rendered') === 'true'` });

const stat = (k: string) => panel.page.locator(`[data-card="check-sum"] [data-stat="${k}"]`).textContent();

test('renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
});

test('the check sum shows the logit difference, Σ components + constant, and the model\'s own; the softcap note says what is attributed', async () => {
  const text = fixture.texts[0];
  assert.equal(Number(await stat('logit-diff')), Number(text.logitDiff.toFixed(5)));
  assert.equal(Number(await stat('sum')), Number(text.sum.toFixed(5)));
  assert.ok(Math.abs(text.sum - text.logitDiff) <= 1e-4 * Math.abs(text.logitDiff));
  assert.match(await panel.page.locator('.ml-warnings').innerText(), /caps its final logits .*cap 1\)\. The attribution is to the logit before the softcap/);
  assert.match(await panel.page.locator('.ml-softcap-note').innerText(), /After the softcap/);
});

test('the waterfall has one bar per component, the constant and the total, and its steps end at the logit difference', async () => {
  const text = fixture.texts[0];
  const bars = await panel.page.locator('.ml-waterfall rect.bar').count();
  assert.equal(bars, text.components.length + 2);
  assert.equal(await panel.page.locator('.ml-waterfall rect.bar.total').count(), 1);
  // No pos_embed for a rotary model; every layer's attention and MLP, in order.
  const labels = await panel.page.locator('.ml-waterfall rect.bar').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
  assert.deepEqual(labels.slice(0, 3), ['embed', 'blocks.0.attn', 'blocks.0.mlp']);
  assert.equal(labels.at(-2), 'constant (β·u)');
});

test('the head grid has L × H cells, and clicking one posts its layer for the Inspector', async () => {
  assert.equal(await panel.page.locator('.ml-head-value-map rect.cell').count(), fixture.nLayer * fixture.nHead);
  await panel.page.locator('.ml-head-value-map rect.cell[data-layer="3"][data-head="5"]').click();
  const last = (await panel.posted()).at(-1);
  assert.deepEqual(last, { type: 'selection', items: [fixture.texts[0].text], focus: { kind: 'layer', layer: 3 } });
});

test('exports: the components of every text as CSV, the heads as CSV and .npy', async () => {
  await panel.page.locator('[data-card="check-sum"] button[data-export="csv"]').click();
  const csv = (await panel.posted()).at(-1);
  assert.ok(csv?.type === 'export' && csv.format === 'csv');
  const lines = csv.content.trim().split('\n');
  assert.equal(lines[0], 'text,component,value');
  assert.equal(lines.length, 1 + fixture.texts.reduce((n, t) => n + t.components.length + 2, 0));
  await panel.page.locator('[data-card="heads"] button[data-export="npy"]').click();
  const npy = (await panel.posted()).at(-1);
  assert.ok(npy?.type === 'export' && npy.format === 'npy' && npy.name === 'attribution-heads.npy');
});

test('Copy as Python: every chart card has a button; the script parses and carries the panel\'s numbers', async () => {
  await assertPythonButtons(panel, 3);
  const script = pythonForCard(fixture, 'attribution-heads')!;
  assert.match(script, /AutoModelForCausalLM\.from_pretrained\(MODEL/);
  assert.match(script, /register_forward_pre_hook/);
  const parsed = spawnSync('/usr/bin/python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: script, encoding: 'utf8' });
  assert.equal(parsed.status, 0, parsed.stderr);
});

const textSelect = () => panel.page.locator('vscode-single-select.ml-attribution-text-select');
const selectValue = () => elementValue(textSelect());
const logitDiffShown = (i: number) => `document.querySelector('[data-stat="logit-diff"]')?.textContent === ${JSON.stringify(fixture.texts[i].logitDiff.toFixed(5))}`;

test('the text picker is a vscode-single-select, as every other control; the panel has no plain HTML form controls', async () => {
  assert.equal(await textSelect().locator('vscode-option').count(), fixture.texts.length);
  assert.equal(await textSelect().getAttribute('aria-label'), 'text attributed');
  assert.deepEqual(await plainFormControls(panel.page), [], 'no native select or input outside the vscode-elements');
});

test('with several texts, the keyboard picks a text (ArrowDown opens, ArrowDown moves, Enter picks): the charts redraw for it, the choice is kept and the focus stays on the picker', async () => {
  await chooseByKeyboard(textSelect(), 1);
  await waitUntil(panel.page, logitDiffShown(1));
  assert.equal(await selectValue(), '1');
  await waitUntil(panel.page, `document.activeElement?.classList.contains('ml-attribution-text-select') === true`);
  assert.equal(Number(await panel.page.locator('[data-stat="sum"]').textContent()), Number(fixture.texts[1].sum.toFixed(5)));
  assert.equal(await panel.page.locator('.ml-token-read').textContent(), fixture.texts[1].tokens[fixture.texts[1].position]);
  assert.deepEqual(panel.errors, []);
  // Back to the first text with the mouse.
  await chooseOption(textSelect(), `1. ${fixture.texts[0].text.slice(0, 40)}`);
  await waitUntil(panel.page, logitDiffShown(0));
  assert.equal(await selectValue(), '0');
});

test('screenshots: the panel in the dark and the light theme', async () => {
  for (const theme of ['dark', 'light'] as const) {
    const page = await openPanel(panel.browser, { result: fixture, theme, width: 1280, height: 1400 });
    try {
      await waitUntil(page.page, `document.querySelector('.ml-attribution')?.getAttribute('data-rendered') === 'true'`);
      await page.screenshot(theme === 'dark' ? 'attribution' : 'attribution-light');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
    }
  }
});
