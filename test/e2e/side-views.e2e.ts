// The Inspector and Pinned Charts side views in real VS Code: a saved compare run is opened, a word
// clicked in a heatmap shows its nearest neighbours in the Inspector, a card's Pin button puts that
// chart in the Pinned Charts view, and Unpin there clears the card's pin button in the panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { LONG, runCliJson, sessionForFile } from './harness';
import { writeVectorFiles, type VectorFiles } from './fixtures';

const wordList = 'samples/space-furniture-fruit.words';
const runFile = 'space.mechlens.json';
let vectors: VectorFiles;

const file = sessionForFile('side-views', (workspace) => {
  vectors = writeVectorFiles(workspace, path.join(workspace, wordList));
  const result = runCliJson<object>(['compare', '--words', path.join(workspace, wordList), '--a', `vectors:${vectors.a}`, '--b', `vectors:${vectors.b}`,
    '--permutations', '100', '--seed', '0']);
  writeFileSync(path.join(workspace, runFile), JSON.stringify({ ...result, title: 'Side views' }));
  return { trust: 'trust', settings: { 'workbench.editor.enablePreview': false } };
});

/** The header of the side bar pane titled `name`. */
function paneHeader(name: string) {
  const { session } = file;
  return session.page.locator('.pane-header').filter({ has: session.page.locator('h3.title', { hasText: new RegExp(`^${name}$`, 'i') }) }).first();
}

/**
 * The content frame of the visible webview that shows `selector` (panels and side views are all
 * webviews). code-server's webview loader now and then leaves a view blank for good ("Found
 * unexpected service worker controller" in the browser log; Reload Webviews does not help): when
 * `pane` is given and 15 s pass without the selector, fold and unfold that pane, which gives the
 * view a new frame (at most three times).
 */
async function webviewWith(selector: string, pane?: string): Promise<FrameLocator> {
  const { session } = file;
  const deadline = Date.now() + LONG;
  let refreshAt = Date.now() + 15_000;
  let refreshes = 0;
  for (;;) {
    if (pane && refreshes < 3 && Date.now() > refreshAt) {
      refreshes++;
      await paneHeader(pane).click();
      await new Promise((r) => setTimeout(r, 500));
      await paneHeader(pane).click();
      refreshAt = Date.now() + 15_000;
    }
    const outers = session.page.locator('iframe.webview.ready:visible');
    const count = await outers.count();
    for (let i = 0; i < count; i++) {
      const frame = session.page.frameLocator('iframe.webview.ready:visible').nth(i).frameLocator('iframe#active-frame');
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline + refreshes * 15_000) throw new Error(`no visible webview shows ${selector}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a word clicked in the panel is inspected; a pinned card is drawn in Pinned Charts and unpinned from there', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await (await session.explorerItem(runFile)).dblclick();
    const panel = await session.webview('section.ml-card[data-space="a"] svg.ml-heatmap-svg');
    await session.runCommand('MechLens: Focus on Inspector View');
    await webviewWith('.ml-inspector', 'Inspector');

    // Click the row of "moon" in heatmap A: the Inspector shows its neighbours.
    const overlay = panel.locator('section.ml-card[data-space="a"] rect.overlay');
    const box = await overlay.boundingBox();
    assert.ok(box, 'heatmap overlay has no box');
    const n = vectors.words.length;
    const row = vectors.words.indexOf('moon');
    await overlay.click({ position: { x: 0.5 * (box.width / n), y: (row + 0.5) * (box.width / n) } });
    const inspector = await webviewWith('.ml-inspector[data-kind="token"]');
    assert.equal((await inspector.locator('.ml-inspector-title').innerText()).trim(), 'moon');
    assert.equal(await inspector.locator('.ml-value-bars').count(), 2, 'neighbours in both spaces');

    // Room in the side bar for the two webview views: fold the tree views.
    for (const name of ['Runs', 'Models', 'Hook Points']) {
      const header = paneHeader(name);
      if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    }
    // Pin the similarity histogram: the Pinned Charts view opens and draws it.
    await panel.locator('[data-pin="similarity-histogram"]').click();
    // The view below a tall Inspector can be left with no height: focusing it makes VS Code lay it out and resolve it.
    await session.runCommand('MechLens: Focus on Pinned Charts View');
    const pinned = await webviewWith('.ml-pinned .ml-histogram svg', 'Pinned Charts');
    assert.equal((await pinned.locator('.ml-pinned .ml-card-title').innerText()).trim(), 'Similarity distributions');
    assert.equal(await pinned.locator('.ml-pinned g.histogram-series').count(), 2);
    await panel.locator('[data-pin="similarity-histogram"][aria-pressed="true"]').waitFor({ state: 'attached', timeout: LONG });
    await session.screenshot('inspector-vscode.png');

    await pinned.locator('[data-action="unpin"]').click();
    await pinned.locator('.ml-note').waitFor({ state: 'visible', timeout: LONG });
    await panel.locator('[data-pin="similarity-histogram"][aria-pressed="false"]').waitFor({ state: 'attached', timeout: LONG });
  });
});
