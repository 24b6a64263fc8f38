// The heatmap chart alone in headless Chromium: SVG below the threshold with an SVG snapshot,
// canvas above it with thinned ticks and working hover, color-range controls, and the
// 2,000 × 2,000 screenshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openChart } from '../helpers/chromium';

const modulePath = 'src/webview/charts/index.ts';
let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/**
 * Page-side builder of a category-structured cosine matrix (k categories, `dims` dims, seeded),
 * so big matrices are made in the page instead of crossing the wire as JSON.
 */
const structuredMatrix = `(spec) => {
  const { n, k, dims } = spec;
  let s = 12345;
  const rand = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centers = Array.from({ length: k }, () => Float64Array.from({ length: dims }, gauss));
  const names = ['space', 'furniture', 'fruit', 'animal', 'tool', 'colour', 'body', 'weather'];
  const per = Math.ceil(n / k);
  const cat = (i) => Math.floor(i / per);
  const v = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) { const x = centers[cat(i)][d] + 1.2 * gauss(); v[i * dims + d] = x; norm += x * x; }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dims; d++) v[i * dims + d] /= norm;
  }
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    let dot = 0;
    for (let d = 0; d < dims; d++) dot += v[i * dims + d] * v[j * dims + d];
    m[i * n + j] = dot; m[j * n + i] = dot;
  }
  const labels = Array.from({ length: n }, (_, i) => names[cat(i) % names.length] + '-' + String(i).padStart(4, '0'));
  const categories = labels.map((l, i) => names[cat(i) % names.length]);
  return { labels, values: m, categories, name: 'synthetic-' + dims };
}`;

test('300 items draw on canvas with every n-th tick label, and hover still reads the cell', async () => {
  const page = await openChart(browser, {
    modulePath, exportName: 'heatmap', data: { n: 300, k: 3, dims: 24 }, prepare: structuredMatrix,
    options: { maxSize: 600 }, width: 900, height: 900,
  });
  try {
    assert.equal(await page.page.evaluate('window.__chart.mode'), 'canvas');
    assert.equal(await page.page.locator('canvas.ml-heatmap-canvas').count(), 1);
    assert.equal(await page.page.locator('rect.cell').count(), 0);
    const ticks = await page.page.locator('g.y-ticks text').allTextContents();
    // 600 px / 300 cells = 2 px per cell: one label per 6 cells fits 12 px lines.
    assert.equal(ticks.length, 50);
    assert.equal(ticks[1], 'space-0006');
    assert.match(await page.page.locator('text.tick-note').textContent() ?? '', /every 6th label shown/);
    const box = await page.page.locator('rect.overlay').boundingBox();
    assert.ok(box);
    const [i, j] = [10, 250];
    await page.page.mouse.move(box.x + ((j + 0.5) * box.width) / 300, box.y + ((i + 0.5) * box.height) / 300);
    const tip = await page.page.locator('.ml-tooltip:not([hidden])').innerText();
    const expected = await page.page.evaluate(`(${structuredMatrix})({ n: 300, k: 3, dims: 24 }).values[${i} * 300 + ${j}].toFixed(3)`);
    assert.match(tip, new RegExp(`^space-0010 × fruit-0250\\nsynthetic-24: ${expected}`));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('the color range follows the min/max fields and the scheme select', async () => {
  const page = await openChart(browser, {
    modulePath, exportName: 'heatmap',
    data: { labels: ['a', 'b', 'c'], values: [[1, 0.2, -0.4], [0.2, 1, 0.1], [-0.4, 0.1, 1]] }, width: 700,
  });
  try {
    // Automatic: symmetric around 0 from the largest off-diagonal magnitude.
    assert.deepEqual(await page.page.evaluate('window.__chart.domain'), [-0.4, 0.4]);
    const firstFill = () => page.page.locator('rect.cell').nth(1).getAttribute('fill');
    const before = await firstFill();
    await page.page.evaluate(`(() => {
      const [min, max] = document.querySelectorAll('vscode-textfield');
      min.value = '-1'; max.value = '1';
      max.dispatchEvent(new Event('change'));
    })()`);
    assert.deepEqual(await page.page.evaluate('window.__chart.domain'), [-1, 1]);
    assert.notEqual(await firstFill(), before);
    assert.deepEqual(await page.page.locator('g.legend g.tick text').allTextContents(),
      ['−1', '−0.8', '−0.6', '−0.4', '−0.2', '0', '0.2', '0.4', '0.6', '0.8', '1']);
    await page.page.evaluate(`(() => {
      const select = document.querySelector('vscode-single-select');
      select.value = 'sequential';
      select.dispatchEvent(new Event('change'));
    })()`);
    assert.deepEqual(await page.page.evaluate('window.__chart.domain'), [-0.4, 0.2]);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('a small heatmap SVG matches its snapshot (numbers rounded)', async () => {
  const page = await openChart(browser, {
    modulePath, exportName: 'heatmap', width: 520,
    data: {
      labels: ['moon', 'star', 'pear', '<b>kiwi</b>'],
      categories: ['space', 'space', 'fruit', 'fruit'],
      values: [[1, 0.61, 0.05, -0.12], [0.61, 1, 0.11, 0.02], [0.05, 0.11, 1, 0.48], [-0.12, 0.02, 0.48, 1]],
    },
    options: { controls: false, maxSize: 240 },
  });
  try {
    const svg = await page.page.evaluate('window.__chart.exportSvg()') as string;
    const rounded = svg
      .replace(/id="ml-grad-[a-z0-9]+"/g, 'id="ml-grad"').replace(/url\(#ml-grad-[a-z0-9]+\)/g, 'url(#ml-grad)')
      .replace(/-?\d+\.\d+/g, (x) => String(Math.round(Number(x))))
      .replace(/></g, '>\n<');
    const dir = join(__dirname, '__snapshots__');
    const file = join(dir, 'heatmap-4.svg');
    // The snapshot is tracked: written only on request (UPDATE_SNAPSHOTS=1), so a missing one fails
    // instead of being written and then compared with itself.
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, rounded);
    }
    assert.ok(existsSync(file), `${file} is missing: run with UPDATE_SNAPSHOTS=1 to write it, then look at it and commit it`);
    assert.equal(rounded, readFileSync(file, 'utf8'));
    assert.equal((rounded.match(/class="cell"/g) ?? []).length, 16);
    assert.ok(rounded.includes('&lt;b&gt;kiwi&lt;/b&gt;'));
  } finally {
    await page.close();
  }
});

test('2,000 × 2,000 renders on canvas; screenshot for docs', async () => {
  const page = await openChart(browser, {
    modulePath, exportName: 'heatmap', data: { n: 2000, k: 8, dims: 48 }, prepare: structuredMatrix,
    options: { maxSize: 760 }, width: 1000, height: 960, theme: 'dark',
  });
  try {
    assert.equal(await page.page.evaluate('window.__chart.mode'), 'canvas');
    assert.equal(await page.page.locator('rect.cell').count(), 0);
    assert.deepEqual(await page.page.locator('text.category-label').allTextContents(),
      ['space', 'furniture', 'fruit', 'animal', 'tool', 'colour', 'body', 'weather']);
    // A full redraw with a new range: measured for the report, not asserted on.
    const ms = await page.page.evaluate(`(() => { const t = performance.now(); window.__chart.update(undefined, { domain: [-0.5, 0.5] }); return performance.now() - t; })()`);
    const same = await page.page.evaluate(`(() => { const t = performance.now(); window.__chart.update(); return performance.now() - t; })()`);
    console.log(`2000x2000 heatmap: redraw with a new range ${Number(ms).toFixed(0)} ms, same range (resize) ${Number(same).toFixed(0)} ms`);
    await page.page.evaluate(`window.__chart.update(undefined, { domain: null })`);
    await page.screenshot('heatmap-2000', '#chart');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});
