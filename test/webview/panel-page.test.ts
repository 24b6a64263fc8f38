// A panel's charts draw in page order; past the first-view budget the rest wait for a painted frame,
// one slice per task (issue 20 item 9: a 2,400-word compare sat at "Done" ~20 s while every chart
// drew in one task). A small panel still draws everything at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, openChart } from '../helpers/chromium';

let browser: Browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Pushes `count` draws of `ms` busy milliseconds each, calls finish(), and reports what ran before it returned. */
const run = (count: number, ms: number) => `(() => {
  const panel = window.__chart;
  window.__drawn = [];
  for (let k = 0; k < ${count}; k++) panel.draw.push(() => { const end = performance.now() + ${ms}; while (performance.now() < end) {} window.__drawn.push(k); });
  panel.finish();
  return { drawnAtOnce: window.__drawn.length, rendered: panel.page.getAttribute('data-rendered') };
})()`;

test('slow charts: the first ones draw at once, the rest after a painted frame; data-rendered comes with the last', async () => {
  const page = await openChart(browser, { modulePath: 'src/webview/panels/cards.ts', exportName: 'panelPage', data: 'ml-panel' });
  try {
    const first = await page.page.evaluate(run(6, 40)) as { drawnAtOnce: number; rendered: string | null };
    assert.ok(first.drawnAtOnce >= 1 && first.drawnAtOnce < 6, `drawn at once: ${first.drawnAtOnce}`);
    assert.equal(first.rendered, null);
    // This panel's own page element (the test page marks its chart container rendered too).
    await page.page.waitForSelector('div.ml-panel[data-rendered="true"]');
    assert.deepEqual(await page.page.evaluate('window.__drawn'), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('quick charts all draw at once, as before', async () => {
  const page = await openChart(browser, { modulePath: 'src/webview/panels/cards.ts', exportName: 'panelPage', data: 'ml-panel' });
  try {
    const all = await page.page.evaluate(run(6, 1)) as { drawnAtOnce: number; rendered: string | null };
    assert.deepEqual(all, { drawnAtOnce: 6, rendered: 'true' });
  } finally {
    await page.close();
  }
});
