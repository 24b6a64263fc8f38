// The Inspector's page for an attention head (the heads job), in headless Chromium: its three mean
// scores as bars, the same head index at every layer with this layer marked, and the table behind
// Copy/CSV with each text's scores. Screenshots: docs/screenshots/inspector-head.png and inspector-head-light.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { inspectorScreenshots, launchBrowser, openInspector } from '../helpers/chromium';
import { inspectSelection } from '../../src/extension/job-table';
import type { HeadsResult } from '../../src/protocol/result';

const heads = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'heads-result.regression.json'), 'utf8')) as HeadsResult;
let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a head: its three scores, the head across layers with its layer marked, and the copy table', async () => {
  const data = inspectSelection(heads, ['L1H2'], { kind: 'head', layer: 1, head: 2 });
  assert.equal(data.kind, 'head');
  const page = await openInspector(browser, data);
  try {
    assert.equal(await page.page.locator('.ml-inspector-title').textContent(), 'Head L1H2');
    assert.deepEqual(await page.page.locator('.ml-value-bars text.row-label').allTextContents(), ['previous-token', 'duplicate-token', 'induction']);
    assert.deepEqual(await page.page.locator('.ml-value-bars text.bar-value').allTextContents(),
      [heads.scores.previousToken[1][2], heads.scores.duplicateToken[1][2], heads.scores.induction[1][2]].map((v) => v.toFixed(3)));
    assert.equal(await page.page.locator('.ml-layer-sweep text.current-layer-label').textContent(), 'layer 1');
    assert.deepEqual(page.errors, []);
    await inspectorScreenshots(browser, data, page, 'inspector-head');
  } finally {
    await page.close();
  }
});
