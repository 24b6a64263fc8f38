// The token-embedding panel (job 2) rendered in headless Chromium from stored TokensResults (made by
// fixtures/make-tokens-fixture.ts with the real runTokens on a random GPT-2 checkpoint): the images,
// the Gram ticks (␣ for a leading space), the map's points, labels and groups against the Result,
// hover, the group list, exports, the re-run controls, the whole-vocabulary case on canvas, and the
// screenshots docs/screenshots/tokens-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokensResult } from '../../src/protocol/result';
import { usePanel, openPanel, pixelAt, waitUntil, type WebviewPage } from '../helpers/chromium';

const load = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as TokensResult;
const fixture = load('tokens-result.regression.json');
const listFixture = load('tokens-list-result.regression.json');
const n = fixture.tokens.length;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900 });

const texts = (p: WebviewPage, selector: string) => p.page.locator(selector).allTextContents();
const sortedGroups = (r: TokensResult) => [...r.clusters].sort((a, b) => a.label - b.label);

test('says ready, then renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
  assert.equal(await panel.page.locator('h1').textContent(), fixture.title);
  const chips = (await texts(panel, '.ml-sources .ml-source')).join(' | ');
  for (const part of ['first 100 token ids', `${fixture.dims} dims`, 't-SNE']) assert.ok(chips.includes(part), `${part} in ${chips}`);
  assert.match((await panel.page.locator('.ml-meta').textContent()) ?? '', new RegExp(`${fixture.clusters.length} groups · ${fixture.ungrouped.indices.length} ungrouped`));
});

test('screenshot: the full panel in the dark theme shows every token on the map, painted in its group\'s colour', async () => {
  await panel.page.mouse.move(1, 1);
  const map = panel.page.locator('[data-card="token-map"]');
  assert.equal(await map.locator('path.mark').count(), n, 'one mark per token');
  // Pixels: a point is painted in its group's colour (the group list's swatch), and the card around it is
  // not. The point is the one farthest from its group's centroid, so no centroid mark covers it.
  await map.scrollIntoViewIfNeeded();
  const group = sortedGroups(fixture)[0];
  const centre = fixture.clusters.find((c) => c.label === group.label)!.indices.reduce((acc, k) => [acc[0] + fixture.coords[k][0], acc[1] + fixture.coords[k][1]], [0, 0]).map((v) => v / group.indices.length);
  const i = group.indices.reduce((best, k) => (Math.hypot(fixture.coords[k][0] - centre[0], fixture.coords[k][1] - centre[1]) > Math.hypot(fixture.coords[best][0] - centre[0], fixture.coords[best][1] - centre[1]) ? k : best));
  const point = await map.locator(`path.mark[data-index="${i}"]`).boundingBox();
  assert.ok(point && point.width > 0);
  const swatch = await panel.page.evaluate(`getComputedStyle(document.querySelector('[data-card="token-groups"] .ml-token-group[data-group="${group.label}"] .ml-token-swatch')).backgroundColor`) as string;
  const rgb = (swatch.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  assert.equal(rgb.length, 3, swatch);
  const painted = await pixelAt(panel.page, point.x + point.width / 2, point.y + point.height / 2);
  assert.ok(painted.every((v, c) => Math.abs(v - rgb[c]) <= 40), `point ${i} is ${painted}, its group's colour ${swatch}`);
  const box = await map.boundingBox();
  assert.ok(box);
  const background = await pixelAt(panel.page, box.x + 2, box.y + box.height - 3);
  assert.ok(background.some((v, c) => Math.abs(v - painted[c]) > 40), `the card (${background}) differs from the point (${painted})`);
  await panel.page.evaluate('window.scrollTo(0, 0)');
  await panel.screenshot('tokens-panel');
});

test('screenshot: the full panel in the light theme', async () => {
  const light = await openPanel(panel.browser, { result: fixture, theme: 'light', width: 1280, height: 900 });
  try {
    assert.deepEqual(light.errors, []);
    assert.equal(await light.page.locator('[data-card="token-map"] path.mark').count(), n, 'one mark per token');
    await light.page.mouse.move(1, 1);
    await light.screenshot('tokens-panel-light');
  } finally {
    await light.close();
  }
});

test('the embedding image is tokens × dims at one canvas pixel per value, its transpose dims × tokens', async () => {
  const size = (card: string) => panel.page.evaluate(`(() => { const c = document.querySelector('[data-card="${card}"] canvas.activation-canvas'); return [c.width, c.height]; })()`);
  assert.deepEqual(await size('embeddings'), [fixture.dims, n]);
  assert.deepEqual(await size('embeddings-transposed'), [n, fixture.dims]);
  assert.equal(await panel.page.locator('[data-card="embeddings"] line.group-split').count(), 0, 'no group line: rows are tokens, not two groups');
  const box = await panel.page.locator('[data-card="embeddings"] rect.overlay').boundingBox();
  assert.ok(box);
  const i = 3, j = 5;
  await panel.page.mouse.move(box.x + ((j + 0.5) * box.width) / fixture.dims, box.y + ((i + 0.5) * box.height) / n);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.match(tip, new RegExp(`dimension ${j} · token ${i + 1}`));
  assert.ok(tip.includes(`${fixture.tokens[i]}  (id ${fixture.tokenIds[i]})`), tip);
  assert.ok(tip.includes(fixture.embeddings![i][j].toFixed(4)), tip);
  await panel.page.mouse.move(0, 0);
});

test('the Gram matrix has one cell per token pair, decoded-token ticks, and a hover naming the pair and E·Eᵀ', async () => {
  const card = panel.page.locator('[data-card="gram"]');
  assert.equal(await card.locator('rect.cell').count(), n * n);
  const ticks = await card.locator('g.y-ticks text').allTextContents();
  // Every k-th token when they do not fit: a subsequence of the tokens, starting with the first.
  assert.ok(ticks.length >= 20);
  assert.equal(ticks[0], fixture.tokens[0]);
  let at = 0;
  for (const t of ticks) { at = fixture.tokens.indexOf(t, at); assert.ok(at >= 0, `${t} out of order`); at++; }
  await card.scrollIntoViewIfNeeded();
  const cell = await card.locator('rect.cell').nth(2 * n + 7).boundingBox();
  assert.ok(cell);
  await panel.page.mouse.move(cell.x + cell.width / 2, cell.y + cell.height / 2);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(tip.startsWith(`${fixture.tokens[2]} × ${fixture.tokens[7]}`), tip);
  assert.ok(tip.includes(`E·Eᵀ: ${fixture.gram![2][7].toFixed(3)}`), tip);
  await panel.page.mouse.move(0, 0);
});

test('the map has one mark per token, + for the ungrouped, a label per token, a centroid per group, and a hover naming the token', async () => {
  const card = panel.page.locator('[data-card="token-map"]');
  assert.match((await card.locator('.ml-card-subtitle').first().textContent()) ?? '', new RegExp(`trustworthiness \\(k = 5\\) ${fixture.map.trustworthiness!.toFixed(3)}`));
  assert.equal(await card.locator('path.mark').count(), n);
  assert.equal(await card.locator('path.mark.noise').count(), fixture.ungrouped.indices.length);
  assert.equal(await card.locator('path.centroid').count(), fixture.clusters.length);
  assert.ok(((await card.locator('path.centroid-lines').getAttribute('d')) ?? '').length > 0, 'centroid lines are drawn');
  assert.deepEqual(await card.locator('text.label').allTextContents(), fixture.tokens);
  const i = fixture.clusters[0].indices[0];
  await card.scrollIntoViewIfNeeded();
  const mark = await card.locator(`path.mark[data-index="${i}"]`).boundingBox();
  assert.ok(mark);
  await panel.page.mouse.move(mark.x + mark.width / 2, mark.y + mark.height / 2);
  const tip = await panel.page.locator('.ml-tooltip:not([hidden])').innerText();
  assert.ok(tip.startsWith(fixture.tokens[i]), tip);
  assert.ok(tip.includes(`cluster ${fixture.labels[i]}`), tip);
  await panel.page.mouse.move(0, 0);
});

test('the group list is the Result\'s: each group\'s tokens in order, then the ungrouped; clicking one marks it on the map', async () => {
  const card = panel.page.locator('[data-card="token-groups"]');
  const blocks = card.locator('.ml-token-group');
  const groups = sortedGroups(fixture);
  assert.equal(await blocks.count(), groups.length + 1);
  for (const [k, g] of groups.entries()) {
    assert.equal(await blocks.nth(k).getAttribute('data-group'), String(g.label));
    assert.deepEqual(await blocks.nth(k).locator('.ml-token').allTextContents(), g.members);
  }
  // Each group's swatch is its color on the map (the centroid diamond's fill).
  for (const k of [0, groups.length - 1]) {
    const swatch = await panel.page.evaluate(`getComputedStyle(document.querySelectorAll('[data-card="token-groups"] .ml-token-group')[${k}].querySelector('.ml-token-swatch')).backgroundColor`);
    const diamond = await panel.page.evaluate(`getComputedStyle(document.querySelector('[data-card="token-map"] path.centroid[data-cluster="${groups[k].label}"]')).fill`);
    assert.equal(swatch, diamond, `group ${groups[k].label}`);
  }
  const last = blocks.nth(groups.length);
  assert.equal(await last.getAttribute('data-group'), 'ungrouped');
  assert.deepEqual(await last.locator('.ml-token').allTextContents(), fixture.ungrouped.tokens);
  await blocks.nth(1).locator('.ml-token-group-name').click();
  assert.equal(await panel.page.locator('[data-card="token-map"] circle.selected').count(), groups[1].indices.length);
  assert.deepEqual((await panel.posted()).at(-1), { type: 'selection', items: groups[1].members });
  assert.equal(await panel.page.evaluate('window.__state.tokensUi.group'), groups[1].label, 'the marked group is kept in the webview state');
});

test('after a reload the panel comes back from webview state with the marked group on the map', async () => {
  const group = sortedGroups(fixture)[2];
  const reloaded = await openPanel(panel.browser, { state: { result: fixture, tokensUi: { group: group.label } }, width: 1000, height: 700 });
  try {
    await reloaded.page.waitForSelector('[data-rendered="true"]');
    assert.deepEqual(reloaded.errors, []);
    assert.equal(await reloaded.page.locator('[data-card="token-map"] circle.selected').count(), group.indices.length);
  } finally {
    await reloaded.close();
  }
});

test('exports: the map CSV has one row per token with its group, the Gram .npy is n × n', async () => {
  await panel.page.locator('[data-card="token-groups"] button[data-export="csv"]').click();
  const csv = (await panel.posted()).at(-1) as { type: string; name: string; content: string };
  assert.equal(csv.name, 'token-groups.csv');
  const lines = csv.content.trim().split('\n');
  assert.equal(lines[0], 'token,token_id,x,y,group,norm');
  assert.equal(lines.length, n + 1);
  const row = lines[1 + fixture.clusters[0].indices[0]].split(',');
  assert.equal(Number(row.at(-2)), fixture.clusters[0].label);
  await panel.page.locator('[data-card="gram"] button[data-export="npy"]').click();
  const npy = (await panel.posted()).at(-1) as { name: string; content: string };
  const header = Buffer.from(npy.content, 'base64').subarray(10, 80).toString('latin1');
  assert.match(header, new RegExp(`'shape': \\(${n}, ${n}\\)`));
});

test('re-run controls: disabled until the host says it can re-run; then a valid change posts a rerun request, an invalid one does not', async () => {
  const controls = panel.page.locator('[data-card="token-map"] .ml-token-controls');
  assert.equal(await controls.locator('vscode-button.ml-rerun').getAttribute('disabled'), '');
  assert.match((await controls.locator('.ml-rerun-note').textContent()) ?? '', /Map Token Embeddings/);
  await panel.post({ type: 'capabilities', rerun: true });
  await waitUntil(panel.page, `!document.querySelector('[data-card="token-map"] vscode-button.ml-rerun').disabled`);
  assert.equal(await controls.locator('[data-param="perplexity"]').getAttribute('disabled'), null, 'perplexity is editable on a t-SNE map');
  const set = (param: string, value: string) => panel.page.evaluate(`(() => { const f = document.querySelector('[data-card="token-map"] [data-param="${param}"]'); f.value = ${JSON.stringify(value)}; })()`);
  const before = (await panel.posted()).length;
  await set('perplexity', '0');
  await controls.locator('vscode-button.ml-rerun').click();
  assert.equal((await panel.posted()).length, before, 'perplexity 0 is refused in the panel');
  assert.match((await controls.locator('.ml-rerun-note').textContent()) ?? '', /perplexity must be a number from 1/);
  await set('perplexity', '12');
  await set('minSamples', '4');
  await controls.locator('vscode-button.ml-rerun').click();
  const request = (await panel.posted()).at(-1) as { type: string; method: string; params: unknown };
  assert.equal(request.type, 'request');
  assert.equal(request.method, 'rerun');
  assert.deepEqual(request.params, { job: 'tokens', method: 'tsne', perplexity: 12, eps: 7, minSamples: 4, first: 100 });
});

test('a token list: ␣ marks leading-space tokens in the ticks and labels; words that are not one token are named with their pieces', async () => {
  const list = await openPanel(panel.browser, { result: listFixture, theme: 'light', width: 1280, height: 900 });
  try {
    assert.deepEqual(list.errors, []);
    assert.deepEqual(await texts(list, '[data-card="gram"] g.y-ticks text'), listFixture.tokens);
    assert.ok(listFixture.tokens.every((t) => t.startsWith('␣')));
    assert.deepEqual(await texts(list, '[data-card="token-map"] text.label'), listFixture.tokens);
    const banner = (await list.page.locator('.ml-warnings').innerText());
    assert.ok(banner.includes('"watermelon" is not a single token: ␣water|melon'), banner);
    await list.screenshot('tokens-panel-list-light');
  } finally {
    await list.close();
  }
});

test('the whole GPT-2 vocabulary (50,257 tokens) draws on canvas, keeps the group lists short, and answers hover', async () => {
  const big = await openPanel(panel.browser, { result: fixture, theme: 'dark', width: 1280, height: 900 });
  try {
    // A PCA-sized result: rows and Gram left out (above the matrix cap), coordinates in blobs.
    const made = await big.page.evaluate(`(() => {
      const n = 50257, k = 300;
      const tokens = [], ids = [], coords = [], labels = [], norms = [];
      let s = 1;
      const rand = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
      const members = Array.from({ length: k }, () => []);
      const noise = [];
      for (let i = 0; i < n; i++) {
        const c = i % (k + 1);
        tokens.push('t' + i); ids.push(i); norms.push(1 + rand());
        if (c === k) { coords.push([rand() * 400 - 200, rand() * 400 - 200]); labels.push(-1); noise.push(i); }
        else { const a = c * 2.399; coords.push([Math.cos(a) * c * 0.6 + rand() * 2, Math.sin(a) * c * 0.6 + rand() * 2]); labels.push(c); members[c].push(i); }
      }
      const clusters = members.map((idx, c) => ({ label: c, indices: idx, members: idx.map((i) => tokens[i]), tokenIds: idx, centroid: [0, 0] }));
      return { n, k, clusters, tokens, ids, coords, labels, norms, noise };
    })()`) as { n: number; k: number; clusters: TokensResult['clusters']; tokens: string[]; ids: number[]; coords: number[][]; labels: number[]; norms: number[]; noise: number[] };
    const result: TokensResult = {
      ...fixture, title: 'First 50257 token embeddings of gpt2 (synthetic coordinates)', selection: { kind: 'first', first: made.n },
      tokens: made.tokens, tokenIds: made.ids, embeddings: null, gram: null, norms: made.norms, method: 'pca', coords: made.coords,
      labels: made.labels, clusters: made.clusters, ungrouped: { indices: made.noise, tokens: made.noise.map((i) => made.tokens[i]), tokenIds: made.noise },
      map: { method: 'pca', seed: 0, eps: 1.2, minSamples: 3, explainedVarianceRatio: [0.031, 0.022] }, warnings: [],
    };
    await big.post({ type: 'result', result });
    await waitUntil(big.page, `document.querySelector('[data-card="token-map"] canvas.ml-cluster-canvas') !== null`, 30000);
    assert.equal(await big.page.locator('[data-card="token-map"] path.mark').count(), 0, 'no SVG node per point');
    assert.equal(await big.page.locator('[data-card="embeddings"]').count(), 0);
    assert.match(await big.page.locator('.ml-tokens .ml-note').first().innerText(), /left out of the result/);
    assert.equal(await big.page.locator('.ml-token-group').count(), 60);
    assert.equal(await big.page.locator('.ml-show-all-groups').textContent(), `Show all ${made.k + 1} lists`);
    assert.ok(await big.page.locator('.ml-token').count() <= 60 * 400);
    // Hover finds the nearest point through the Delaunay index, not DOM nodes.
    await big.page.locator('[data-card="token-map"]').scrollIntoViewIfNeeded();
    const plot = await big.page.locator('[data-card="token-map"] rect.overlay').boundingBox();
    assert.ok(plot);
    for (let t = 0; t < 40 && !(await big.page.locator('.ml-tooltip:not([hidden])').count()); t++) {
      await big.page.mouse.move(plot.x + plot.width / 2 + (t % 8) * 6, plot.y + plot.height / 2 + Math.floor(t / 8) * 6);
    }
    assert.match(await big.page.locator('.ml-tooltip:not([hidden])').innerText(), /^t\d+/);
    await big.page.mouse.move(0, 0);
    assert.deepEqual(big.errors, []);
    await big.screenshot('tokens-vocabulary-canvas', '[data-card="token-map"]');
  } finally {
    await big.close();
  }
});
