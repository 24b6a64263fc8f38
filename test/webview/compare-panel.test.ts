// The compare panel rendered in headless Chromium from a stored Result (fixture made by
// fixtures/make_compare_result.py with numpy/scipy/scikit-learn): DOM, hover, messages, state,
// and the screenshots under docs/screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompareResult } from '../../src/protocol/result';
import { assertPythonButtons } from './python-buttons';
import { categoryPalette } from '../../src/webview/charts/category-colors';
import { usePanel, openPanel, themeVariables, waitUntil, type WebviewPage } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'compare-result.json'), 'utf8')) as CompareResult;
const n = fixture.items.length;
const hostileWord = fixture.items.find((w) => w.includes('<script>')) as string;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900 });

const texts = (selector: string) => panel.page.locator(selector).allTextContents();

/** Center of cell (i, j) of the heatmap in the card for `space`, in page coordinates. */
async function cellCenter(page: WebviewPage['page'], space: 'a' | 'b', i: number, j: number, count = n) {
  // The lower rows can sit below the 900 px viewport (the Run settings bar is above the heatmaps): the mouse only reaches what is on screen.
  await page.locator(`[data-space="${space}"] rect.overlay`).scrollIntoViewIfNeeded();
  const box = await page.locator(`[data-space="${space}"] rect.overlay`).boundingBox();
  assert.ok(box, 'heatmap overlay is laid out');
  return { x: box.x + ((j + 0.5) * box.width) / count, y: box.y + ((i + 0.5) * box.height) / count };
}

test('says ready, then renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
});

test('draws n² SVG cells per heatmap and one tick label per word on each axis', async () => {
  for (const space of ['a', 'b']) {
    assert.equal(await panel.page.locator(`[data-space="${space}"] rect.cell`).count(), n * n);
    assert.equal(await panel.page.locator(`[data-space="${space}"] canvas`).count(), 0);
    const yTicks = await texts(`[data-space="${space}"] g.y-ticks text`);
    assert.equal(yTicks.length, n);
    assert.deepEqual(yTicks.slice(0, 3), fixture.items.slice(0, 3));
    assert.equal((await texts(`[data-space="${space}"] g.x-ticks text`)).length, n);
  }
  assert.deepEqual(await texts('[data-space="a"] text.category-label'), fixture.categories);
  // Two separator lines (one per axis) at each of the category boundaries.
  assert.equal(await panel.page.locator('[data-space="a"] g.separators line').count(), 2 * (fixture.categories.length - 1));
});

test('RSA and selectivity figures equal the fixture, formatted', async () => {
  const stat = (k: string) => panel.page.locator(`[data-card="rsa"] [data-stat="${k}"]`).textContent();
  assert.equal(await stat('pearson'), fixture.rsa.pearson.toFixed(3));
  assert.equal(await stat('spearman'), fixture.rsa.spearman.toFixed(3));
  assert.equal(await stat('cosine'), fixture.rsa.cosine.toFixed(3));
  // The smallest permutation p, 1/1001, prints in exponent form rather than as 0.001.
  assert.ok((fixture.rsa.pValue as number) < 0.001);
  assert.equal(await stat('pValue'), (fixture.rsa.pValue as number).toExponential(2));
  assert.equal(await stat('n'), String(fixture.rsa.n));
  // Said once: the card's row, not again inside the chart.
  assert.equal(await panel.page.locator('[data-card="rsa"] text.rsa-stats').count(), 0);
  assert.equal((await panel.page.locator('[data-card="rsa"]').innerText()).split(`${fixture.rsa.pearson.toFixed(3)}`).length - 1, 1);
  assert.equal(await panel.page.locator('[data-card="rsa"] g.points circle').count(), fixture.rsa.n);
  assert.deepEqual(await texts('[data-card="selectivity"] text.selectivity-index'),
    [`selectivity index = ${fixture.a.selectivity.index?.toFixed(3)}`, `selectivity index = ${fixture.b.selectivity.index?.toFixed(3)}`]);
  assert.deepEqual(await texts('[data-card="rsa-by-category"] text.category-name'), fixture.rsaByCategory.map((r) => r.category));
  const bars = await texts('[data-card="rsa-by-category"] text.bar-value');
  assert.match(bars[0], new RegExp(`^r = ${fixture.rsaByCategory[0].pearson.toFixed(2)}`));
});

test('clusters: one map per space with the t-SNE coordinates and DBSCAN members of the Result', async () => {
  for (const key of ['a', 'b'] as const) {
    const card = panel.page.locator(`[data-card="clusters-${key}"]`);
    assert.equal(await card.locator('.ml-cluster-map').count(), 1);
    const lists = await card.locator('.ml-cluster-words').allTextContents();
    const expected = fixture[key].map?.clusters.map((c) => c.members.join(', ')) ?? [];
    for (const members of expected) assert.ok(lists.includes(members), `cluster list ${members}`);
  }
});

test('header names both sources with dims and format, and flags synthetic vectors', async () => {
  const chipA = await panel.page.locator('[data-source="a"]').textContent();
  assert.match(chipA ?? '', /synthetic-50/);
  assert.match(chipA ?? '', /50 d · glove/);
  assert.equal(await panel.page.locator('.ml-synthetic').count(), 2);
  assert.equal(await panel.page.locator('.ml-synthetic').first().textContent(), 'synthetic vectors — not pretrained');
  const banner = await panel.page.locator('.ml-missing-banner').textContent();
  assert.match(banner ?? '', /1 word left out/);
  assert.match(banner ?? '', /Missing from synthetic-300: starfruit/);
});

test('hovering a cell shows the pair and its value in both spaces, and marks it in the other heatmap', async () => {
  const [i, j] = [2, 8];
  const p = await cellCenter(panel.page, 'a', i, j);
  await panel.page.mouse.move(p.x, p.y);
  const tip = panel.page.locator('.ml-tooltip:not([hidden])');
  await tip.waitFor();
  const text = await tip.innerText();
  assert.match(text, new RegExp(`^${fixture.items[i]} × ${fixture.items[j]}`));
  assert.match(text, new RegExp(`A: synthetic-50: ${fixture.a.similarity[i][j].toFixed(3)}`));
  assert.match(text, new RegExp(`B: synthetic-300: ${fixture.b.similarity[i][j].toFixed(3)}`));
  assert.match(text, /space × furniture/);
  assert.equal(await panel.page.locator('[data-space="b"] rect.hover-cell').count(), 1);
  await panel.page.mouse.move(1, 1);
  assert.equal(await panel.page.locator('[data-space="b"] rect.hover-cell').count(), 0);
});

test('a word containing <script> is rendered as text everywhere and never runs', async () => {
  const ticks = await texts('[data-space="a"] g.y-ticks text');
  assert.ok(ticks.some((t) => t.startsWith('<script>alert(1')), 'tick shows the word as text');
  const clusters = (await texts('[data-card="clusters-a"] .ml-cluster-words')).join(', ');
  assert.ok(clusters.includes(hostileWord), 'cluster member list shows the word');
  assert.ok((await texts('.ml-missing-banner code.ml-word')).includes('starfruit'));
  // Only the harness's own scripts exist: the fake host API and webview.js.
  assert.equal(await panel.page.locator('script').count(), 2);
  const p = await cellCenter(panel.page, 'a', n - 1, 0);
  await panel.page.mouse.move(p.x, p.y);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.match(tip, new RegExp(`^${hostileWord.replace(/[()]/g, '\\$&')} × space`));
  await panel.page.mouse.move(1, 1);
  assert.deepEqual(panel.errors, []);
});

test('clicking a heatmap row selects the word: line plot follows and the host hears the selection', async () => {
  const word = fixture.items[4];
  const p = await cellCenter(panel.page, 'b', 4, 4);
  await panel.page.mouse.click(p.x, p.y);
  assert.equal(await panel.page.locator('.ml-line-plot text.line-title').textContent(), word);
  const names = await texts('.ml-line-plot text.series-name');
  assert.match(names[0], /50 dims/);
  assert.match(names[1], /300 dims/);
  const posted = await panel.posted();
  assert.deepEqual(posted[posted.length - 1], { type: 'selection', items: [word] });
  const state = await panel.page.evaluate('window.__state') as { ui: { word: string }; result: CompareResult };
  assert.equal(state.ui.word, word);
  assert.equal(state.result.items.length, n);
});

test('export buttons post SVG text and PNG bytes; save posts save', async () => {
  await panel.page.locator('[data-space="a"] button[data-export="svg"]').click();
  await panel.page.locator('[data-card="rsa"] button[data-export="png"]').click();
  await panel.page.locator('.ml-save').click();
  await waitUntil(panel.page, 'window.__posted.filter((m) => m.type === "export").length === 2');
  const posted = await panel.posted();
  const svg = posted.find((m) => m.type === 'export' && m.format === 'svg');
  assert.ok(svg && svg.type === 'export');
  assert.equal(svg.name, 'similarity-a.svg');
  assert.equal(svg.encoding, 'utf8');
  assert.match(svg.content, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.content.match(/class="cell"/g) ?? []).length, n * n);
  assert.ok(!svg.content.includes('var(--vscode'), 'colors are resolved, not theme variables');
  assert.ok(svg.content.includes('&lt;script&gt;alert(1'), 'the hostile word is escaped in the SVG');
  const png = posted.find((m) => m.type === 'export' && m.format === 'png');
  assert.ok(png && png.type === 'export');
  assert.equal(png.encoding, 'base64');
  assert.deepEqual([...Buffer.from(png.content, 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(posted.some((m) => m.type === 'save'));
});

test('matrix exports: CSV with word labels, a float64 .npy numpy can load, and a Python script', async () => {
  for (const format of ['csv', 'npy', 'python']) await panel.page.locator(`[data-space="b"] button[data-export="${format}"]`).click();
  const posted = (await panel.posted()).filter((m) => m.type === 'export' && m.name.startsWith('similarity-b'));
  const byFormat = new Map(posted.map((m) => [m.type === 'export' ? m.format : '', m]));
  const csv = byFormat.get('csv');
  assert.ok(csv?.type === 'export' && csv.encoding === 'utf8');
  const lines = csv.content.trimEnd().split('\n');
  assert.equal(lines.length, n + 1);
  assert.equal(lines[1], ['space', ...fixture.b.similarity[0].map(String)].join(','));
  assert.ok(lines[0].endsWith(',date,<script>alert(1)</script>'));
  const npy = byFormat.get('npy');
  assert.ok(npy?.type === 'export' && npy.encoding === 'base64');
  const bytes = Buffer.from(npy.content, 'base64');
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  assert.match(header, new RegExp(`'descr': '<f8', 'fortran_order': False, 'shape': \\(${n}, ${n}\\)`));
  assert.equal((10 + headerLength) % 64, 0);
  const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length));
  assert.deepEqual(Array.from(values), fixture.b.similarity.flat());
  const py = byFormat.get('python');
  assert.ok(py?.type === 'export' && py.name === 'similarity-b.py');
  // The script carries the vectors and recomputes the matrix (test/webview/python-export.test.ts runs it).
  assert.match(py.content, /S = cosine_matrix\(X\)/);
});

test('progress, error and cancelled states replace the panel', async () => {
  const page = await openPanel(panel.browser, { theme: 'dark' });
  try {
    assert.equal(await page.page.locator('[data-state="waiting"]').count(), 1);
    await page.post({ type: 'progress', message: 'Reading vectors', fraction: 0.4 });
    assert.equal(await page.page.locator('[data-state="progress"] .ml-state-message').textContent(), 'Reading vectors (40%)');
    await page.post({ type: 'error', message: 'words.txt:3: duplicate word "moon". Remove one.' });
    assert.equal(await page.page.locator('[data-state="error"] .ml-state-message').textContent(), 'words.txt:3: duplicate word "moon". Remove one.');
    await page.page.locator('[data-state="error"] vscode-button').click();
    assert.ok((await page.posted()).some((m) => m.type === 'openLog'));
    await page.post({ type: 'cancelled' });
    assert.equal(await page.page.locator('[data-state="cancelled"]').count(), 1);
    await page.post({ type: 'result', result: fixture });
    await page.page.waitForSelector('[data-rendered="true"]');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('a progress step updates the box in place: a Cancel pressed during one step and released during the next still cancels', async () => {
  const page = await openPanel(panel.browser, { theme: 'dark' });
  try {
    await page.post({ type: 'progress', message: 't-SNE of a.txt', fraction: 0.5 });
    const cancel = page.page.locator('[data-state="progress"] vscode-button.ml-state-cancel');
    await page.page.evaluate(`window.__cancel = document.querySelector('[data-state="progress"] vscode-button.ml-state-cancel')`);
    await page.post({ type: 'progress', message: 'a.txt: t-SNE iteration 25', fraction: 0.55 });
    assert.equal(await page.page.locator('[data-state="progress"] .ml-state-message').textContent(), 'a.txt: t-SNE iteration 25 (55%)');
    assert.equal(await page.page.evaluate(`window.__cancel.isConnected && window.__cancel === document.querySelector('vscode-button.ml-state-cancel')`), true,
      'the Cancel button was drawn afresh for the next step');
    const box = await cancel.boundingBox();
    assert.ok(box);
    await page.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.page.mouse.down();
    await page.post({ type: 'progress', message: 'a.txt: t-SNE iteration 50', fraction: 0.6 });
    await page.page.mouse.up();
    await waitUntil(page.page, `window.__posted.some((m) => m.type === 'request' && m.method === 'cancelRun')`);
    assert.equal((await cancel.textContent())?.trim(), 'Cancelling…');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('a reload restores the panel and the picked word from webview state before the host answers', async () => {
  const page = await openPanel(panel.browser, { theme: 'dark', state: { result: fixture, ui: { word: 'kiwi' } } });
  try {
    await page.page.waitForSelector('[data-rendered="true"]');
    assert.equal(await page.page.locator('.ml-line-plot text.line-title').textContent(), 'kiwi');
    assert.deepEqual((await page.posted())[0], { type: 'ready' });
  } finally {
    await page.close();
  }
});

test('a theme switch (body class and variables, as VS Code does it) redraws the charts in the new colors', async () => {
  const page = await openPanel(panel.browser, { result: fixture, theme: 'dark' });
  try {
    const fill = () => page.page.locator('[data-space="a"] svg.ml-heatmap-svg').getAttribute('fill');
    assert.equal(await fill(), themeVariables.dark['--vscode-charts-foreground']);
    // Through CSSOM, as the workbench does: a style attribute set by script would fall to the CSP.
    await page.page.evaluate(`(() => {
      for (const [k, v] of Object.entries(${JSON.stringify(themeVariables.light)})) document.documentElement.style.setProperty(k, v);
      document.body.className = 'vscode-light';
    })()`);
    await waitUntil(page.page, `document.querySelector('[data-space="a"] svg.ml-heatmap-svg').getAttribute('fill') === ${JSON.stringify(themeVariables.light['--vscode-charts-foreground'])}`);
    assert.equal(await page.page.locator('[data-space="a"] rect.cell').count(), n * n);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('screenshots: full panel in the dark and the light theme', async () => {
  // Fresh pages, so no hover or selection from the tests above shows in the pictures.
  for (const theme of ['dark', 'light'] as const) {
    const page = await openPanel(panel.browser, { result: fixture, theme, width: 1280, height: 900 });
    try {
      await page.screenshot(theme === 'dark' ? 'compare-panel' : 'compare-panel-light');
      assert.deepEqual(page.errors, []);
      // One color, one meaning: categories take their own palette, never the A/B or within/between colors.
      const v = themeVariables[theme];
      const palette = categoryPalette({ background: v['--vscode-editor-background'] });
      const taken = [v['--vscode-charts-blue'], v['--vscode-charts-orange'], v['--vscode-charts-green'], v['--vscode-charts-purple']];
      const fills = (selector: string) => page.page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute('fill')));
      assert.deepEqual(await fills('[data-space="a"] text.category-label'), fixture.categories.map((_, i) => palette[i]));
      assert.deepEqual(await fills('[data-card="rsa-by-category"] text.category-name'), fixture.rsaByCategory.map((_, i) => palette[i]));
      for (const f of [...await fills('[data-space="a"] text.category-label'), ...await fills('[data-card="rsa-by-category"] text.category-name')]) {
        assert.ok(!taken.includes(f as string), `${f} also means A/B or within/between`);
      }
    } finally {
      await page.close();
    }
  }
});

test('every chart card offers Copy as Python, and the button posts a runnable script for that card', () => assertPythonButtons(panel));

test('a result shown from the result cache says "from cache" in the header; a fresh one does not', async () => {
  assert.doesNotMatch(await panel.page.locator('.ml-header .ml-meta').innerText(), /from cache/);
  const cached = await openPanel(panel.browser, { result: { ...fixture, run: { ...fixture.run, fromCache: { storedAt: '2026-11-23T20:00:00.000Z' } } }, theme: 'dark', width: 1000, height: 700 });
  try {
    assert.match(await cached.page.locator('.ml-header .ml-meta').innerText(), /· from cache · \d+\.\d s ·/);
  } finally {
    await cached.close();
  }
});

test('each note once: the lower-case fallback only in the missing-words banner, a selectivity caveat only once', async () => {
  const caveat = 'the mean between-category similarity is negative, so the index is negative and not a ratio of magnitudes; compare within and between directly';
  const result: CompareResult = {
    ...fixture,
    warnings: [`b.w2v.bin: a word is not in the vectors as written; read "Drizzle" as "drizzle" (the lower-case fallback).`, `${fixture.a.source.label}: ${caveat}`],
    a: { ...fixture.a, lowercased: ['Drizzle'], selectivity: { ...fixture.a.selectivity, warnings: [caveat] } },
  };
  const page = await openPanel(panel.browser, { result, theme: 'dark', width: 1280, height: 900 });
  try {
    const text = await page.page.locator('body').innerText();
    assert.equal(text.split('Drizzle').length - 1, 1, 'the lower-cased word is named once');
    assert.equal(text.split('is negative, so the index').length - 1, 1, 'the caveat is said once');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('a large result with packed matrices (as the host sends 2,400 words) draws from row views: canvas heatmaps, the word list as data, exact CSV', async () => {
  const big = 600;
  const page = await openPanel(panel.browser, { theme: 'dark', width: 1280, height: 900 });
  try {
    await waitUntil(page.page, `window.__posted.some((m) => m.type === 'ready')`);
    // Built in the page: the host's packed form (packed-matrices.ts) holds Float64Arrays, which JSON cannot carry.
    await page.page.evaluate(`(() => {
      const n = ${big}, dims = 120, base = ${JSON.stringify({ ...fixture, a: undefined, b: undefined })};
      const items = Array.from({ length: n }, (_, i) => 'w' + i);
      const categories = items.map((_, i) => base.categories[Math.floor((i * base.categories.length) / n)]);
      const packed = (rows, cols, f) => { const data = new Float64Array(rows * cols); for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = f(i, j); return { packedMatrix: true, rows, cols, data }; };
      const space = (key, shift) => ({ ...${JSON.stringify(fixture.a)}, source: { ...${JSON.stringify(fixture.a.source)}, label: key, dims },
        similarity: packed(n, n, (i, j) => (i === j ? 1 : Math.round(Math.cos(i * 0.37 + j * 0.37 + shift) * 1e6) / 1e6)),
        vectors: packed(n, dims, (i, d) => Math.sin(i + d + shift)),
        map: { method: 'tsne', options: { perplexity: 30 }, coords: items.map((_, i) => [Math.cos(i), Math.sin(i)]), labels: items.map((_, i) => i % 3), clusters: [0, 1, 2].map((c) => ({ label: c, members: items.filter((_, i) => i % 3 === c), centroid: [0, 0] })) } });
      window.postMessage({ type: 'result', result: { ...base, items, itemCategories: categories, missing: [], a: space('A', 0), b: space('B', 1),
        rsaByCategory: base.rsaByCategory.map((r) => ({ ...r })), rsa: { ...base.rsa, n: n * (n - 1) / 2 } } }, '*');
    })()`);
    await page.page.waitForSelector('[data-rendered="true"]', { timeout: 240000 });
    assert.deepEqual(page.errors, []);
    for (const key of ['a', 'b']) assert.equal(await page.page.locator(`[data-space="${key}"] canvas`).count(), 1, `heatmap ${key} on canvas`);
    assert.equal(await page.page.locator('.ml-picker vscode-option').count(), 0, 'no option elements for 600 words');
    assert.deepEqual(await page.page.evaluate(`(() => { const s = document.querySelector('.ml-picker vscode-single-select'); return [s.options.length, s.value]; })()`), [big, 'w0']);
    await page.page.locator('[data-space="a"] [data-export="csv"]').click();
    await waitUntil(page.page, `window.__posted.some((m) => m.type === 'export' && m.format === 'csv')`);
    const csv = ((await page.posted()).find((m) => m.type === 'export' && m.format === 'csv') as { content: string }).content.split('\n');
    assert.equal(csv.length, big + 2);
    const row7 = csv[8].split(',');
    assert.equal(row7[0], 'w7');
    assert.equal(Number(row7[1 + 9]), Math.round(Math.cos(7 * 0.37 + 9 * 0.37) * 1e6) / 1e6, 'the CSV carries the packed value exactly');
  } finally {
    await page.close();
  }
});
