// The cluster map chart alone in headless Chromium: marks in the notebook's style, hover, click with
// nearest neighbours, regex search, lasso, linked selection, value coloring, canvas above the
// threshold, labels as text only; and the screenshot docs/screenshots/cluster-map.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createRandom } from '../../src/core/random';
import { launchBrowser, openChart, themeVariables, type WebviewPage } from '../helpers/chromium';
import { assertPaletteApart } from '../helpers/palette-distance';

const modulePath = 'src/webview/charts/cluster-map.ts';
let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const words = {
  space: ['moon', 'star', 'planet', 'galaxy', 'comet', 'orbit', 'sun', 'asteroid', 'cosmos', 'nebula', 'meteor', 'rocket'],
  furniture: ['chair', 'table', 'couch', 'stool', 'lamp', 'sofa', 'desk', 'shelf', 'bed', 'rug', 'carpet', 'door'],
  fruit: ['apple', 'pear', 'kiwi', 'peach', 'banana', 'cherry', 'grape', 'lime', 'orange', 'date', 'plum', 'melon'],
  animal: ['cat', 'dog', 'horse', 'mouse', 'lion', 'tiger', 'zebra', 'otter', 'wolf', 'fox', 'bear', 'seal'],
};

/** Four clusters of 12 words around 2-D and 8-D centres, plus six noise points: deterministic. */
function sampleData() {
  const random = createRandom(11);
  const centres2d = [[-6, 4], [5, 5], [4, -5], [-5, -5]];
  const labels: string[] = [], coords: number[] = [], clusters: number[] = [], values: number[] = [], vectors: number[] = [];
  const dims = 8;
  const centres = centres2d.map(() => Array.from({ length: dims }, () => random.gaussian() * 2));
  Object.values(words).forEach((list, c) => list.forEach((word) => {
    labels.push(word);
    coords.push(centres2d[c][0] + random.gaussian() * 1.2, centres2d[c][1] + random.gaussian() * 1.2);
    clusters.push(c);
    values.push((c - 1.5) * 3 + random.gaussian());
    for (let d = 0; d < dims; d++) vectors.push(centres[c][d] + random.gaussian());
  }));
  ['<script>window.__pwned = 1</script>', 'noise-a', 'noise-b', 'noise-c', 'noise-d', 'noise-e'].forEach((word) => {
    labels.push(word);
    coords.push(random.gaussian() * 5, random.gaussian() * 5);
    clusters.push(-1);
    values.push(random.gaussian());
    for (let d = 0; d < dims; d++) vectors.push(random.gaussian() * 3);
  });
  return { labels, coords, clusters, values, valueLabel: 't', vectors: { data: vectors, dims } };
}

async function open(options: Record<string, unknown> = {}, data: unknown = sampleData(), theme: 'dark' | 'light' = 'dark'): Promise<WebviewPage> {
  const page = await openChart(browser, { modulePath, exportName: 'clusterMap', data, options, width: 980, height: 860, containerWidth: 940, theme });
  await page.page.evaluate(`(() => {
    window.__events = [];
    window.__hovers = [];
    window.__chart.on('hover', (detail) => window.__hovers.push(detail.index));
    for (const name of ['select', 'neighbours']) window.__chart.on(name, (detail) => window.__events.push({ name, detail }));
  })()`);
  return page;
}

interface Box { x: number; y: number; w: number; h: number }

async function pointCentre(page: WebviewPage, index: number): Promise<{ x: number; y: number }> {
  return page.page.evaluate(`(() => {
    const r = document.querySelector('path.mark[data-index="${index}"]').getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  })()`) as Promise<{ x: number; y: number }>;
}

test('draws clusters in the notebook style: colored points with centroid lines, noise as +, centroids as diamonds, labels, member lists', async () => {
  const page = await open();
  try {
    assert.equal(await page.page.evaluate('window.__chart.mode'), 'svg');
    assert.equal(await page.page.locator('path.mark.point').count(), 48);
    assert.equal(await page.page.locator('path.mark.noise').count(), 6);
    assert.equal(await page.page.locator('path.centroid').count(), 4);
    const lines = await page.page.locator('path.centroid-lines').getAttribute('d');
    assert.equal((lines ?? '').match(/M/g)?.length, 48, 'one line per clustered point');
    assert.equal(await page.page.locator('text.label').count(), 54);
    const fills = await page.page.evaluate(`[0, 12, 24, 36].map((i) => document.querySelector('path.mark[data-index="' + i + '"]').getAttribute('fill'))`) as string[];
    assert.equal(new Set(fills).size, 4, 'each cluster has its own color');
    const heads = await page.page.locator('.ml-cluster-members .ml-cluster-name').allTextContents();
    assert.deepEqual(heads.map((h) => h.replace(/ · mean.*/, '')), ['Cluster 0 · 12', 'Cluster 1 · 12', 'Cluster 2 · 12', 'Cluster 3 · 12', 'Noise · 6']);
    assert.match(await page.page.locator('.ml-cluster-members[data-cluster="2"] .ml-cluster-words').innerText(), /^apple, pear, kiwi/);
    // The <script> label is text everywhere: in the map and in the noise list.
    assert.equal(await page.page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.page.locator('text.label[data-index="48"]').textContent(), '<script>window.__pwned …');
    assert.match(await page.page.locator('.ml-cluster-members[data-cluster="noise"] .ml-cluster-words').innerText(), /^<script>window.__pwned = 1<\/script>, noise-a/);
    const exported = await page.page.evaluate('window.__chart.exportSvg()') as string;
    assert.equal(exported.match(/class="centroid"/g)?.length, 4);
    assert.ok(!exported.includes('class="overlay"') && exported.includes('&lt;script&gt;window.__pwned'));
    assert.deepEqual(page.errors, []);
    await page.screenshot('cluster-map', '.ml-cluster-map');
  } finally {
    await page.close();
  }
});

test('hover shows the point; click selects it and lists its k nearest neighbours in the original space', async () => {
  const data = sampleData();
  const page = await open({ neighbours: 5 }, data);
  try {
    const apple = await pointCentre(page, 24);
    await page.page.mouse.move(apple.x - 1, apple.y);
    await page.page.mouse.move(apple.x, apple.y);
    assert.match(await page.page.locator('.ml-tooltip:not([hidden])').innerText(), /^apple\ncluster 2\nt: /);
    assert.deepEqual(await page.page.evaluate('window.__hovers'), [24], 'one hover event per point entered');
    await page.page.mouse.click(apple.x, apple.y);
    assert.deepEqual(await page.page.evaluate('window.__chart.selection'), [24]);
    // Expected neighbours: cosine distance over the 8-D vectors, computed here.
    const { data: v, dims } = data.vectors;
    const row = (i: number) => v.slice(i * dims, (i + 1) * dims);
    const cosineDistance = (a: number[], b: number[]) => {
      let ab = 0, aa = 0, bb = 0;
      for (let k = 0; k < a.length; k++) { ab += a[k] * b[k]; aa += a[k] ** 2; bb += b[k] ** 2; }
      return 1 - ab / Math.sqrt(aa * bb);
    };
    const expected = data.labels.map((label, i) => ({ label, i, d: cosineDistance(row(24), row(i)) }))
      .filter((e) => e.i !== 24).sort((a, b) => a.d - b.d).slice(0, 5);
    const items = await page.page.locator('.ml-neighbour-list li').allTextContents();
    assert.deepEqual(items, expected.map((e) => `${e.label}  ${e.d.toFixed(4)}`));
    assert.match(await page.page.locator('.ml-cluster-neighbours .ml-card-subtitle').innerText(), /5 nearest to “apple” \(cosine distance, original space\)/);
    assert.equal(await page.page.locator('g.highlights circle.neighbour').count(), 5);
    const events = await page.page.evaluate('window.__events') as { name: string; detail: { indices?: number[]; labels?: string[]; source?: string } }[];
    assert.deepEqual(events.map((e) => e.name), ['neighbours', 'select']);
    assert.deepEqual(events[1].detail, { indices: [24], labels: ['apple'], source: 'click' });
    // Clicking empty space clears the selection.
    const frame = await page.page.locator('rect.overlay').boundingBox();
    assert.ok(frame);
    await page.page.mouse.click(frame.x + frame.width - 4, frame.y + frame.height - 4);
    assert.deepEqual(await page.page.evaluate('window.__chart.selection'), []);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('regex search highlights matching labels; Enter selects them; a bad pattern says so', async () => {
  const page = await open();
  try {
    await page.page.locator('input.ml-cluster-search').fill('^(moon|star|sun)$');
    assert.equal(await page.page.locator('.ml-cluster-search-note').textContent(), '3 matches');
    assert.equal(await page.page.locator('g.highlights circle.search-match').count(), 3);
    assert.equal(await page.page.locator('text.label.emphasized').count(), 3);
    await page.page.locator('input.ml-cluster-search').press('Enter');
    const events = await page.page.evaluate('window.__events') as { detail: { labels: string[]; source: string } }[];
    assert.deepEqual(events.at(-1)!.detail.labels.sort(), ['moon', 'star', 'sun']);
    assert.equal(events.at(-1)!.detail.source, 'search');
    await page.page.locator('input.ml-cluster-search').fill('(');
    assert.equal(await page.page.locator('.ml-cluster-search-note').textContent(), 'not a valid regular expression');
    assert.equal(await page.page.locator('g.highlights circle.search-match').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('shift-drag lasso selects the points inside it; select() from another view emits nothing', async () => {
  const page = await open();
  try {
    // A box around the fruit cluster's points (indices 24–35), from their on-screen extent.
    const box = await page.page.evaluate(`(() => {
      const rects = Array.from({ length: 12 }, (_, k) => document.querySelector('path.mark[data-index="' + (24 + k) + '"]').getBoundingClientRect());
      return { x0: Math.min(...rects.map((r) => r.x)) - 3, y0: Math.min(...rects.map((r) => r.y)) - 3,
        x1: Math.max(...rects.map((r) => r.right)) + 3, y1: Math.max(...rects.map((r) => r.bottom)) + 3 };
    })()`) as { x0: number; y0: number; x1: number; y1: number };
    const expected = await page.page.evaluate(`(() => Array.from(document.querySelectorAll('path.mark')).filter((p) => {
      const r = p.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
      return x > ${box.x0} && x < ${box.x1} && y > ${box.y0} && y < ${box.y1};
    }).map((p) => Number(p.dataset.index)).sort((a, b) => a - b))()`) as number[];
    assert.ok(expected.length >= 12);
    await page.page.keyboard.down('Shift');
    await page.page.mouse.move(box.x0, box.y0);
    await page.page.mouse.down();
    for (const [x, y] of [[box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1], [box.x0, box.y0 + 1]]) await page.page.mouse.move(x, y, { steps: 4 });
    await page.page.mouse.up();
    await page.page.keyboard.up('Shift');
    assert.deepEqual((await page.page.evaluate('window.__chart.selection') as number[]).sort((a, b) => a - b), expected);
    const events = await page.page.evaluate('window.__events') as { detail: { source: string } }[];
    assert.equal(events.at(-1)!.detail.source, 'lasso');
    assert.match(await page.page.locator('.ml-cluster-selection .ml-card-subtitle').innerText(), new RegExp(`Selected: ${expected.length} points`));
    // Linked views: another panel sets the selection.
    const before = (await page.page.evaluate('window.__events') as unknown[]).length;
    await page.page.evaluate('window.__chart.select([0, 1, 2])');
    assert.equal(await page.page.locator('g.highlights circle.selected').count(), 3);
    assert.equal((await page.page.evaluate('window.__events') as unknown[]).length, before);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('colored by value on a diverging RdBu scale, with a legend; the wheel scrolls the page until the map is clicked or Ctrl is held, then zooms', async () => {
  const page = await open({ colorBy: 'value' });
  try {
    assert.equal(await page.page.locator('g.value-legend').count(), 1);
    const fill = (i: number) => page.page.locator(`path.mark[data-index="${i}"]`).getAttribute('fill');
    const rgb = (s: string | null) => (s?.match(/\d+/g) ?? []).map(Number);
    const [r0, , b0] = rgb(await fill(0)); // cluster 0: t ≈ −4.5 → red
    const [r3, , b3] = rgb(await fill(36)); // cluster 3: t ≈ +4.5 → blue
    assert.ok(r0 > b0 && b3 > r3, `${r0},${b0} / ${r3},${b3}`);
    assert.equal(await page.page.locator('path.centroid-lines').getAttribute('d'), null, 'no centroid lines when colored by value');
    await page.screenshot('cluster-map-values', '.ml-cluster-map');
    const before = await pointCentre(page, 0);
    const frame = await page.page.locator('rect.overlay').boundingBox();
    assert.ok(frame);
    await page.page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
    await page.page.mouse.wheel(0, -400);
    await page.page.waitForTimeout(100);
    const unarmed = await pointCentre(page, 0);
    assert.ok(Math.hypot(unarmed.x - before.x, unarmed.y - before.y) < 0.5, 'a plain wheel does not zoom a map that was not clicked');
    await page.page.keyboard.down('Control');
    await page.page.mouse.wheel(0, -200);
    await page.page.keyboard.up('Control');
    await page.page.waitForTimeout(100);
    const withCtrl = await pointCentre(page, 0);
    assert.ok(Math.hypot(withCtrl.x - before.x, withCtrl.y - before.y) > 5, 'Ctrl+wheel zooms');
    await page.page.locator('button.ml-cluster-reset').click();
    await page.page.mouse.move(frame.x + frame.width / 2, frame.y + frame.height / 2);
    await page.page.mouse.click(frame.x + 3, frame.y + 3);
    await page.page.mouse.wheel(0, -400);
    await page.page.waitForTimeout(100);
    const afterZoom = await pointCentre(page, 0);
    assert.ok(Math.hypot(afterZoom.x - before.x, afterZoom.y - before.y) > 5, 'after a click the wheel zooms');
    await page.page.locator('button.ml-cluster-reset').click();
    const reset = await pointCentre(page, 0);
    assert.ok(Math.hypot(reset.x - before.x, reset.y - before.y) < 0.5);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('the legend sits right of the plot: it covers no point and no label', async () => {
  const page = await open();
  try {
    const boxes = await page.page.evaluate(`(() => {
      const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
      return { legend: box(document.querySelector('g.legend')), frame: box(document.querySelector('rect.frame')),
        items: [...document.querySelectorAll('path.mark, text.label')].map(box) };
    })()`) as { legend: Box; frame: Box; items: Box[] };
    assert.ok(boxes.legend.x >= boxes.frame.x + boxes.frame.w, `legend at x ${boxes.legend.x}, plot ends at ${boxes.frame.x + boxes.frame.w}`);
    const overlapping = boxes.items.filter((b) => b.x < boxes.legend.x + boxes.legend.w && b.x + b.w > boxes.legend.x && b.y < boxes.legend.y + boxes.legend.h && b.y + b.h > boxes.legend.y);
    assert.deepEqual(overlapping, []);
  } finally {
    await page.close();
  }
});

test('past ten clusters the marks differ in shape as well as color, in the map and its legend', async () => {
  const random = createRandom(3);
  const labels: string[] = [], coords: number[] = [], clusters: number[] = [];
  for (let c = 0; c < 14; c++) for (let k = 0; k < 4; k++) {
    labels.push(`w${c}-${k}`); clusters.push(c);
    coords.push(Math.cos(c) * 10 + random.gaussian(), Math.sin(c) * 10 + random.gaussian());
  }
  for (const theme of ['dark', 'light'] as const) {
    const page = await open({}, { labels, coords, clusters }, theme);
    try {
      const marks = await page.page.evaluate(`[0, 4, 40, 44].map((i) => { const m = document.querySelector('path.mark[data-index="' + i + '"]'); return [m.getAttribute('fill'), m.getAttribute('data-shape')]; })`) as [string, string][];
      // Clusters 0 and 10 share a color, never a shape; 0 and 1 differ in color.
      assert.equal(marks[0][0], marks[2][0]);
      assert.deepEqual([marks[0][1], marks[2][1]], ['circle', 'square']);
      assert.notEqual(marks[0][0], marks[1][0]);
      assert.deepEqual(await page.page.locator('g.legend path.legend-mark').evaluateAll((ms) => ms.map((m) => m.getAttribute('data-shape'))),
        [...Array(10).fill('circle'), ...Array(4).fill('square')]);
    } finally {
      await page.close();
    }
  }
});

test('the ten cluster colors are far apart (CIELAB ΔE ≥ 20), stand out from the background and keep away from A/B and within/between, in the dark and the light theme', async () => {
  const { clusterPalette } = await import('../../src/webview/charts/cluster-marks');
  const { categoryPalette } = await import('../../src/webview/charts/category-colors');
  for (const theme of ['dark', 'light'] as const) {
    const v = themeVariables[theme];
    const background = v['--vscode-editor-background'];
    const palette = clusterPalette({ background });
    assert.equal(palette.length, 10);
    // Compare draws its clusters beside A/B (blue/orange) and within/between (green/purple): one color, one meaning.
    assertPaletteApart(palette, background, {
      minDeltaE: 20, minLightnessGap: 25,
      apartFrom: { 'A (blue)': v['--vscode-charts-blue'], 'B (orange)': v['--vscode-charts-orange'], 'within (green)': v['--vscode-charts-green'], 'between (purple)': v['--vscode-charts-purple'] },
    });
    // The first clusters of a small map are not the first categories' colors either.
    const categories = Object.fromEntries(categoryPalette({ background }).slice(0, 4).map((c, i) => [`category ${i + 1}`, c]));
    assertPaletteApart(palette.slice(0, 4), background, { minDeltaE: 20, minLightnessGap: 25, apartFrom: categories });
  }
});

test('3,000 points draw on canvas; hover still finds them; update with the same items keeps the selection', async () => {
  const n = 3000;
  const random = createRandom(5);
  const labels = Array.from({ length: n }, (_, i) => `token-${i}`);
  const clusters = Array.from({ length: n }, (_, i) => (i % 7 === 6 ? -1 : i % 6));
  const coords = clusters.flatMap((c) => [Math.cos(c) * 10 + random.gaussian() * 2, Math.sin(c) * 10 + random.gaussian() * 2]);
  const page = await open({}, { labels, coords, clusters });
  try {
    assert.equal(await page.page.evaluate('window.__chart.mode'), 'canvas');
    assert.equal(await page.page.locator('canvas.ml-cluster-canvas').count(), 1);
    assert.equal(await page.page.locator('path.mark').count(), 0);
    assert.equal(await page.page.locator('text.label').count(), 0);
    assert.equal(await page.page.locator('path.centroid').count(), 6);
    assert.match(await page.page.evaluate('window.__chart.exportSvg()') as string, /<image [^>]*href="data:image\/png;base64,/);
    await page.page.evaluate('window.__chart.select([10])');
    const target = await page.page.evaluate(`(() => {
      const ring = document.querySelector('circle.selected').getBoundingClientRect();
      return { x: ring.x + ring.width / 2, y: ring.y + ring.height / 2 };
    })()`) as { x: number; y: number };
    await page.page.mouse.move(target.x, target.y);
    assert.match(await page.page.locator('.ml-tooltip:not([hidden])').innerText(), /^token-\d+\n/);
    await page.page.evaluate(`window.__chart.update({ labels: ${JSON.stringify(labels)}, clusters: ${JSON.stringify(clusters)}, coords: ${JSON.stringify(coords.map((v) => v * 1.1))} })`);
    assert.deepEqual(await page.page.evaluate('window.__chart.selection'), [10]);
    // The whole GPT-2 vocabulary (50,257 tokens) in 40 clusters: timings are printed, not asserted.
    const timings = await page.page.evaluate(`(() => {
      const n = 50257, labels = [], clusters = new Int32Array(n), coords = new Float64Array(2 * n);
      let s = 1;
      const rand = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296 - 0.5; };
      for (let i = 0; i < n; i++) {
        labels.push('tok' + i);
        const c = i % 41 - 1;
        clusters[i] = c;
        coords[2 * i] = Math.cos(c) * 40 + rand() * 12;
        coords[2 * i + 1] = Math.sin(c) * 40 + rand() * 12;
      }
      let t = performance.now();
      window.__chart.update({ labels, coords, clusters });
      const render = performance.now() - t;
      t = performance.now();
      window.__chart.resetZoom();
      return { render, redraw: performance.now() - t, mode: window.__chart.mode, centroids: document.querySelectorAll('path.centroid').length };
    })()`) as { render: number; redraw: number; mode: string; centroids: number };
    assert.equal(timings.mode, 'canvas');
    assert.equal(timings.centroids, 40);
    console.log(`cluster map, 50,257 points on canvas: first render ${timings.render.toFixed(0)} ms, redraw ${timings.redraw.toFixed(0)} ms`);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('light theme: colors come from the --vscode-* variables; screenshot for docs', async () => {
  const page = await open({ colorBy: 'value' }, sampleData(), 'light');
  try {
    // The frame uses --vscode-widget-border and labels --vscode-charts-foreground of Light Modern.
    assert.equal(await page.page.locator('rect.frame').getAttribute('stroke'), '#e5e5e5');
    assert.equal(await page.page.locator('.ml-cluster-map text.label').first().getAttribute('fill'), '#717171');
    await page.screenshot('cluster-map-light', '.ml-cluster-map');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('bad data shows a message instead of throwing; destroy removes the chart and its tooltip', async () => {
  const page = await open({}, { labels: ['a', 'b'], coords: [0, 0, 1], clusters: [0, 0] });
  try {
    assert.match(await page.page.locator('.ml-cluster-details .ml-note').innerText(), /3 coordinates for 2 labels/);
    await page.page.evaluate('window.__chart.destroy()');
    assert.equal(await page.page.locator('.ml-cluster-map').count(), 0);
    assert.equal(await page.page.locator('.ml-tooltip').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});
