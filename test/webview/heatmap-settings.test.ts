// The heatmap settings the host writes into <body data-settings> reach the charts: the color scheme
// picks the palette and the starting scheme of the similarity heatmaps, the canvas threshold decides
// SVG or canvas, a chart the user switched keeps its own scheme, and malformed values are ignored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { AttentionResult, CompareResult, Result } from '../../src/protocol/result';
import { launchBrowser, openPanel, waitUntil, type WebviewPage } from '../helpers/chromium';

const fixture = <R>(file: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', file), 'utf8')) as R;
const compare = fixture<CompareResult>('compare-result.json');
const attention = fixture<AttentionResult>('attention-result.regression.json');

let browser: Browser;
let d3: typeof import('d3');
before(async () => {
  browser = await launchBrowser();
  d3 = await import('d3');
});
after(async () => { await browser?.close(); });

/** Opens the panel page, sets data-settings as renderWebview does, then sends the result. */
async function withSettings(result: Result, settings: unknown, state?: unknown): Promise<WebviewPage> {
  const panel = await openPanel(browser, { theme: 'dark', width: 1280, height: 900, state });
  await waitUntil(panel.page, `window.__posted.some((m) => m.type === 'ready')`);
  await panel.page.evaluate(`document.body.dataset.settings = ${JSON.stringify(JSON.stringify(settings))}`);
  await panel.post({ type: 'result', result });
  await panel.page.waitForSelector('[data-rendered="true"]');
  return panel;
}

/** The fill of the diagonal cell (similarity 1, the clamped top of the range) of a space's heatmap. */
const diagonalFill = (panel: WebviewPage, space: string) => panel.page.locator(`[data-space="${space}"] rect.cell`).first().getAttribute('fill');
const schemeSelect = (panel: WebviewPage, space: string) => panel.page.locator(`[data-space="${space}"] vscode-single-select[aria-label="color scheme"]`);

test('a sequential palette setting starts the compare heatmaps sequential in that palette', async () => {
  const panel = await withSettings(compare, { colorScheme: 'magma', canvasThreshold: 150 });
  try {
    assert.equal(await schemeSelect(panel, 'a').evaluate((el) => (el as unknown as { value: string }).value), 'sequential');
    assert.deepEqual(await schemeSelect(panel, 'a').locator('vscode-option').allTextContents(), ['Diverging (RdBu)', 'Sequential (magma)']);
    assert.equal(d3.color(await diagonalFill(panel, 'a') ?? '')?.formatHex(), d3.color(d3.interpolateMagma(1))?.formatHex());
    assert.deepEqual(panel.errors, []);
    await panel.screenshot('heatmap-setting-magma', '[data-space="a"]');
  } finally {
    await panel.close();
  }
});

test('a diverging palette setting (PuOr) starts diverging, and applies to the attention panel that prefers sequential', async () => {
  const panel = await withSettings(attention, { colorScheme: 'PuOr', canvasThreshold: 150 });
  try {
    const select = panel.page.locator('vscode-single-select[aria-label="color scheme"]').first();
    assert.equal(await select.evaluate((el) => (el as unknown as { value: string }).value), 'diverging');
    const fill = await panel.page.locator('rect.cell').first().getAttribute('fill');
    assert.equal(d3.color(fill ?? '')?.formatHex(), d3.color(d3.interpolatePuOr(0))?.formatHex());
  } finally {
    await panel.close();
  }
});

test('the canvas threshold decides SVG or canvas: 10 items draw 20 words on canvas', async () => {
  assert.ok(compare.items.length > 10 && compare.items.length < 150);
  const panel = await withSettings(compare, { colorScheme: 'viridis', canvasThreshold: 10 });
  try {
    assert.equal(await panel.page.locator('[data-space="a"] canvas').count(), 1);
    assert.equal(await panel.page.locator('[data-space="a"] rect.cell').count(), 0);
  } finally {
    await panel.close();
  }
});

test('a scheme the user picked in the chart wins over the setting; malformed settings leave the chart defaults', async () => {
  const state = { ui: { ranges: { a: { domain: [-1, 1], scheme: 'diverging' } } } };
  const panel = await withSettings(compare, { colorScheme: 'cividis', canvasThreshold: 150 }, state);
  try {
    assert.equal(await schemeSelect(panel, 'a').evaluate((el) => (el as unknown as { value: string }).value), 'diverging');
    assert.equal(await schemeSelect(panel, 'b').evaluate((el) => (el as unknown as { value: string }).value), 'sequential');
    assert.equal(d3.color(await diagonalFill(panel, 'b') ?? '')?.formatHex(), d3.color(d3.interpolateCividis(1))?.formatHex());
  } finally {
    await panel.close();
  }
  const odd = await withSettings(compare, { colorScheme: 'jet', canvasThreshold: 3 });
  try {
    assert.equal(await schemeSelect(odd, 'a').evaluate((el) => (el as unknown as { value: string }).value), 'diverging');
    assert.equal(await odd.page.locator('[data-space="a"] canvas').count(), 0, 'a threshold below the schema minimum is ignored');
    assert.equal(d3.color(await diagonalFill(odd, 'a') ?? '')?.formatHex(), d3.color(d3.interpolateRdBu(0))?.formatHex());
  } finally {
    await odd.close();
  }
});
