// The contrast panel rendered in headless Chromium from a stored ContrastResult (made by
// fixtures/make-contrast-fixture.ts with the real runContrast on a random GPT-2 checkpoint):
// DOM against the Result, hover, neuron picking, messages, and docs/screenshots/contrast-panel.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContrastResult } from '../../src/protocol/result';
import { assertPythonButtons } from './python-buttons';
import { usePanel, openPanel, waitUntil } from '../helpers/chromium';
import { recorrect } from '../../src/webview/panels/contrast-derive';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'contrast-result.regression.json'), 'utf8')) as ContrastResult;
const nNeurons = fixture.t.length;
const nSentences = fixture.sentences.length;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900 });

const texts = (selector: string) => panel.page.locator(selector).allTextContents();

test('says ready, then renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
});

test('header names the model, hook, provider, groups, test and correction', async () => {
  const chips = (await texts('.ml-sources .ml-source')).join(' | ');
  for (const part of [fixture.model.label, fixture.hook, fixture.provider, `${fixture.groups[0]} (54) vs ${fixture.groups[1]} (54)`]) assert.ok(chips.includes(part), part);
  const meta = await panel.page.locator('.ml-meta').textContent();
  assert.match(meta ?? '', /Student t-test · Bonferroni at α = 0\.05/);
  assert.match(meta ?? '', new RegExp(`${fixture.significant.length} significant`));
});

test('the activation image is one canvas pixel per value, with the group line at the split', async () => {
  const size = await panel.page.evaluate(`(() => { const c = document.querySelector('[data-card="activations"] canvas.activation-canvas'); return [c.width, c.height]; })()`);
  assert.deepEqual(size, [nNeurons, nSentences]);
  assert.equal(await panel.page.locator('[data-card="activations"] line.group-split').count(), 1);
  assert.deepEqual(await texts('[data-card="activations"] text.group-label'), fixture.groups);
  // Red for the largest activation, blue for the smallest (diverging around 0).
  let hi = [0, 0];
  let lo = [0, 0];
  fixture.activations.forEach((row, i) => row.forEach((v, j) => {
    if (v > fixture.activations[hi[0]][hi[1]]) hi = [i, j];
    if (v < fixture.activations[lo[0]][lo[1]]) lo = [i, j];
  }));
  const pixel = (i: number, j: number) => panel.page.evaluate(`Array.from(document.querySelector('[data-card="activations"] canvas.activation-canvas').getContext('2d').getImageData(${j}, ${i}, 1, 1).data)`) as Promise<number[]>;
  const [r1, , b1, a1] = await pixel(hi[0], hi[1]);
  const [r2, , b2] = await pixel(lo[0], lo[1]);
  assert.equal(a1, 255);
  assert.ok(r1 > b1 + 50, `max is red: ${r1} vs ${b1}`);
  assert.ok(b2 > r2 + 50, `min is blue: ${b2} vs ${r2}`);
});

test('t-plot: one mark per neuron, filled circles exactly for the significant ones, two threshold lines', async () => {
  const card = panel.page.locator('[data-card="t-plot"]');
  assert.equal(await card.locator('.mark').count(), nNeurons - fixture.zeroVariance.length);
  assert.equal(await card.locator('circle.mark.sig').count(), fixture.significant.length);
  const sigNeurons = await card.locator('circle.mark.sig').evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-neuron'))));
  assert.deepEqual(sigNeurons, fixture.significant);
  assert.equal(await card.locator('g.thresholds line').count(), 2);
  assert.equal(await card.locator('[data-stat="significant"]').textContent(), `${fixture.significant.length} / ${nNeurons}`);
});

test('hovering the activation image names the sentence, the neuron and the value', async () => {
  const box = await panel.page.locator('[data-card="activations"] rect.overlay').boundingBox();
  assert.ok(box);
  const i = 0;
  const j = 10;
  await panel.page.mouse.move(box.x + ((j + 0.5) * box.width) / nNeurons, box.y + ((i + 0.5) * box.height) / nSentences);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.match(tip, new RegExp(`neuron ${j} · sentence ${i + 1}`));
  assert.ok(tip.includes(fixture.sentences[0].text));
  assert.ok(tip.includes(fixture.activations[i][j].toFixed(4)));
  await panel.page.mouse.move(0, 0);
});

test('a <script> in a sentence is rendered as text, never run or parsed as markup', async () => {
  assert.ok(fixture.sentences[0].text.includes('<script>'));
  assert.equal(await panel.page.evaluate(`document.querySelectorAll('.ml-contrast script').length`), 0);
  // The per-sentence chart's tooltip shows the sentence literally, tags included.
  await panel.page.locator('[data-card="sentence-means"] g.points circle').first().hover();
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(tip.includes(fixture.sentences[0].text), tip);
  assert.equal(await panel.page.evaluate(`document.querySelectorAll('.ml-tooltip script').length`), 0);
  await panel.page.mouse.move(0, 0);
});

test('the neuron picker shows t, p and d of the chosen neuron and posts the selection', async () => {
  const strongest = fixture.significant.reduce((b, i) => (Math.abs(fixture.t[i]) > Math.abs(fixture.t[b]) ? i : b));
  const stat = (k: string) => panel.page.locator(`[data-card="neuron"] [data-stat="${k}"]`).textContent();
  assert.equal(await stat('t'), fixture.t[strongest].toFixed(3));
  const other = fixture.significant.find((i) => i !== strongest) as number;
  await panel.page.locator('[data-card="neuron"] select.ml-neuron-significant').selectOption(String(other));
  assert.equal(await stat('t'), fixture.t[other].toFixed(3));
  assert.equal(await stat('d'), fixture.cohenD[other].toFixed(3));
  assert.equal(await panel.page.locator('[data-card="neuron"] text.values-title').textContent(), `n${other} · significant`);
  const points = await panel.page.locator('[data-card="neuron"] g.points circle').count();
  assert.equal(points, nSentences);
  await panel.page.locator('[data-card="neuron"] g.points circle').last().hover();
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(tip.startsWith(`sentence ${nSentences} · ${fixture.groups[1]}`), tip);
  assert.ok(tip.includes(fixture.sentences[nSentences - 1].text));
  await panel.page.mouse.move(0, 0);
  assert.deepEqual((await panel.posted()).at(-1), { type: 'selection', items: [`n${other}`] });
  assert.equal(await panel.page.locator('[data-card="t-plot"] circle.selected-mark').count(), 1);
});

test('changing the correction or alpha re-corrects the stored p-values in place, and says what stays as run', async () => {
  const card = panel.page.locator('[data-card="t-plot"]');
  const fdr = recorrect(fixture.p, 'fdr', 0.05);
  assert.ok(fdr.significant.length > fixture.significant.length);
  await card.locator('select.ml-correction').selectOption('fdr');
  assert.equal(await card.locator('circle.mark.sig').count(), fdr.significant.length);
  assert.equal(await card.locator('[data-stat="significant"]').textContent(), `${fdr.significant.length} / ${nNeurons}`);
  assert.match((await card.locator('.ml-correction-note').textContent()) ?? '', new RegExp(`for the run's ${fixture.significant.length} neurons \\(Bonferroni`));
  assert.match((await panel.page.locator('h2.ml-section-title', { hasText: 'Two-sample' }).textContent()) ?? '', /Benjamini–Hochberg FDR, α = 0\.05/);
  await card.locator('input.ml-alpha').fill('0.001');
  await card.locator('input.ml-alpha').dispatchEvent('change');
  assert.equal(await card.locator('circle.mark.sig').count(), recorrect(fixture.p, 'fdr', 0.001).significant.length);
  assert.equal(await panel.page.locator('[data-card="neuron"] select.ml-neuron-significant option').count(), recorrect(fixture.p, 'fdr', 0.001).significant.length + 1);
  await card.locator('select.ml-correction').selectOption('bonferroni');
  await card.locator('input.ml-alpha').fill('0.05');
  await card.locator('input.ml-alpha').dispatchEvent('change');
  assert.equal(await card.locator('circle.mark.sig').count(), fixture.significant.length);
  assert.equal(await card.locator('.ml-correction-note').textContent(), '');
});

test('label-shuffle check marks the real count and prints its p', async () => {
  const card = panel.page.locator('[data-card="label-shuffle"]');
  assert.equal(await card.locator('text.observed-label').textContent(), `real labels: ${fixture.labelShuffle.observed}`);
  assert.match((await card.locator('text.shuffle-stats').textContent()) ?? '', new RegExp(`^${fixture.labelShuffle.shuffles} shuffles`));
});

test('t-SNE map of the significant neurons with the DBSCAN table, switchable to k-means', async () => {
  const card = panel.page.locator('[data-card="neuron-map"]');
  assert.equal(await card.locator('.ml-cluster-map').count(), 1);
  const rows = await card.locator('table.ml-table tbody tr').count();
  assert.equal(rows, fixture.clusters.length);
  const first = [...fixture.clusters].sort((a, b) => a.label - b.label)[0];
  const cells = await card.locator('table.ml-table tbody tr').first().locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 4), [first.label < 0 ? 'noise' : String(first.label), String(first.neurons.length), first.meanT.toFixed(2), first.meanAbsT.toFixed(2)]);
  assert.ok(fixture.kmeans);
  await card.locator('select.ml-clustering').selectOption('kmeans');
  assert.equal(await card.locator('table.ml-table').getAttribute('data-clustering'), 'k-means');
  assert.equal(await card.locator('table.ml-table tbody tr').count(), fixture.kmeans.clusters.length);
  await card.locator('select.ml-clustering').selectOption('dbscan');
});

test('cluster-sorted Gram and cosine heatmaps label the neurons in clusterOrder', async () => {
  for (const key of ['gram', 'cosine']) {
    // With more neurons than fit, the heatmap labels every k-th row: the ticks are a subsequence of clusterOrder.
    const ticks = await texts(`[data-card="${key}-matrix"] g.y-ticks text`);
    const order = fixture.clusterOrder.map((i) => `n${i}`);
    assert.ok(ticks.length > 10);
    assert.equal(ticks[0], order[0]);
    let at = 0;
    for (const tick of ticks) { at = order.indexOf(tick, at); assert.ok(at >= 0, `${tick} out of order`); at++; }
  }
  assert.equal(await panel.page.locator('[data-card="cosine-histogram"] .ml-histogram').count(), 1);
});

test('Neuroscope links are text, one per significant neuron, and clicking one asks the host to open it', async () => {
  const links = panel.page.locator('[data-card="neuroscope"] a.ml-neuroscope-link');
  assert.equal(await links.count(), fixture.significant.length);
  const first = await links.first().textContent();
  assert.match(first ?? '', /^L1\/N\d+$/);
  const neuron = Number((first ?? '').split('N')[1]);
  await links.first().click();
  assert.deepEqual((await panel.posted()).at(-1), { type: 'openLink', url: `https://neuroscope.io/gpt2-small/1/${neuron}.html` });
  assert.deepEqual(panel.strayRequests, []);
});

test('hovering the t-plot reads out t, p and d of the neuron under the pointer', async () => {
  await panel.page.locator('[data-card="t-plot"]').scrollIntoViewIfNeeded();
  const i = fixture.significant[0];
  const mark = await panel.page.locator(`[data-card="t-plot"] .mark[data-neuron="${i}"]`).boundingBox();
  assert.ok(mark);
  await panel.page.mouse.move(mark.x + mark.width / 2, mark.y + mark.height / 2);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.match(tip, new RegExp(`neuron ${i} · significant`));
  assert.ok(tip.includes(`t = ${fixture.t[i].toFixed(3)}`));
  assert.ok(tip.includes(`Cohen's d = ${fixture.cohenD[i].toFixed(3)}`));
  await panel.page.mouse.move(0, 0);
});

test('after a reload the panel comes back from webview state with the picked neuron and clustering', async () => {
  const neuron = fixture.significant[3];
  const reloaded = await openPanel(panel.browser, { state: { result: fixture, contrastUi: { neuron, clustering: 'kmeans' } }, width: 1000, height: 700 });
  try {
    await reloaded.page.waitForSelector('[data-rendered="true"]');
    assert.equal(await reloaded.page.locator('[data-card="neuron"] [data-stat="t"]').textContent(), fixture.t[neuron].toFixed(3));
    assert.equal(await reloaded.page.locator('[data-card="neuron-map"] table.ml-table').getAttribute('data-clustering'), 'k-means');
    assert.deepEqual(reloaded.errors, []);
  } finally {
    await reloaded.close();
  }
});

test('no significant neurons, no Neuroscope, Welch: the panel says so instead of drawing empty charts', async () => {
  const none: ContrastResult = {
    ...fixture, test: 'welch', df: fixture.df.map((d, i) => d - (i % 7)), significant: [], coords: [], labels: [], clusters: [], kmeans: null,
    clusterOrder: [], gram: [], cosine: [], neuroscope: null, layer: null, labelShuffle: { ...fixture.labelShuffle, observed: 0, pValue: 1 },
  };
  const empty = await openPanel(panel.browser, { result: none, width: 1000, height: 700 });
  try {
    assert.deepEqual(empty.errors, []);
    assert.equal(await empty.page.locator('[data-card="t-plot"] circle.mark.sig').count(), 0);
    assert.equal(await empty.page.locator('[data-card="t-plot"] .mark.nonsig').count(), nNeurons - fixture.zeroVariance.length);
    assert.match((await empty.page.locator('[data-card="t-plot"] text.threshold-label').textContent()) ?? '', /median Welch/);
    assert.match((await empty.page.locator('.ml-contrast').innerText()), /Fewer than two significant neurons/);
    assert.equal(await empty.page.locator('[data-card="neuron-map"]').count(), 0);
    assert.equal(await empty.page.locator('[data-card="neuroscope"], .ml-neuroscope-link').count(), 0);
    assert.equal(await empty.page.locator('[data-card="neuron"] [data-stat="t"]').textContent(), fixture.t[0].toFixed(3));
  } finally {
    await empty.close();
  }
});

test('exports: the activation image as SVG with the canvas embedded, the t-test table as CSV, the cosine matrix as .npy', async () => {
  const last = async () => (await panel.posted()).at(-1) as { type: string; format: string; name: string; content: string; encoding: string };
  await panel.page.locator('[data-card="activations"] [data-export="svg"]').click();
  await waitUntil(panel.page, `window.__posted.at(-1).name === 'activations.svg'`);
  const svg = await last();
  assert.match(svg.content, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.content, /<image[^>]*href="data:image\/png;base64,/);
  assert.ok(!svg.content.includes('class="overlay"'), 'interaction layers are left out');
  await panel.page.locator('[data-card="t-plot"] [data-export="csv"]').click();
  const csv = await last();
  const rows = csv.content.trim().split('\n');
  assert.equal(rows.length, nNeurons + 1);
  const i = fixture.significant[0];
  assert.deepEqual(rows[i + 1].split(',').slice(0, 2).map(Number), [i, fixture.t[i]]);
  assert.equal(rows[i + 1].split(',').at(-1), '1');
  await panel.page.locator('[data-card="cosine-matrix"] [data-export="npy"]').click();
  const npy = await last();
  assert.equal(npy.encoding, 'base64');
  const bytes = Buffer.from(npy.content, 'base64');
  assert.equal(bytes.subarray(1, 6).toString('latin1'), 'NUMPY');
  assert.match(bytes.toString('latin1', 10, 90), new RegExp(`'shape': \\(${fixture.significant.length}, ${fixture.significant.length}\\)`));
});

test('screenshots: full panel in the dark and the light theme', async () => {
  await panel.page.mouse.move(0, 0);
  await panel.screenshot('contrast-panel');
  assert.deepEqual(panel.errors, []);
  const light = await openPanel(panel.browser, { result: fixture, theme: 'light', width: 1280, height: 900 });
  try {
    await light.screenshot('contrast-panel-light');
    assert.deepEqual(light.errors, []);
  } finally {
    await light.close();
  }
});

test('every chart card offers Copy as Python, and the button posts a runnable script for that card', () => assertPythonButtons(panel));
