// The side views in headless Chromium. Inspector: each kind of selection (a word pair, a neuron, a
// cluster, a token's neighbours, a sweep layer) drawn from the stored Results through the same
// derivation the host uses, with its actions. Pinned Charts: a card pinned in a real panel, sent
// through the host's PinBoard to the side page, drawn there by the same chart function.
// Screenshots: docs/screenshots/inspector-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { inspectorScreenshots, launchBrowser, openChart, openInspector, openPanel, waitUntil, type WebviewPage } from '../helpers/chromium';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inspectSelection } from '../../src/extension/job-table';
import { inspectorRequests } from '../../src/protocol/side-view';
import { pairAcrossLayers } from '../../src/core/analyses/pair-layers';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { PinBoard } from '../../src/extension/views/pin-board';
import type { AttentionResult, CompareResult, ContrastResult } from '../../src/protocol/result';
import type { InspectorData, PinnedChart } from '../../src/protocol/side-view';
import type { ToWebview } from '../../src/protocol/messages';

const fixture = <T>(name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
const compare = fixture<CompareResult>('compare-result.json');
const contrast = fixture<ContrastResult>('contrast-result.regression.json');
const attention = fixture<AttentionResult>('attention-result.regression.json');

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Checks the Inspector's page for `data`, then saves its picture in both themes (docs/screenshots/<shot>.png, <shot>-light.png). */
async function inspect(data: InspectorData, shot: string, check: (page: WebviewPage) => Promise<void>): Promise<void> {
  const page = await openInspector(browser, data);
  try {
    await check(page);
    assert.deepEqual(page.errors, []);
    await inspectorScreenshots(browser, data, page, shot);
  } finally {
    await page.close();
  }
}

test('a word pair: one bar per space at its similarity', async () => {
  const data = inspectSelection(compare, ['moon', 'star']);
  assert.equal(data.kind, 'pair');
  await inspect(data, 'inspector-pair', async ({ page }) => {
    assert.equal(await page.locator('.ml-inspector-title').textContent(), 'moon × star');
    assert.equal(await page.locator('.value-row rect.bar').count(), 2);
    const i = compare.items.indexOf('moon');
    const j = compare.items.indexOf('star');
    assert.deepEqual(await page.locator('.value-row text.bar-value').allTextContents(), [compare.a.similarity[i][j].toFixed(3), compare.b.similarity[i][j].toFixed(3)]);
  });
});

test('a pair when a model is involved: a button runs it, and its similarity at every layer is drawn as a sweep', async () => {
  const [w1, w2] = attention.items;
  const data = inspectSelection(attention, [w1, w2]);
  assert.equal(data.kind, 'pair');
  if (data.kind !== 'pair') return;
  assert.deepEqual(data.layerSource, { model: attention.inputs.model, template: attention.template });
  await inspect(data, 'inspector-pair-model', async ({ page, posted }) => {
    assert.equal(await page.locator('.value-row rect.bar').count(), 3, 'Q, K and V at the panel\'s layer');
    await page.locator('[data-action="layers"]').click();
    assert.ok((await posted()).some((m) => (m as { type: string }).type === 'request' && (m as { method: string }).method === inspectorRequests.pairLayers.method));
  });
  // What the host sends back: the pair run through a (random, 4-layer) GPT-2 at every layer.
  const dir = join(mkdtempSync(join(tmpdir(), 'mechlens-inspector-')), 'gpt2-tiny');
  writeRandomGpt2Checkpoint(dir, { nLayer: 4, nEmbd: 32, nHead: 4, seed: 3 });
  const layers = await pairAcrossLayers({ model: dir, words: [w1, w2], template: attention.template });
  await inspect({ ...data, layers: { layers: layers.layers, series: layers.series } }, 'inspector-pair-layers', async ({ page }) => {
    assert.equal(await page.locator('.ml-layer-sweep .sweep-series').count(), 4);
    assert.equal(await page.locator('.ml-layer-sweep .sweep-series[data-series="resid"] circle.sweep-point').count(), 4);
    assert.equal(await page.locator('[data-action="layers"]').count(), 0);
  });
});

test('a neuron: activations by sentence split by group, with t, d and both groups summarized; Copy posts the numbers', async () => {
  const neuron = contrast.significant[0];
  const data = inspectSelection(contrast, [], { kind: 'neuron', neuron });
  assert.equal(data.kind, 'neuron');
  if (data.kind !== 'neuron') return;
  // The derivation ran the same test as the job (the stored fixture rounds its numbers).
  assert.ok(Math.abs(data.t - contrast.t[neuron]) < 1e-4 * Math.max(1, Math.abs(contrast.t[neuron])), `t ${data.t} vs ${contrast.t[neuron]}`); // the fixture stores t to 5 decimals
  await inspect(data, 'inspector-neuron', async ({ page, posted }) => {
    assert.equal(await page.locator('.ml-sentence-values .points circle').count(), contrast.sentences.length);
    const stats = await page.locator('.ml-stat-value').allTextContents();
    assert.equal(stats[0], data.t.toFixed(3));
    assert.equal(stats[1], data.cohenD.toFixed(3));
    await page.locator('[data-action="copy"]').click();
    const copy = (await posted()).find((m) => (m as { type: string }).type === 'copy') as unknown as { text: string } | undefined;
    const lines = copy?.text.split('\n') ?? [];
    assert.equal(lines.length, contrast.sentences.length + 1);
    assert.equal(lines[1], `${contrast.sentences[0].text}\t${contrast.groups[0]}\t${contrast.activations[0][neuron]}`);
  });
});

test('a cluster: its members and its centroid profile; Export posts an SVG', async () => {
  const cluster = compare.a.map!.clusters[0];
  const data = inspectSelection(compare, [], { kind: 'cluster', map: 'a', label: cluster.label });
  await inspect(data, 'inspector-cluster', async ({ page, posted }) => {
    assert.deepEqual(await page.locator('.ml-inspector-members code').allTextContents(), cluster.members);
    assert.equal(await page.locator('.ml-line-plot path.vector-line').count(), 1);
    await page.locator('[data-action="svg"]').click();
    const exp = (await posted()).find((m) => m.type === 'export') as { name: string; content: string } | undefined;
    assert.equal(exp?.name, `cluster-a-${cluster.label}.svg`);
    assert.match(exp?.content ?? '', /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
  // A contrast cluster's profile is over sentences.
  const neurons = inspectSelection(contrast, [], { kind: 'cluster', map: 'dbscan', label: contrast.clusters.find((c) => c.label >= 0)!.label });
  await inspect(neurons, 'inspector-cluster-neurons', async ({ page }) => {
    assert.equal(await page.locator('.ml-sentence-values .points circle').count(), contrast.sentences.length);
  });
});

test('a token: its nearest neighbours in each space, most similar first; Open asks the host for the panel', async () => {
  const data = inspectSelection(compare, ['moon']);
  assert.equal(data.kind, 'token');
  if (data.kind !== 'token') return;
  await inspect(data, 'inspector-token', async ({ page, posted }) => {
    assert.equal(await page.locator('.ml-value-bars').count(), 2);
    const labels = await page.locator('.ml-value-bars').first().locator('text.row-label').allTextContents();
    // Long words are clipped on the axis (the tooltip has them whole); markup stays text.
    assert.deepEqual(labels, data.spaces[0].neighbours.map((n) => (n.word.length > 18 ? `${n.word.slice(0, 17)}…` : n.word)));
    assert.equal(await page.locator('#chart script').count(), 0);
    await page.locator('[data-action="open"]').click();
    assert.deepEqual((await posted()).filter((m) => (m as { type: string }).type === 'open'), [{ type: 'open' }]);
  });
});

test('a layer of an attention sweep: its statistics and the sweep with that layer marked', async () => {
  const layer = attention.sweep![1].layer;
  const data = inspectSelection(attention, [], { kind: 'layer', layer });
  await inspect(data, 'inspector-layer', async ({ page }) => {
    assert.equal(await page.locator('.ml-value-bars .value-row').count(), 6);
    assert.equal(await page.locator('.ml-layer-sweep text.current-layer-label').textContent(), `layer ${layer}`);
  });
});

test('nothing selected: one line that says what to click', async () => {
  await inspect(inspectSelection(undefined, []), 'inspector-empty', async ({ page }) => {
    assert.match(await page.locator('.ml-note').textContent() ?? '', /^Click a word, neuron, cluster, token or layer/);
  });
});

test('a pinned RSA scatter fits a narrow side bar: nothing drawn past the card', async () => {
  const panel = await openPanel(browser, { result: compare, width: 1200 });
  let pins: PinnedChart[] = [];
  const board = new PinBoard((p) => { pins = p; });
  const source = { id: 1, title: compare.title, post: () => undefined, reveal: () => undefined };
  try {
    await panel.page.locator('[data-pin="rsa-scatter"]').click();
    const pin = (await panel.posted()).find((m) => m.type === 'pin');
    assert.ok(pin && pin.type === 'pin');
    board.pin(source, pin);
  } finally {
    await panel.close();
  }
  const side = await openChart(browser, { modulePath: 'test/webview/fixtures/side-entry.ts', exportName: 'boot', data: null, width: 260, height: 560 });
  try {
    await side.post({ type: 'pins', pins } as unknown as ToWebview);
    await side.page.waitForSelector('.ml-pinned .ml-scatter svg');
    const fit = await side.page.evaluate(`(() => {
      const body = document.querySelector('.ml-pinned .ml-card-body').getBoundingClientRect();
      const svg = document.querySelector('.ml-pinned .ml-scatter svg').getBoundingClientRect();
      return { body: body.right, svg: svg.right, page: document.documentElement.scrollWidth, view: window.innerWidth };
    })()`) as { body: number; svg: number; page: number; view: number };
    assert.ok(fit.svg <= fit.body + 0.5, `the chart ends at ${fit.svg}, the card at ${fit.body}`);
    assert.ok(fit.page <= fit.view, `the page scrolls sideways: ${fit.page} > ${fit.view}`);
    assert.deepEqual(side.errors, []);
  } finally {
    await side.close();
  }
});

test('pin a panel card: the panel posts its chart, the host board keeps it, the side view draws the same chart; unpin empties it', async () => {
  const panel = await openPanel(browser, { result: compare, width: 1200 });
  let pins: PinnedChart[] = [];
  const toPanel: ToWebview[] = [];
  const board = new PinBoard((p) => { pins = p; });
  const source = { id: 1, title: compare.title, post: (m: ToWebview) => { toPanel.push(m); }, reveal: () => undefined };
  try {
    await panel.page.locator('[data-pin="similarity-histogram"]').click();
    const pin = (await panel.posted()).find((m) => m.type === 'pin');
    assert.ok(pin && pin.type === 'pin');
    assert.equal(pin.chart, 'histogram');
    board.pin(source, pin);
    // The host's echo marks the button as pinned.
    await panel.post(toPanel.at(-1)!);
    await waitUntil(panel.page, `document.querySelector('[data-pin="similarity-histogram"]').getAttribute('aria-pressed') === 'true'`);
    assert.equal(pins.length, 1);
  } finally {
    await panel.close();
  }
  const side = await openChart(browser, { modulePath: 'test/webview/fixtures/side-entry.ts', exportName: 'boot', data: null, width: 380, height: 560 });
  try {
    await side.post({ type: 'pins', pins } as unknown as ToWebview);
    await side.page.waitForSelector('.ml-pinned .ml-histogram svg');
    // The same bins as in the panel: every off-diagonal pair of both spaces counted once.
    const n = compare.items.length;
    const counted = await side.page.evaluate(`[...document.querySelectorAll('.ml-pinned g.histogram-series')].map((g) =>
      [...g.querySelectorAll('rect.bin')].reduce((t, r) => t + (r.__data__ ? r.__data__.length : 0), 0))`);
    assert.deepEqual(counted, [n * (n - 1) / 2, n * (n - 1) / 2]);
    assert.deepEqual(side.errors, []);
    await side.screenshot('inspector-pinned', '.ml-side');
    await pinnedLightScreenshot(pins);
    await side.page.locator('[data-action="unpin"]').click();
    const unpin = (await side.posted()).find((m) => (m as { type: string }).type === 'unpin') as unknown as { id: string };
    board.unpin(unpin.id);
    assert.deepEqual(pins, []);
    assert.deepEqual(toPanel.at(-1), { type: 'pinned', cards: [] });
    await side.post({ type: 'pins', pins } as unknown as ToWebview);
    await waitUntil(side.page, `document.querySelector('.ml-side .ml-note') !== null`);
  } finally {
    await side.close();
  }
});

test('panels tell the host what was picked (a cluster, a sweep layer) and show what the Inspector opens', async () => {
  const cmp = await openPanel(browser, { result: compare, width: 1200 });
  try {
    const label = compare.a.map!.clusters[0].label;
    await cmp.page.locator(`[data-card="clusters-a"] .ml-cluster-members[data-cluster="${label}"] .ml-cluster-name`).click();
    const sel = (await cmp.posted()).filter((m) => m.type === 'selection').at(-1);
    assert.deepEqual(sel, { type: 'selection', items: compare.a.map!.clusters[0].members, focus: { kind: 'cluster', map: 'a', label } });
    // "Open in panel" for a word picks it in the panel.
    await cmp.post({ type: 'focus', items: ['star'] });
    await waitUntil(cmp.page, `document.querySelector('.ml-line-plot text.line-title')?.textContent === 'star'`);
  } finally {
    await cmp.close();
  }
  const att = await openPanel(browser, { result: attention, width: 1200 });
  try {
    const layer = attention.sweep![2].layer;
    await att.page.locator(`[data-card="sweep-selectivity"] circle.sweep-point[data-layer="${layer}"]`).first().click({ force: true });
    const sel = (await att.posted()).filter((m) => m.type === 'selection').at(-1);
    assert.deepEqual(sel, { type: 'selection', items: [], focus: { kind: 'layer', layer } });
  } finally {
    await att.close();
  }
  const con = await openPanel(browser, { result: contrast, width: 1200 });
  try {
    await con.post({ type: 'focus', items: ['n7'], focus: { kind: 'neuron', neuron: 7 } });
    await waitUntil(con.page, `document.querySelector('.ml-neuron-number').value === '7'`);
    const sel = (await con.posted()).filter((m) => m.type === 'selection').at(-1);
    assert.deepEqual(sel, { type: 'selection', items: ['n7'] });
  } finally {
    await con.close();
  }
});

/** The Pinned Charts view holding `pins`, in the light theme: docs/screenshots/inspector-pinned-light.png. */
async function pinnedLightScreenshot(pins: readonly PinnedChart[]): Promise<void> {
  const side = await openChart(browser, { modulePath: 'test/webview/fixtures/side-entry.ts', exportName: 'boot', data: null, width: 380, height: 560, theme: 'light' });
  try {
    await side.post({ type: 'pins', pins } as unknown as ToWebview);
    await side.page.waitForSelector('.ml-pinned .ml-histogram svg');
    assert.deepEqual(side.errors, []);
    await side.screenshot('inspector-pinned-light', '.ml-side');
  } finally {
    await side.close();
  }
}
