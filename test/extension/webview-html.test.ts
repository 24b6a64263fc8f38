import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebviewHtml, contentSecurityPolicy, createNonce } from '../../src/extension/webview-html';
import { escapeHtml } from '../../src/core/html-page';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

function page(nonce = createNonce()) {
  return buildWebviewHtml({
    cspSource,
    nonce,
    title: 'GloVe <script>alert(1)</script> vs "B"',
    styles: [`${cspSource}/ext/dist/codicons/codicon.css`, `${cspSource}/ext/dist/webview.css`],
    scripts: [`${cspSource}/ext/dist/webview.js`],
    data: { settings: { colorScheme: 'viridis', note: '"></body><script>x</script>' } },
  });
}

function cspOf(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, 'the page declares a CSP meta tag');
  const decoded = content.replace(/&#39;/g, "'");
  return new Map(decoded.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

test('the CSP denies by default and allows scripts only by nonce', () => {
  const nonce = createNonce();
  const csp = cspOf(page(nonce));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  assert.deepEqual(csp.get('style-src'), [cspSource, `'nonce-${nonce}'`]);
  assert.deepEqual(csp.get('font-src'), [cspSource]);
  assert.deepEqual(csp.get('img-src'), [cspSource, 'data:']);
  for (const values of csp.values()) {
    for (const v of values) {
      assert.ok(!/unsafe-(inline|eval)/.test(v), `no unsafe source: ${v}`);
      assert.ok(v === cspSource || !/^(https?|wss?):|^\*|^https?$/.test(v), `no remote source: ${v}`);
    }
  }
});

test('every script and style tag carries the nonce, and resources come only from the webview origin', () => {
  const nonce = createNonce();
  const html = page(nonce);
  const tags = html.match(/<(script|style|link)\b[^>]*>/g) ?? [];
  assert.equal(tags.length, 3);
  for (const tag of tags) assert.ok(tag.includes(`nonce="${escapeHtml(nonce)}"`), `nonce on ${tag}`);
  const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(urls, [`${cspSource}/ext/dist/codicons/codicon.css`, `${cspSource}/ext/dist/webview.css`, `${cspSource}/ext/dist/webview.js`]);
  assert.match(html, /<link rel="stylesheet"[^>]*id="vscode-codicon-stylesheet"/);
});

test('titles and data attributes are escaped: no markup from words or file names', () => {
  const html = page();
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(html.includes('<title>GloVe &#60;script&#62;alert(1)&#60;/script&#62; vs &#34;B&#34;</title>'));
  const attr = /data-settings="([^"]*)"/.exec(html)?.[1];
  assert.ok(attr);
  const decoded = attr.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
  assert.deepEqual(JSON.parse(decoded), { colorScheme: 'viridis', note: '"></body><script>x</script>' });
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});

test('nonces are fresh 128-bit values that cannot break out of the attribute', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const nonce = createNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    seen.add(nonce);
  }
  assert.equal(seen.size, 200);
  assert.equal(contentSecurityPolicy('x', 'n').split('; ').length, 5);
});
