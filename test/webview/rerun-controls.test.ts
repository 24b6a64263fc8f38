// The Run settings bars of the compare, attention and contrast panels in headless Chromium: they
// start at the result's values, stay disabled until the host says the panel can re-run, send a typed
// `rerun` request when a value changed, keep the panel on screen with progress and Cancel while the
// host runs, and re-render with the new result. Screenshots under docs/screenshots.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { AttentionResult, CompareResult, ContrastResult, Result } from '../../src/protocol/result';
import type { FromWebview } from '../../src/protocol/messages';
import { launchBrowser, openPanel, waitUntil, type WebviewPage } from '../helpers/chromium';
import { reclusterCompare, reclusterContrast } from '../../src/core/analyses/recluster-map';

/** A stored result: numpy's (`compare-result.json`) or MechLens's own (`*-result.regression.json`). */
const fixtureFile = (name: string) => [`${name}-result.regression.json`, `${name}-result.json`].map((f) => join(__dirname, 'fixtures', f)).find((f) => existsSync(f)) ?? `${name}-result.json`;
const fixture = <R>(name: string) => JSON.parse(readFileSync(fixtureFile(name), 'utf8')) as R;
const compare = fixture<CompareResult>('compare');
const attention = fixture<AttentionResult>('attention');
const contrast = fixture<ContrastResult>('contrast');

let browser: Browser;
const pages: WebviewPage[] = [];

before(async () => { browser = await launchBrowser(); });
after(async () => {
  for (const p of pages) await p.close();
  await browser?.close();
});

async function open(result: Result, canRerun = true, theme: 'dark' | 'light' = 'dark'): Promise<WebviewPage> {
  const panel = await openPanel(browser, { result, theme, width: 1280, height: 900 });
  pages.push(panel);
  if (canRerun) {
    await panel.post({ type: 'capabilities', rerun: true });
    await waitUntil(panel.page, `!document.querySelector('.ml-rerun-run').disabled`);
  }
  return panel;
}

/** Types into a vscode-textfield as a user does (its inner input, in its shadow root). */
async function type(panel: WebviewPage, param: string, text: string): Promise<void> {
  await panel.page.locator(`[data-param="${param}"] input`).fill(text);
}

async function choose(panel: WebviewPage, param: string, value: string): Promise<void> {
  await panel.page.locator(`[data-param="${param}"]`).evaluate((el, v) => {
    (el as unknown as { value: string }).value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

async function rerunRequests(panel: WebviewPage) {
  return (await panel.posted()).filter((m): m is Extract<FromWebview, { type: 'request' }> => m.type === 'request' && m.method === 'rerun');
}

const isDisabled = (panel: WebviewPage, selector: string) => panel.page.locator(selector).evaluate((el) => (el as unknown as { disabled: boolean }).disabled);

test('compare: a changed permutation count and perplexity go out as a typed rerun request; the new result re-renders in place', async () => {
  const panel = await open(compare);
  assert.equal(await panel.page.locator('[data-param="permutations"]').evaluate((el) => (el as unknown as { value: string }).value), String(compare.rsa.permutations));
  assert.equal(await isDisabled(panel, '.ml-rerun-reset'), true, 'nothing changed yet');
  await type(panel, 'permutations', '250');
  await type(panel, 'perplexity', '4');
  await type(panel, 'minSamples', '2');
  assert.equal(await isDisabled(panel, '.ml-rerun-reset'), false);
  await panel.page.locator('.ml-rerun-run').click();
  const [request] = await rerunRequests(panel);
  assert.deepEqual(request.params, { job: 'compare', permutations: 250, perplexity: 4, eps: null, minSamples: 2, k: null });

  // The host reports progress: the panel stays, the strip shows it with Cancel, the controls wait.
  await panel.post({ type: 'progress', message: 't-SNE iteration 300', fraction: 0.4 });
  await waitUntil(panel.page, `document.querySelector('.ml-rerun-status:not([hidden])') !== null`);
  assert.match(await panel.page.locator('.ml-rerun-status-message').textContent() ?? '', /Running again: t-SNE iteration 300 \(40%\)/);
  assert.equal(await panel.page.locator('[data-space="a"] rect.cell').count() > 0, true, 'the previous result is still shown');
  assert.equal(await isDisabled(panel, '.ml-rerun-run'), true);
  await panel.screenshot('rerun-progress', 'body');

  const next: CompareResult = { ...compare, rsa: { ...compare.rsa, permutations: 250, pValue: 0.004 } };
  await panel.post({ type: 'result', result: next });
  await panel.post({ type: 'reply', id: request.id, ok: true, value: { status: 'done' } });
  await waitUntil(panel.page, `document.querySelector('[data-param="permutations"]').value === '250' && document.querySelector('.ml-rerun-status').hidden`);
  assert.match(await panel.page.locator('.ml-meta').first().textContent() ?? '', /250 permutations/);
  assert.equal(await isDisabled(panel, '.ml-rerun-run'), false);
  assert.deepEqual(panel.errors, []);
  await panel.screenshot('rerun-controls-compare', '[data-card="rerun"]');
});

test('compare: Cancel sends cancelRerun; a cancelled or failed re-run keeps the result and says why', async () => {
  const panel = await open(compare);
  await type(panel, 'permutations', '10');
  await panel.page.locator('.ml-rerun-run').click();
  const [first] = await rerunRequests(panel);
  await panel.post({ type: 'progress', message: 'Looking up 30 words in A', fraction: 0.05 });
  await panel.page.locator('.ml-rerun-cancel').click();
  const cancel = (await panel.posted()).find((m) => m.type === 'request' && m.method === 'cancelRerun');
  assert.ok(cancel, 'cancelRerun posted');
  await panel.post({ type: 'reply', id: first.id, ok: true, value: { status: 'cancelled' } });
  await waitUntil(panel.page, `document.querySelector('.ml-rerun-status').dataset.state === 'cancelled'`);
  assert.match(await panel.page.locator('.ml-rerun-status-message').textContent() ?? '', /still shows the previous run/);

  await panel.page.locator('.ml-rerun-run').click();
  const [, second] = await rerunRequests(panel);
  await panel.post({ type: 'reply', id: second.id, ok: false, error: 'MechLens: vectors file /x.txt is missing. Choose another source.' });
  await waitUntil(panel.page, `document.querySelector('.ml-rerun-status').dataset.state === 'failed'`);
  assert.match(await panel.page.locator('.ml-rerun-status-message').textContent() ?? '', /Running again failed: MechLens: vectors file \/x\.txt is missing/);
  await panel.page.locator('.ml-rerun-log').click();
  assert.ok((await panel.posted()).some((m) => m.type === 'openLog'));
  assert.equal(await panel.page.locator('[data-space="a"] rect.cell').count() > 0, true);
});

test('a value out of range is marked and Run again is disabled; without the host capability nothing can run', async () => {
  const panel = await open(compare);
  await type(panel, 'minSamples', '0');
  assert.equal(await isDisabled(panel, '.ml-rerun-run'), true);
  assert.match(await panel.page.locator('.ml-rerun-note').textContent() ?? '', /min_samples must be a whole number from 1 to 1000/);
  assert.equal(await panel.page.locator('[data-param="minSamples"]').evaluate((el) => (el as unknown as { invalid: boolean }).invalid), true);
  await panel.page.locator('.ml-rerun-reset').click();
  assert.equal(await isDisabled(panel, '.ml-rerun-run'), false);

  const saved = await open(compare, false);
  assert.equal(await isDisabled(saved, '.ml-rerun-run'), true);
  assert.equal(await isDisabled(saved, '[data-param="permutations"]'), true);
  assert.match(await saved.page.locator('.ml-rerun-note').textContent() ?? '', /To change them, run its command again in VS Code/);
});

test('attention: layer, template and permutations go out as the attention request', async () => {
  const panel = await open(attention);
  assert.equal(await panel.page.locator('[data-param="layer"]').evaluate((el) => (el as unknown as { value: string }).value), String(attention.layer));
  await type(panel, 'template', 'The word {word}');
  await type(panel, 'layer', '3');
  await panel.page.locator('.ml-rerun-run').click();
  const [request] = await rerunRequests(panel);
  assert.deepEqual(request.params, { job: 'attention', layer: 3, template: 'The word {word}', permutations: attention.rsa.permutations });
  assert.equal(await isDisabled(panel, '[data-param="template"]'), true, 'fields wait while the host runs');
  await panel.post({ type: 'reply', id: request.id, ok: true, value: { status: 'done' } });
  await waitUntil(panel.page, `!document.querySelector('[data-param="template"]').disabled`);
  await type(panel, 'template', 'no placeholder');
  assert.match(await panel.page.locator('.ml-rerun-note').textContent() ?? '', /Prompt template: needs exactly one \{word\}/);
  await panel.screenshot('rerun-controls-attention', '[data-card="rerun"]');
});

test('contrast: hook, test, correction, alpha, map, clustering and shuffles go out as the contrast request', async () => {
  const panel = await open(contrast, true, 'light');
  // Before any change the bar says so, and Reset has nothing to undo (its dropdowns once read "Changed").
  await waitUntil(panel.page, "document.querySelector('.ml-rerun-note')?.textContent?.startsWith('These are the settings of this run.') && document.querySelector('.ml-rerun-reset')?.disabled === true");
  await choose(panel, 'test', 'welch');
  await choose(panel, 'correction', 'fdr');
  await type(panel, 'alpha', '0.01');
  await type(panel, 'k', '4');
  await type(panel, 'eps', '1.5');
  await panel.page.locator('.ml-rerun-run').click();
  const [request] = await rerunRequests(panel);
  assert.deepEqual(request.params, {
    job: 'contrast', hook: contrast.hook, test: 'welch', correction: 'fdr', alpha: 0.01, perplexity: 30, eps: 1.5, minSamples: 3, k: 4, shuffles: contrast.labelShuffle.shuffles,
  });
  await panel.post({ type: 'reply', id: request.id, ok: true, value: { status: 'done' } });
  await panel.screenshot('rerun-controls-contrast', '[data-card="rerun"]');
});

test('compare: a k goes out with the request, and a result with k-means offers a DBSCAN / k-means switch on each map', async () => {
  const panel = await open(compare);
  await type(panel, 'k', '3');
  await panel.page.locator('.ml-rerun-run').click();
  const [request] = await rerunRequests(panel);
  assert.equal((request.params as { k: number }).k, 3);
  const withK = reclusterCompare(compare, request.params as never);
  assert.ok(withK?.a.map?.kmeans);
  await panel.post({ type: 'result', result: withK });
  await panel.post({ type: 'reply', id: request.id, ok: true, value: { status: 'done' } });
  // The charts below the first view draw after a painted frame: wait for the whole new page.
  await waitUntil(panel.page, `document.querySelector('[data-rendered="true"] [data-clustering="a"]') !== null`);
  const groups = () => panel.page.locator('[data-card="clusters-a"] .ml-cluster-members:not([data-cluster="noise"])').count();
  assert.equal(await groups(), withK.a.map.clusters.length);
  await panel.page.locator('[data-clustering="a"]').evaluate((el) => {
    (el as unknown as { value: string }).value = 'kmeans';
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await waitUntil(panel.page, `document.querySelectorAll('[data-card="clusters-a"] .ml-cluster-members').length === 3`);
  assert.equal(await panel.page.locator('[data-card="clusters-a"] .ml-cluster-members[data-cluster="noise"]').count(), 0, 'k-means has no noise');
  assert.match(await panel.page.locator('[data-card="clusters-a"] .ml-card-subtitle').textContent() ?? '', /k-means k = 3/);
  assert.equal(await panel.page.locator('[data-param="k"]').evaluate((el) => (el as unknown as { value: string }).value), '3', 'the bar starts at the run\'s k');
  assert.deepEqual(panel.errors, []);
  await panel.screenshot('compare-kmeans-switch', '[data-card="clusters-a"]');
});

test('a bad value is said next to its field as typed, with the allowed range; every number field names its range', async () => {
  const panel = await open(compare);
  await type(panel, 'minSamples', '0');
  assert.equal(await panel.page.locator('[data-field-note="minSamples"]').textContent(), 'must be a whole number from 1 to 1000');
  // The note grows its field downwards: every input, and the buttons, stay on one line.
  const tops = await panel.page.evaluate(`[...document.querySelectorAll('.ml-rerun-fields vscode-textfield, .ml-rerun-fields vscode-single-select, .ml-rerun-run')]
    .map((e) => Math.round(e.getBoundingClientRect().top))`) as number[];
  assert.ok(tops.length > 2 && tops.every((t) => Math.abs(t - tops[0]) <= 1), `inputs and buttons not level with a note shown: ${tops.join(', ')}`);
  await panel.screenshot('rerun-controls-invalid', '[data-card="rerun"]');
  await type(panel, 'minSamples', '4');
  assert.equal(await panel.page.locator('[data-field-note="minSamples"]').textContent(), '');
  assert.match(await panel.page.locator('label.ml-rerun-field', { has: panel.page.locator('[data-param="perplexity"]') }).getAttribute('title') ?? '',
    /Allowed: a number (from|above) \d+ to \d+, or empty \(automatic\)/);
});

test('a lowered perplexity or k is shown next to its field and in the card that used it', async () => {
  // Compare: perplexity 50 asked for, the map ran at (n − 1) / 3.
  const n = compare.items.length;
  const used = (n - 1) / 3;
  const lowered: CompareResult = {
    ...compare,
    run: { ...compare.run, options: { ...compare.run.options, map: { perplexity: 50 } } },
    a: { ...compare.a, map: { ...compare.a.map!, options: { ...compare.a.map!.options, perplexity: used } } },
    b: { ...compare.b, map: { ...compare.b.map!, options: { ...compare.b.map!.options, perplexity: used } } },
  };
  const panel = await open(lowered);
  assert.equal(await panel.page.locator('[data-param="perplexity"]').evaluate((el) => (el as unknown as { value: string }).value), '50');
  assert.equal(await panel.page.locator('[data-field-note="perplexity"]').textContent(), `ran with ${Number(used.toPrecision(3))}: at most (n − 1) / 3 for ${n} words`);
  assert.match(await panel.page.locator('[data-card="clusters-a"] .ml-card-subtitle').textContent() ?? '', new RegExp(`perplexity ${Number(used.toPrecision(3))}`));
  await type(panel, 'perplexity', '5');
  assert.equal(await panel.page.locator('[data-field-note="perplexity"]').textContent(), '', 'a new value is not what the run used');

  // Contrast: the job records what it lowered; the t-SNE card says the perplexity it ran with.
  const adjusted: ContrastResult = { ...contrast, adjusted: { perplexity: { asked: 30, used: 4.33, why: 'at most (n − 1) / 3 for 14 significant neurons' } } };
  const c = await open(adjusted);
  assert.equal(await c.page.locator('[data-field-note="perplexity"]').textContent(), 'ran with 4.33: at most (n − 1) / 3 for 14 significant neurons');
  assert.match(await c.page.locator('[data-card="neuron-map"] .ml-card-subtitle').textContent() ?? '', /perplexity 4\.33 \(lowered from 30/);

  // Compare: a k above the words, re-clustered on screen: the field keeps the k asked, says the one it ran at, and so do both map cards.
  const words = reclusterCompare(compare, { job: 'compare', permutations: compare.rsa.permutations, perplexity: null, eps: null, minSamples: 3, k: n + 5 });
  assert.ok(words?.adjusted?.k);
  const w = await open(words);
  assert.equal(await w.page.locator('[data-param="k"]').evaluate((el) => (el as unknown as { value: string }).value), String(n + 5));
  assert.equal(await w.page.locator('[data-field-note="k"]').textContent(), `ran with ${n}: at most the ${n} words`);
  await waitUntil(w.page, `document.querySelector('[data-rendered="true"] [data-card="clusters-b"]') !== null`);
  for (const key of ['a', 'b']) {
    assert.match(await w.page.locator(`[data-card="clusters-${key}"] .ml-card-subtitle`).textContent() ?? '', new RegExp(`k-means k = ${n} \\(lowered from ${n + 5}: at most the ${n} words\\)`));
  }

  // A k above the significant neurons, re-clustered on screen: the new record is shown by the field and in the card.
  const o = contrast.run.options as { perplexity: number; eps: number; minSamples: number; k: number };
  // Ten of the fixture's significant neurons, so that a k above them is still within the field's range.
  const m = 10;
  const few: ContrastResult = { ...contrast, significant: contrast.significant.slice(0, m), coords: contrast.coords.slice(0, m) };
  const reclustered = reclusterContrast(few, { job: 'contrast', hook: contrast.hook, test: contrast.test, correction: contrast.correction, alpha: contrast.alpha,
    perplexity: o.perplexity, eps: o.eps, minSamples: o.minSamples, k: m + 5, shuffles: contrast.labelShuffle.shuffles });
  assert.ok(reclustered);
  const k = await open(reclustered);
  assert.equal(await k.page.locator('[data-field-note="k"]').textContent(), `ran with ${m}: at most the ${m} significant neurons`);
  assert.match(await k.page.locator('[data-card="neuron-map"] .ml-card-subtitle').textContent() ?? '', new RegExp(`k-means k = ${m} \\(lowered from ${m + 5}`));
});
