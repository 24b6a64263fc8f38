// The vocabulary-matching panel (job 3) rendered in headless Chromium from a stored MatchResult (made
// by fixtures/make-match-fixture.ts with the real runMatch on a random GPT-2 checkpoint with the real
// tokenizer, at the notebook's defaults L = 6, K = 100): the table against the Result, sorting,
// linked hover and selection with the heatmaps, thinned tick labels, RSA figures, exports, the
// re-run controls and their messages, and docs/screenshots/match-panel*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MatchResult } from '../../src/protocol/result';
import { usePanel, openPanel, waitUntil } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'match-result.regression.json'), 'utf8')) as MatchResult;
const compare = fixture.compare!;
const n = compare.items.length;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 900, rerun: true, waitFor: `!document.querySelector('.ml-rerun-run').disabled` });

const texts = (selector: string) => panel.page.locator(selector).allTextContents();
const column = (key: string) => texts(`.ml-match-table tbody td[data-column="${key}"]`);

test('the panel shows the notebook\'s setting: 100 six-letter words, all compared in both heatmaps, ␣ for the leading space', async () => {
  // The fixture is that setting (regression data from the real runMatch) ...
  assert.equal(fixture.matches.length, 100);
  assert.equal(fixture.length, 6);
  assert.ok(fixture.scanned > 100, 'A has rows that are not six-letter single tokens');
  // ... and the panel renders it: every word six letters, each token shown as ␣word, both heatmaps 100 × 100.
  const words = await column('word');
  assert.equal(words.length, 100);
  assert.ok(words.every((w) => [...w].length === 6), words.join(' '));
  assert.deepEqual(await column('token'), words.map((w) => `␣${w}`));
  for (const side of ['a', 'b']) assert.equal(await panel.page.locator(`[data-space="${side}"] rect.cell`).count(), 100 * 100, `heatmap ${side}`);
  assert.match((await panel.page.locator('[data-card="matches"]').innerText()), /100 of 100/);
});

test('says ready, then renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
});

test('the table lists every match in A\'s order: word, index in A, token id in B, token', async () => {
  assert.equal(await panel.page.locator('.ml-match-table tbody tr').count(), fixture.matches.length);
  assert.deepEqual(await texts('.ml-match-table thead th'), ['#', 'word', 'index in A', 'token id in B', 'token']);
  assert.deepEqual(await column('word'), fixture.matches.map((m) => m.word));
  assert.deepEqual(await column('indexA'), fixture.matches.map((m) => String(m.indexA)));
  assert.deepEqual(await column('tokenIdB'), fixture.matches.map((m) => String(m.tokenIdB)));
  assert.deepEqual(await column('token'), fixture.matches.map((m) => m.token));
  const stat = (k: string) => panel.page.locator(`[data-card="matches"] [data-stat="${k}"]`).textContent();
  assert.equal(await stat('matched'), '100 of 100');
  assert.equal(await stat('scanned'), String(fixture.scanned));
  const chips = (await texts('.ml-sources .ml-source')).join(' | ');
  assert.match(chips, /word2vec-small\.txt/);
  assert.match(chips, /word2vec-text/);
  assert.match(chips, /50,257 tokens/);
});

test('clicking a header sorts by that column, again reverses it; the sort is kept in the webview state', async () => {
  const header = (key: string) => panel.page.locator(`.ml-match-table th[data-column="${key}"] button`);
  await header('word').click();
  const sortedWords = fixture.matches.map((m) => m.word).sort((a, b) => a.localeCompare(b));
  assert.deepEqual(await column('word'), sortedWords);
  assert.equal(await panel.page.locator('.ml-match-table th[data-column="word"]').getAttribute('aria-sort'), 'ascending');
  await header('tokenIdB').click();
  await header('tokenIdB').click();
  const ids = (await column('tokenIdB')).map(Number);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  assert.equal(await panel.page.locator('.ml-match-table th[data-column="tokenIdB"]').getAttribute('aria-sort'), 'descending');
  const state = await panel.page.evaluate('window.__state') as { matchUi: { sort: unknown } };
  assert.deepEqual(state.matchUi.sort, { column: 'tokenIdB', descending: true });
  await header('rank').click();
  assert.deepEqual(await column('word'), fixture.matches.map((m) => m.word));
});

test('both heatmaps have n² cells and thin their tick labels to every k-th word', async () => {
  for (const space of ['a', 'b']) {
    assert.equal(await panel.page.locator(`[data-space="${space}"] rect.cell`).count(), n * n, space);
    const ticks = await texts(`[data-space="${space}"] g.y-ticks text`);
    assert.ok(ticks.length < n && ticks.length > 10, `${ticks.length} of ${n} labels shown`);
    const step = Math.round(n / ticks.length);
    assert.deepEqual(ticks.slice(0, 3), [compare.items[0], compare.items[step], compare.items[2 * step]]);
    assert.match(await panel.page.locator(`[data-space="${space}"] text.tick-note`).textContent() ?? '', new RegExp(`every ${step}\\w\\w label shown`));
  }
});

test('RSA card shows the Result\'s r, ρ, S_c, p and pair count; the scatter has one point per pair and zero lines', async () => {
  const stat = (k: string) => panel.page.locator(`[data-card="rsa"] [data-stat="${k}"]`).textContent();
  const rsa = fixture.rsa!;
  assert.equal(await stat('pearson'), rsa.pearson.toFixed(3));
  assert.equal(await stat('spearman'), rsa.spearman.toFixed(3));
  assert.equal(await stat('cosine'), rsa.cosine.toFixed(3));
  assert.equal(await stat('n'), String((n * (n - 1)) / 2));
  assert.equal(rsa.pearson, compare.rsa.pearson);
  // Above 5,000 pairs the scatter draws on canvas; the zero lines stay SVG either way.
  assert.equal(await panel.page.locator('[data-card="rsa"] g.zero-lines line').count(), 2);
});

test('hovering a table row marks the word\'s diagonal cell in both heatmaps; hovering a cell lights up the row', async () => {
  const word = fixture.matches[7].word;
  await panel.page.locator(`.ml-match-table tr[data-index="7"]`).hover();
  for (const space of ['a', 'b']) assert.equal(await panel.page.locator(`[data-space="${space}"] rect.hover-cell`).count(), 1, space);
  const k = compare.items.indexOf(word);
  await panel.page.locator('[data-space="a"] rect.overlay').scrollIntoViewIfNeeded();
  const box = await panel.page.locator('[data-space="a"] rect.overlay').boundingBox();
  assert.ok(box);
  const cell = box.width / n;
  await panel.page.mouse.move(box.x + (k + 0.5) * cell, box.y + (3 + 0.5) * cell);
  const tip = panel.page.locator('.ml-tooltip:not([hidden])');
  await tip.waitFor();
  const tipText = await tip.innerText();
  assert.match(tipText, new RegExp(`^${compare.items[3]} × ${word}`));
  assert.doesNotMatch(tipText, /within|\(none\)/, 'matched words have no categories, so the tooltip names none');
  assert.equal(await panel.page.locator('.ml-match-table tr.ml-row-hover').getAttribute('data-index'), String(fixture.matches.findIndex((m) => m.word === compare.items[3])));
  await panel.page.mouse.move(1, 1);
});

test('clicking a row selects the word in the heatmaps and tells the host; clicking a heatmap row selects the table row', async () => {
  const word = fixture.matches[12].word;
  await panel.page.locator('.ml-match-table tr[data-index="12"]').click();
  assert.equal(await panel.page.locator('.ml-match-table tr.ml-row-selected').getAttribute('data-index'), '12');
  assert.equal(await panel.page.locator('[data-space="b"] rect.selected-row').count(), 1);
  assert.deepEqual((await panel.posted()).at(-1), { type: 'selection', items: [word] });
  const k = 40;
  await panel.page.locator('[data-space="b"] rect.overlay').scrollIntoViewIfNeeded();
  const box = await panel.page.locator('[data-space="b"] rect.overlay').boundingBox();
  assert.ok(box);
  await panel.page.mouse.click(box.x + 2, box.y + (k + 0.5) * (box.height / n));
  const row = fixture.matches.findIndex((m) => m.word === compare.items[k]);
  assert.equal(await panel.page.locator('.ml-match-table tr.ml-row-selected').getAttribute('data-index'), String(row));
  assert.deepEqual((await panel.posted()).at(-1), { type: 'selection', items: [compare.items[k]] });
});

test('table CSV for pandas, heatmap .npy and SVG, RSA PNG; Save run posts save', async () => {
  await panel.page.locator('[data-card="matches"] button[data-export="csv"]').click();
  await panel.page.locator('[data-space="a"] button[data-export="npy"]').click();
  await panel.page.locator('[data-space="b"] button[data-export="svg"]').click();
  await panel.page.locator('[data-card="rsa"] button[data-export="png"]').click();
  await panel.page.locator('.ml-save').click();
  await waitUntil(panel.page, 'window.__posted.filter((m) => m.type === "export").length >= 4');
  const exports = (await panel.posted()).filter((m) => m.type === 'export');
  const csv = exports.find((m) => m.name === 'matches.csv');
  assert.ok(csv?.type === 'export');
  const lines = csv.content.trimEnd().split('\n');
  assert.equal(lines[0], 'word,index_a,token_id_b,token,token_text,form');
  assert.equal(lines.length, fixture.matches.length + 1);
  const m = fixture.matches[0];
  assert.equal(lines[1], `${m.word},${m.indexA},${m.tokenIdB},${m.token}, ${m.word},with`);
  const npy = exports.find((e) => e.name === 'similarity-a.npy');
  assert.ok(npy?.type === 'export' && npy.encoding === 'base64');
  const bytes = Buffer.from(npy.content, 'base64');
  const headerLength = bytes.readUInt16LE(8);
  assert.match(bytes.subarray(10, 10 + headerLength).toString('latin1'), new RegExp(`'shape': \\(${n}, ${n}\\)`));
  const svg = exports.find((e) => e.name === 'similarity-b.svg');
  assert.ok(svg?.type === 'export');
  assert.equal((svg.content.match(/class="cell"/g) ?? []).length, n * n);
  const png = exports.find((e) => e.name === 'rsa-scatter.png');
  assert.ok(png?.type === 'export');
  assert.deepEqual([...Buffer.from(png.content, 'base64').subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok((await panel.posted()).some((e) => e.type === 'save'));
});

test('Run again sends L, K and leading space as a typed rerun request; the panel stays while it runs; a refusal says why', async () => {
  const value = (param: string) => panel.page.locator(`[data-param="${param}"]`).evaluate((e) => (e as unknown as { value: string }).value);
  assert.deepEqual([await value('length'), await value('count'), await value('leadingSpace')], ['6', '100', 'with']);
  await panel.page.locator('[data-param="length"] input').fill('5');
  await panel.page.locator('[data-param="count"] input').fill('40');
  await panel.page.locator('[data-param="leadingSpace"]').evaluate((e) => {
    (e as unknown as { value: string }).value = 'either';
    e.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await panel.page.locator('.ml-rerun-run').click();
  await waitUntil(panel.page, 'window.__posted.some((m) => m.type === "request" && m.method === "rerun")');
  const request = (await panel.posted()).filter((m) => m.type === 'request' && m.method === 'rerun').at(-1);
  assert.ok(request?.type === 'request');
  assert.deepEqual(request.params, { job: 'match', length: 5, count: 40, leadingSpace: 'either' });
  // The host's progress goes to the status strip; the table and heatmaps stay.
  await panel.post({ type: 'progress', message: 'Walking the vocabulary of word2vec-small.txt', fraction: 0.1 });
  await waitUntil(panel.page, `document.querySelector('.ml-rerun-status:not([hidden])') !== null`);
  assert.equal(await panel.page.locator('.ml-match-table tbody tr').count(), fixture.matches.length);
  await panel.post({ type: 'reply', id: request.id, ok: false, error: 'word2vec-small.txt: vector file not found. Check the path after vectors:.' });
  await waitUntil(panel.page, `document.querySelector('.ml-rerun-status').dataset.state === 'failed'`);
  assert.match(await panel.page.locator('.ml-rerun-status-message').textContent() ?? '', /vector file not found/);
  // A value out of range never leaves the page: Run again is disabled and the field is marked.
  await panel.page.locator('[data-param="length"] input').fill('0');
  await waitUntil(panel.page, `document.querySelector('.ml-rerun-run').disabled`);
  assert.match(await panel.page.locator('.ml-rerun-note').textContent() ?? '', /Word length L must be a whole number from 1 to 64/);
  await panel.page.locator('.ml-rerun-reset').click();
  assert.equal(await value('length'), '6');
  assert.deepEqual(panel.errors, []);
});

test('opened without a re-run (a saved file), the controls are disabled and say why', async () => {
  const page = await openPanel(panel.browser, { result: fixture, theme: 'dark' });
  try {
    await page.page.waitForSelector('.ml-match[data-rendered="true"]');
    assert.equal(await page.page.locator('.ml-rerun-run').evaluate((e) => (e as unknown as { disabled: boolean }).disabled), true);
    assert.match(await page.page.locator('.ml-rerun-note').textContent() ?? '', /command again/);
  } finally {
    await page.close();
  }
});

test('fewer than 3 matches: the table and a note, no heatmaps', async () => {
  const few: MatchResult = { ...fixture, matches: fixture.matches.slice(0, 2), compare: null, rsa: null, warnings: ['Only 2 of the 100 words asked for.'] };
  const page = await openPanel(panel.browser, { result: few, theme: 'dark' });
  try {
    await page.page.waitForSelector('.ml-match[data-rendered="true"]');
    assert.equal(await page.page.locator('.ml-match-table tbody tr').count(), 2);
    assert.equal(await page.page.locator('[data-space]').count(), 0);
    assert.match(await page.page.locator('.ml-no-compare').textContent() ?? '', /only 2 matched/);
    assert.match(await page.page.locator('.ml-warnings').textContent() ?? '', /Only 2 of the 100/);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('screenshots: the panel in the dark and the light theme', async () => {
  for (const theme of ['dark', 'light'] as const) {
    const page = await openPanel(panel.browser, { result: fixture, theme, width: 1280, height: 1500 });
    try {
      await page.post({ type: 'capabilities', rerun: true });
      await waitUntil(page.page, `!document.querySelector('.ml-rerun-run').disabled`);
      await page.screenshot(theme === 'dark' ? 'match-panel' : 'match-panel-light');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
    }
  }
});
