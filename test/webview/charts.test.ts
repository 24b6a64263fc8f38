// The smaller charts alone in headless Chromium: scatter (SVG and the canvas path for millions of
// pairs), strip plot (subsampling, mean lines where the data says), histogram counts, line plot
// panels, and the missing-words banner (nothing to say: nothing drawn; words as text).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, openChart } from '../helpers/chromium';

const modulePath = 'src/webview/charts/index.ts';
let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('scatter: SVG points with stats and legend; canvas above the threshold, composited for huge n', async () => {
  const small = await openChart(browser, {
    modulePath, exportName: 'scatter', width: 700,
    data: {
      x: [0.1, 0.5, -0.2, 0.4], y: [0.2, 0.45, -0.1, 0.5], within: [false, true, false, true],
      pairs: [['moon', 'pear'], ['moon', 'star'], ['kiwi', 'chair'], ['pear', 'kiwi']],
      xLabel: 'A', yLabel: 'B', stats: { pearson: 0.9512, spearman: 0.8, cosine: 0.97, pValue: 0.0421, permutations: 1000, n: 4 },
    },
  });
  try {
    assert.equal(await small.page.locator('g.points circle').count(), 4);
    assert.equal(await small.page.locator('text.rsa-stats').textContent(), 'r = 0.951 · ρ = 0.800 · S_c = 0.970 · p = 0.042 (1000 perm.) · n = 4 pairs');
    assert.equal(await small.page.locator('g.zero-lines line').count(), 2);
    assert.deepEqual(small.errors, []);
  } finally {
    await small.close();
  }
  const big = await openChart(browser, {
    modulePath, exportName: 'scatter', width: 700,
    data: { n: 200000 },
    prepare: `(spec) => {
      const x = new Float64Array(spec.n), y = new Float64Array(spec.n), within = new Uint8Array(spec.n);
      for (let k = 0; k < spec.n; k++) { x[k] = Math.sin(k) * 0.5; y[k] = x[k] * 0.8 + Math.cos(k * 7) * 0.1; within[k] = k % 10 === 0 ? 1 : 0; }
      return { x, y, within, xLabel: 'A', yLabel: 'B' };
    }`,
  });
  try {
    assert.equal(await big.page.evaluate('window.__chart.mode'), 'canvas');
    assert.equal(await big.page.locator('g.points circle').count(), 0);
    // Some pixels were painted in each of the two colors.
    const painted = await big.page.evaluate(`(() => {
      const c = document.querySelector('.ml-scatter canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let o = 3; o < d.length; o += 4) if (d[o] > 0) n++;
      return n;
    })()`) as number;
    assert.ok(painted > 1000, `painted ${painted} pixels`);
    assert.match(await big.page.evaluate('window.__chart.exportSvg()') as string, /<image [^>]*href="data:image\/png;base64,/);
    assert.deepEqual(big.errors, []);
  } finally {
    await big.close();
  }
});

test('strip plot: means at the given values, index text, and an even subsample of large groups', async () => {
  const page = await openChart(browser, {
    modulePath, exportName: 'stripPlot', width: 700,
    data: { n: 6000 },
    prepare: `(spec) => ({ spaces: [{
      name: 'A', index: 1.5,
      within: { values: Array.from({ length: 40 }, (_, k) => 0.4 + (k % 5) * 0.01), mean: 0.42 },
      between: { values: Array.from({ length: spec.n }, (_, k) => Math.sin(k) * 0.2), mean: 0.05 },
    }, { name: 'B', index: null, reason: 'a category has one word', within: { values: [0.3] }, between: { values: [0.1, 0.2] } }] })`,
    options: { maxPoints: 2500 },
  });
  try {
    assert.equal(await page.page.locator('.space').first().locator('.points-within circle').count(), 40);
    assert.equal(await page.page.locator('.space').first().locator('.points-between circle').count(), 2000);
    assert.deepEqual(await page.page.locator('text.selectivity-index').allTextContents(),
      ['selectivity index = 1.500', 'index undefined: a category has one word']);
    assert.deepEqual(await page.page.locator('.space').first().locator('text.mean-label').allTextContents(), ['0.42', '0.05']);
    assert.ok((await page.page.locator('.space').first().locator('text').allTextContents()).includes('2000 of 6000'));
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('strip plot: an index over a between mean of ≈ 0 reads "n/a (between ≈ 0)" with the two means; within/between colors are not the A/B colors', async () => {
  const page = await openChart(browser, {
    modulePath, exportName: 'stripPlot', width: 700,
    data: { spaces: [{
      name: 'A', index: null, betweenNearZero: true, reason: 'between ≈ 0',
      within: { values: [0.41, 0.39], mean: 0.4 }, between: { values: [0.01, -0.0108], mean: -0.0004 },
    }] },
  });
  try {
    assert.deepEqual(await page.page.locator('text.selectivity-index').allTextContents(),
      ['selectivity index n/a (between ≈ 0): within 0.400, between -0.00040']);
    const fills = await page.page.evaluate(`['within', 'between'].map((k) => document.querySelector('.points-' + k + ' circle').getAttribute('fill'))`) as string[];
    const series = await page.page.evaluate(`['--vscode-charts-blue', '--vscode-charts-orange'].map((v) => getComputedStyle(document.documentElement).getPropertyValue(v).trim())`) as string[];
    assert.notEqual(fills[0], fills[1]);
    for (const f of fills) assert.ok(!series.includes(f), `${f} is also an A/B series color (${series})`);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('layer sweep: the legend and the current layer\'s label never overlap, whichever layer is current', async () => {
  for (const current of [0, 2, 5]) {
    const page = await openChart(browser, {
      modulePath: 'src/webview/charts/layer-sweep.ts', exportName: 'layerSweep', width: 420,
      data: { layers: [0, 1, 2], series: [{ name: 'Q', values: [1.1, 1.2, 1.3] }, { name: 'K', values: [1, 1.1, 1.2] }, { name: 'V', values: [1, 1, 1] },
        { name: 'MLP', values: [1.2, 1.4, 1.1] }, { name: 'resid', values: [1.3, 1.2, 1.5] }, { name: 'RSA Q–K', values: [0.2, 0.4, 0.3] }].slice(0, current === 5 ? 1 : 6),
      current: Math.min(current, 2), yLabel: 'selectivity index', reference: 1 },
    });
    try {
      const boxes = await page.page.evaluate(`(() => {
        const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height, text: e.textContent }; };
        return { label: box(document.querySelector('text.current-layer-label')), legend: [...document.querySelectorAll('g.legend text')].map(box) };
      })()`) as { label: { x: number; y: number; w: number; h: number }; legend: { x: number; y: number; w: number; h: number; text: string }[] };
      const hits = boxes.legend.filter((b) => b.x < boxes.label.x + boxes.label.w && b.x + b.w > boxes.label.x && b.y < boxes.label.y + boxes.label.h && b.y + b.h > boxes.label.y);
      assert.deepEqual(hits.map((h) => h.text), [], `layer ${current}`);
    } finally {
      await page.close();
    }
  }
});

test('histogram bins count every value once; line plot has one panel per space with its dims', async () => {
  const hist = await openChart(browser, {
    modulePath, exportName: 'histogram', width: 600,
    data: { series: [{ name: 'A', values: [0.1, 0.2, 0.2, 0.3, 0.9] }, { name: 'B', values: [-0.5, 0, 0.5] }] },
    options: { density: false },
  });
  try {
    const heights = await hist.page.evaluate(`[...document.querySelectorAll('g.histogram-series')].map((g) =>
      [...g.querySelectorAll('rect.bin')].reduce((t, r) => t + (r.__data__ ? r.__data__.length : 0), 0))`);
    assert.deepEqual(heights, [5, 3]);
    assert.match((await hist.page.locator('text.legend-label').allTextContents())[0], /^A {2}\(mean 0\.340, n = 5\)$/);
  } finally {
    await hist.close();
  }
  const line = await openChart(browser, {
    modulePath, exportName: 'linePlot', width: 800,
    data: { title: 'moon', series: [{ name: 'A', values: [3, 4] }, { name: 'B', values: [1, 0, 0] }] },
  });
  try {
    assert.equal(await line.page.locator('g.line-panel').count(), 2);
    assert.deepEqual(await line.page.locator('text.series-name').allTextContents(), ['A (2 dims, ‖v‖ = 5.00)', 'B (3 dims, ‖v‖ = 1.00)']);
  } finally {
    await line.close();
  }
});

test('missing-words banner: absent when nothing is missing; lists words per source as text', async () => {
  const empty = await openChart(browser, { modulePath, exportName: 'missingBanner', data: { missing: [], sources: [{ label: 'A', missing: [] }] } });
  try {
    assert.equal(await empty.page.locator('.ml-missing-banner').count(), 0);
  } finally {
    await empty.close();
  }
  const page = await openChart(browser, {
    modulePath, exportName: 'missingBanner',
    data: { missing: ['<img src=x onerror=alert(1)>', 'zyx'], sources: [{ label: 'glove-50', missing: ['<img src=x onerror=alert(1)>'], lowercased: ['Moon'] }, { label: 'gpt2', missing: ['zyx'] }] },
  });
  try {
    assert.match(await page.page.locator('.ml-banner-title').textContent() ?? '', /^2 words left out/);
    assert.deepEqual(await page.page.locator('code.ml-word').allTextContents(), ['<img src=x onerror=alert(1)>', 'zyx', 'Moon']);
    assert.equal(await page.page.locator('.ml-missing-banner img').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});
