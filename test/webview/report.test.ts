// The --html report: one self-contained page. Opened from disk in headless Chromium it must render
// the same panel with no console errors and no requests, show hostile words as text, and its CSP
// must block a script injected into it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { CompareResult } from '../../src/protocol/result';
import { jsonForScript, renderHtmlReport, reportAssets, writeHtmlReport } from '../../src/cli/report';
import { launchBrowser, screenshotDir } from '../helpers/chromium';

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'compare-result.json'), 'utf8')) as CompareResult;
const dir = mkdtempSync(join(tmpdir(), 'mechlens-'));
let browser: Browser;
let page: Page;
let html: string;
const errors: string[] = [];
const requests: string[] = [];

before(async () => {
  const file = join(dir, 'report.html');
  writeHtmlReport(file, fixture);
  html = readFileSync(file, 'utf8');
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('[data-rendered="true"]');
});
after(async () => { await browser?.close(); });

test('jsonForScript escapes what could end or confuse a script element', () => {
  const s = jsonForScript({ w: '</script><!-- \u2028\u2029 & >' });
  assert.ok(!s.includes('<') && !s.includes('>') && !s.includes('\u2028') && !s.includes('\u2029') && !s.includes('&'));
  assert.deepEqual(JSON.parse(s), { w: '</script><!-- \u2028\u2029 & >' });
});

test('the report is one file: inline scripts and styles only, a CSP that allows nothing remote', () => {
  assert.equal((html.match(/<script\b/g) ?? []).length, 3, 'data block, host shim, webview bundle');
  // Tags of the page itself start their line (the bundle may mention `<link` inside strings).
  assert.ok(!/^<script[^>]*\bsrc=/m.test(html) && !/^<link\b/m.test(html));
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1].replace(/&#39;/g, "'") ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[^']+' 'sha256-[^']+';/);
  assert.doesNotMatch(csp, /unsafe-inline|https?:|\*/);
  // The hostile word is embedded escaped: exactly one raw </script> per script element.
  assert.equal((html.match(/<\/script>/g) ?? []).length, 3);
  assert.ok(html.includes('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e'));
});

test('opened from disk it renders the panel with zero console errors and zero network requests', async () => {
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:')), []);
  assert.equal(requests.filter((u) => u.startsWith('file://')).length, 1, 'only the report itself');
  assert.equal(await page.locator('[data-space="a"] rect.cell').count(), fixture.items.length ** 2);
  assert.equal(await page.locator('[data-card="rsa"] [data-stat="pearson"]').textContent(), fixture.rsa.pearson.toFixed(3));
  const embedded = await page.evaluate(`JSON.parse(document.getElementById('mechlens-result').textContent)`);
  assert.deepEqual(embedded, fixture);
  // Outside VS Code the page takes its colors from the stylesheet's fallbacks (light here). Named as
  // every screenshot is: NAME.png in the dark theme, NAME-light.png in the light one.
  assert.equal(await page.evaluate(`getComputedStyle(document.body).backgroundColor`), 'rgb(255, 255, 255)', 'the page is not on the light fallback background');
  await page.screenshot({ path: join(screenshotDir, 'compare-report-light.png'), fullPage: true });
});

test('with a dark colour scheme the report draws in the dark fallbacks, with zero console errors', async () => {
  const dark = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  const darkErrors: string[] = [];
  dark.on('pageerror', (e) => darkErrors.push(String(e)));
  try {
    await dark.goto(pathToFileURL(join(dir, 'report.html')).href);
    await dark.waitForSelector('[data-rendered="true"]');
    const background = await dark.evaluate(`getComputedStyle(document.body).backgroundColor`);
    assert.equal(background, 'rgb(31, 31, 31)', 'the page is not on the dark fallback background');
    assert.deepEqual(darkErrors, []);
    await dark.screenshot({ path: join(screenshotDir, 'compare-report.png'), fullPage: true });
  } finally {
    await dark.close();
  }
});

test('the <script> word appears as text and never as an element', async () => {
  const hostile = fixture.items.find((w) => w.includes('<script>')) as string;
  const members = (await page.locator('.ml-cluster-words').allTextContents()).join(', ');
  assert.ok(members.includes(hostile), 'cluster member list');
  const option = await page.locator('vscode-option').allTextContents();
  assert.ok(option.includes(hostile), 'word picker');
  assert.ok((await page.locator('g.y-ticks text').allTextContents()).some((t) => t.startsWith('<script>alert(1')));
  assert.equal(await page.locator('script').count(), 3);
});

test('the CSP blocks a script injected into the page', async () => {
  const outcome = await page.evaluate(`new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', (e) => resolve({ blocked: e.violatedDirective, ran: window.__pwned === true }), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = true';
    document.body.appendChild(s);
    setTimeout(() => resolve({ blocked: null, ran: window.__pwned === true }), 1000);
  })`) as { blocked: string | null; ran: boolean };
  assert.equal(outcome.ran, false);
  assert.match(outcome.blocked ?? '', /^script-src/);
});

test('renderHtmlReport inlines the assets it is given and escapes the title', () => {
  const page = renderHtmlReport({ ...fixture, title: '<img src=x onerror=alert(1)>' }, { webviewJs: 'console.log("</script>")', css: 'body{}' });
  assert.ok(page.includes('<title>&#60;img src=x onerror=alert(1)&#62; · MechLens</title>'));
  assert.ok(page.includes('console.log("<\\/script>")'));
  assert.ok(reportAssets().webviewJs.length > 10000);
});
