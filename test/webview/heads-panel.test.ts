// The heads panel rendered in headless Chromium from a stored HeadsResult (fixtures/make-heads-fixture.ts:
// the real runHeads on a random Gemma-2-shaped checkpoint, the repeat-random probe): the three score
// maps against the Result, the grid of small multiples with its sort and filter, picking a head (the
// selection message with its focus, the pattern with the tokens on both axes), token hover, exports,
// the probe's re-run controls, the Python card, and docs/screenshots/heads.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeadsResult } from '../../src/protocol/result';
import { pythonForCard } from '../../src/webview/python-cards';
import { usePanel, chooseOption, openPanel, plainFormControls, waitUntil } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'heads-result.regression.json'), 'utf8')) as HeadsResult;
const T = fixture.texts[0].tokens.length;

const panel = usePanel(fixture, { theme: 'dark', width: 1280, height: 1400, rerun: true, waitFor: `!!document.querySelector('.ml-heads[data-rendered]')` });

test('renders without console errors or requests outside its origin', async () => {
  assert.deepEqual((await panel.posted())[0], { type: 'ready' });
  assert.deepEqual(panel.errors, []);
  assert.deepEqual(panel.strayRequests, []);
});

test('one layers × heads map per detector, each cell the Result\'s score', async () => {
  for (const d of ['previousToken', 'duplicateToken', 'induction'] as const) {
    const cells = panel.page.locator(`[data-card="scores-${d}"] rect[data-head]`);
    assert.equal(await cells.count(), fixture.nLayer * fixture.nHead, d);
  }
  // Gemma-2's sliding window (6) on the even layers cannot reach the earlier copy 16 tokens back: no induction there.
  assert.deepEqual(fixture.scores.induction[0], [0, 0, 0, 0]);
  assert.ok(fixture.scores.induction[1].every((v) => v > 0));
  const stats = await panel.page.locator('.ml-stats').first().innerText();
  assert.match(stats, /top induction L[13]H\d 0\.0\d\d/);
});

test('the grid shows every head with its three score bars; sorting by a detector orders and filters them', async () => {
  const grid = panel.page.locator('[data-card="head-grid"]');
  assert.equal(await grid.locator('g[data-head]').count(), fixture.nLayer * fixture.nHead);
  assert.equal(await grid.locator('g[data-head] rect[data-score]').count(), 3 * fixture.nLayer * fixture.nHead);
  assert.equal(await grid.locator('g[data-head]').first().getAttribute('data-head'), 'L0H0');
  assert.deepEqual(await plainFormControls(panel.page), [], 'every control is a vscode-element');
  assert.equal(await grid.locator('vscode-textfield[data-control="min-score"]').evaluate((el) => (el as unknown as { disabled: boolean }).disabled), true, 'no filter while sorted by layer');
  await chooseOption(grid.locator('vscode-single-select[data-control="sort"]'), 'induction score');
  const order = await grid.locator('g[data-head]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-head')));
  const scores = order.map((name) => { const [, l, h] = /L(\d+)H(\d+)/.exec(name!)!; return fixture.scores.induction[Number(l)][Number(h)]; });
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  await grid.locator('vscode-textfield[data-control="min-score"] input').fill('2');
  assert.equal(await grid.locator('vscode-textfield[data-control="min-score"]').evaluate((el) => (el as unknown as { invalid: boolean }).invalid), true, '2 is out of 0 to 1');
  assert.equal(await grid.locator('g[data-head]').count(), fixture.nLayer * fixture.nHead, 'an invalid value filters nothing');
  await grid.locator('vscode-textfield[data-control="min-score"] input').fill('0.01');
  assert.equal(await grid.locator('g[data-head]').count(), 8, 'the 8 heads of the global layers');
  assert.match(await grid.innerText(), /8 of 16 heads/);
  const state = await panel.page.evaluate('window.__state') as { headsUi: { sortBy: string; minScore: number } };
  assert.equal(state.headsUi.sortBy, 'induction');
  assert.equal(state.headsUi.minScore, 0.01);
  await chooseOption(grid.locator('vscode-single-select[data-control="sort"]'), 'layer, then head');
  assert.equal(await grid.locator('g[data-head]').count(), fixture.nLayer * fixture.nHead);
});

test('clicking a head posts it as the selection with its focus, and opens its pattern with the tokens on both axes', async () => {
  await panel.page.locator('[data-card="scores-induction"] rect[data-head="L1H2"]').click();
  const posted = await panel.posted();
  assert.deepEqual(posted[posted.length - 1], { type: 'selection', items: ['L1H2'], focus: { kind: 'head', layer: 1, head: 2 } });
  const detail = panel.page.locator('[data-card="head-pattern"]');
  assert.equal(await detail.locator('[data-stat="head"]').textContent(), 'L1H2');
  assert.equal(await detail.locator('text[data-query]').count(), T);
  assert.equal(await detail.locator('text[data-key]').count(), T);
  assert.equal(await detail.locator('.ml-token-chip').count(), T);
  assert.match(await detail.locator('text[data-query="0"]').textContent() ?? '', /^<\|endoftext.* 0$/);
  assert.equal(await detail.locator(`text[data-key="${T - 1}"]`).textContent(), `${fixture.texts[0].tokens[T - 1].token} ${T - 1}`);
});

test('hovering a query token colours the tokens it attends to; hovering a key token those that attend to it', async () => {
  const detail = panel.page.locator('[data-card="head-pattern"]');
  const pattern = fixture.patterns![0][1][2];
  const q = T - 1;
  await detail.locator(`.ml-token-chip[data-token="${q}"]`).hover();
  const backgrounds = await detail.locator('.ml-token-chip').evaluateAll((cs) => cs.map((c) => (c as unknown as { style: { background: string } }).style.background));
  backgrounds.forEach((bg, k) => assert.equal(bg !== '', pattern[q][k] > 0, `chip ${k}`));
  const title = await detail.locator('.ml-token-chip[data-token="3"]').getAttribute('title');
  assert.match(title ?? '', new RegExp(`→ .*: ${pattern[q][3].toFixed(3)}`));
  await detail.locator('text[data-key="2"]').hover();
  const marked = await detail.locator('.ml-token-chip').evaluateAll((cs) => cs.map((c) => (c as unknown as { style: { background: string } }).style.background !== ''));
  marked.forEach((on, j) => { if (j > 2) assert.equal(on, pattern[j][2] > 0, `attends to key 2: ${j}`); });
});

test('exports: CSV and .npy of a map and of the pattern, SVG with the grid\'s canvas embedded', async () => {
  const before = (await panel.posted()).length;
  await panel.page.locator('[data-card="scores-induction"] [data-export="csv"]').click();
  await panel.page.locator('[data-card="head-pattern"] [data-export="npy"]').click();
  await panel.page.locator('[data-card="head-grid"] [data-export="svg"]').click();
  await waitUntil(panel.page, `window.__posted.length >= ${before + 3}`);
  const [csv, npy, svg] = (await panel.posted()).slice(before) as { name: string; content: string }[];
  assert.equal(csv.name, 'scores-induction.csv');
  assert.equal(csv.content.split('\n')[0], 'layer,head 0,head 1,head 2,head 3');
  assert.equal(csv.content.split('\n')[2], `layer 1,${fixture.scores.induction[1].join(',')}`);
  assert.equal(npy.name, 'pattern-text1-L1H2.npy');
  assert.equal(Buffer.from(npy.content, 'base64').length, 128 + T * T * 8);
  assert.equal(svg.name, 'head-grid.svg');
  assert.match(svg.content, /<image [^>]*href="data:image\/png;base64,/);
});

test('each detector map\'s title ("previous-token", "duplicate-token", "induction") stays on one line beside its buttons, at the screenshot widths, in both themes', async () => {
  // 1280: the screenshot tests; 1100: the VS Code end-to-end window's editor beside the side bar; 700: a split editor.
  for (const theme of ['dark', 'light'] as const) {
    for (const width of [1280, 1100, 700]) {
      const page = await openPanel(panel.browser, { result: fixture, theme, width, height: 900 });
      try {
        await waitUntil(page.page, `!!document.querySelector('.ml-heads[data-rendered]')`);
        const titles = await page.page.evaluate(`[...document.querySelectorAll('.ml-heads-maps .ml-card')].map((card) => {
          const title = card.querySelector('.ml-card-title');
          const actions = card.querySelector('.ml-card-actions').getBoundingClientRect();
          const box = title.getBoundingClientRect();
          const line = parseFloat(getComputedStyle(title).lineHeight) || parseFloat(getComputedStyle(title).fontSize) * 1.4;
          return { text: title.textContent, lines: Math.round(box.height / line), clipped: title.scrollWidth > title.clientWidth + 1,
            overlaps: box.right > actions.left + 1 && box.bottom > actions.top + 1 && actions.bottom > box.top + 1 };
        })`) as { text: string; lines: number; clipped: boolean; overlaps: boolean }[];
        assert.deepEqual(titles.map((t) => t.text), ['previous-token', 'duplicate-token', 'induction']);
        for (const t of titles) assert.deepEqual({ lines: t.lines, clipped: t.clipped, overlaps: t.overlaps }, { lines: 1, clipped: false, overlaps: false }, `${t.text} at ${width} px, ${theme}`);
        // Icons only where the labels do not fit: each button is still named for screen readers and its tooltip.
        const button = page.page.locator('[data-card="scores-previousToken"] [data-export="csv"]');
        assert.equal(await button.textContent(), 'CSV');
        assert.match(await button.getAttribute('title') ?? '', /as CSV/);
      } finally {
        await page.close();
      }
    }
  }
});

test('screenshots: docs/screenshots/heads.png and heads-light.png (a fresh panel, the head picked, a token hovered)', async () => {
  for (const theme of ['dark', 'light'] as const) {
    const page = await openPanel(panel.browser, { result: fixture, theme, width: 1280, height: 1400 });
    try {
      await page.post({ type: 'capabilities', rerun: true });
      await waitUntil(page.page, `!!document.querySelector('.ml-heads[data-rendered]')`);
      await page.page.locator('[data-card="scores-previousToken"] rect[data-head="L1H2"]').click();
      await page.page.locator('[data-card="head-pattern"] .ml-token-chip[data-token="20"]').hover();
      await page.screenshot(theme === 'dark' ? 'heads' : 'heads-light');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
    }
  }
});

test('the probe can run again with another N and seed; the map\'s Python card reruns the model with output_attentions', async () => {
  await panel.page.locator('[data-param="repeatTokens"] input').fill('24');
  await panel.page.locator('[data-param="seed"] input').fill('5');
  await panel.page.locator('.ml-rerun-run').click();
  await waitUntil(panel.page, 'window.__posted.some((m) => m.type === "request" && m.method === "rerun")');
  const request = (await panel.posted()).filter((m) => m.type === 'request' && m.method === 'rerun').at(-1);
  assert.ok(request?.type === 'request');
  assert.deepEqual(request.params, { job: 'heads', repeatTokens: 24, seed: 5 });
  const script = pythonForCard(fixture, 'scores-induction')!;
  assert.match(script, /output_attentions=True/);
  assert.match(script, /attn_implementation="eager"/);
  assert.match(script, /TOKENS = \[\[50256, /);
  assert.equal(pythonForCard(fixture, 'head-grid'), undefined);
});

