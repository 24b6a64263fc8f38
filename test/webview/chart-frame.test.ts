// The charts built on the shared frame (charts/frame.ts), each alone in headless Chromium: the frame's
// layout (svg size, plot-area translate, axis styling, axis titles) is the same for all of them.
// With MECHLENS_FRAME_SVG_DIR set, each chart's exported SVG is written there, so a refactor of the
// frame can be diffed against the SVGs written before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openChart } from '../helpers/chromium';

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const sentences = Array.from({ length: 12 }, (_, i) => `sentence ${i + 1}`);
const cases: { name: string; modulePath: string; exportName: string; data: unknown; options?: unknown; width: number; margin: [number, number] }[] = [
  { name: 'head-bars', modulePath: 'src/webview/charts/head-bars.ts', exportName: 'headBars', width: 640, margin: [50, 14],
    data: { heads: Array.from({ length: 12 }, (_, h) => ({ head: h, value: h === 3 ? null : Math.sin(h) * 0.8, details: [`sel ${h}`] })), overall: 0.31, overallLabel: 'all heads', yLabel: 'RSA r' } },
  { name: 'layer-sweep', modulePath: 'src/webview/charts/layer-sweep.ts', exportName: 'layerSweep', width: 640, margin: [62, 40],
    data: { layers: [0, 1, 2, 3, 4, 5], series: [{ name: 'Q', values: [1.1, 1.3, null, 1.6, 1.4, 1.2] }, { name: 'K', values: [1.0, 1.2, 1.25, 1.5, 1.3, 1.1] }], current: 3, yLabel: 'selectivity index', reference: 1 } },
  { name: 'shuffle-check', modulePath: 'src/webview/charts/shuffle-check.ts', exportName: 'shuffleCheck', width: 640, margin: [46, 28],
    data: { counts: [0, 1, 0, 2, 3, 1, 0, 0, 4, 1, 2, 0], observed: 14, pValue: 0.0769, meanShuffled: 1.2 } },
  { name: 'sentence-values', modulePath: 'src/webview/charts/sentence-values.ts', exportName: 'sentenceValues', width: 640, margin: [56, 40],
    data: { values: sentences.map((_, i) => (i < 6 ? 1 : -1) + Math.cos(i) * 0.4), sentences, split: 6, groups: ['him', 'her'], yLabel: 'activation', title: 'n7' } },
  { name: 'category-bars', modulePath: 'src/webview/charts/category-bars.ts', exportName: 'categoryBars', width: 640, margin: [47, 12],
    data: { rows: [{ category: 'space', pearson: 0.62, spearman: 0.55, pValue: 0.01, n: 10 }, { category: 'fruit', pearson: -0.2, spearman: -0.1, pValue: 0.4, n: 10 }, { category: 'tools', pearson: null }], overall: 0.41 } },
  { name: 'histogram', modulePath: 'src/webview/charts/histogram.ts', exportName: 'histogram', width: 640, margin: [50, 44],
    data: { series: [{ name: 'A', values: [0.1, 0.2, 0.2, 0.3, 0.9, 0.5, 0.45] }, { name: 'B', values: [-0.5, 0, 0.5, 0.1] }], xLabel: 'cosine similarity' } },
  { name: 't-plot', modulePath: 'src/webview/charts/t-plot.ts', exportName: 'tPlot', width: 640, margin: [50, 22],
    data: { t: [2.5, -0.4, 4.1, -3.2, 0.9, 1.7, -2.9, 0.1], p: [0.02, 0.7, 0.001, 0.004, 0.4, 0.1, 0.01, 0.9], pAdjusted: [0.05, 0.8, 0.008, 0.016, 0.5, 0.2, 0.04, 0.9],
      cohenD: [1.1, -0.2, 1.9, -1.5, 0.4, 0.8, -1.3, 0.05], significant: [0, 2, 3, 6], tCritical: 2.4, thresholdLabel: 'FDR', groups: ['him', 'her'] }, options: { selected: 2 } },
  { name: 'strip-plot', modulePath: 'src/webview/charts/strip-plot.ts', exportName: 'stripPlot', width: 640, margin: [50, 34],
    data: { spaces: [{ name: 'A', index: 1.5, within: { values: [0.4, 0.45, 0.5, 0.42], mean: 0.44 }, between: { values: [0.1, 0.05, -0.02, 0.2, 0.12], mean: 0.09 } },
      { name: 'B', index: null, reason: 'a category has one word', within: { values: [0.3] }, between: { values: [0.1, 0.2] } }] } },
  { name: 'line-plot', modulePath: 'src/webview/charts/line-plot.ts', exportName: 'linePlot', width: 640, margin: [54, 22],
    data: { title: 'moon', series: [{ name: 'A', values: [0.3, -0.4, 0.2, 0.8, -0.1] }, { name: 'B', values: [1, 0, -0.5] }] } },
];

for (const c of cases) {
  test(`${c.name}: drawn in the shared frame (size, plot-area margin, styled axes)`, async () => {
    const page = await openChart(browser, { modulePath: c.modulePath, exportName: c.exportName, data: c.data, options: c.options, width: c.width + 40, containerWidth: c.width });
    try {
      const svg = page.page.locator('#chart svg').first();
      assert.equal(await svg.getAttribute('width'), String(c.width));
      assert.equal(await svg.getAttribute('font-size'), '11');
      assert.equal(await page.page.locator('#chart svg > g').first().getAttribute('transform'), `translate(${c.margin[0]},${c.margin[1]})`);
      // Every axis drawn: muted domain and tick lines, font size 10.
      const axes = await page.page.evaluate(`[...document.querySelectorAll('#chart svg g[font-size="10"]')].map((a) =>
        [...a.querySelectorAll('path.domain, .tick line')].every((l) => l.getAttribute('stroke') === '#9d9d9d'))`) as boolean[];
      assert.ok(axes.length >= 1 && axes.every(Boolean), `axes styled: ${JSON.stringify(axes)}`);
      assert.deepEqual(page.errors, []);
      const dir = process.env.MECHLENS_FRAME_SVG_DIR;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${c.name}.svg`), await page.page.evaluate('window.__chart.exportSvg()') as string);
        await page.page.locator('#chart').screenshot({ path: join(dir, `${c.name}.png`) });
      }
    } finally {
      await page.close();
    }
  });
}
