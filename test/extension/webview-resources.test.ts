import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, FakeWebviewPanel, installFakeVscode } from './fake-vscode';
import type * as ResourcesModule from '../../src/extension/webview-resources';

let resources: typeof ResourcesModule;

before(async () => {
  installFakeVscode();
  resources = await import('../../src/extension/webview-resources');
});

test('webviews may load only from the extension\'s dist/ and media/, and get the bundle, its CSS and the codicons', () => {
  const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const options = resources.webviewOptions(FakeUri.file(ext) as never);
    assert.equal(options.enableScripts, true);
    assert.deepEqual(options.localResourceRoots?.map((u) => (u as unknown as FakeUri).path), [path.join(ext, 'dist'), path.join(ext, 'media')]);

    const panel = new FakeWebviewPanel('t');
    resources.renderWebview(panel.webview as never, FakeUri.file(ext) as never, 'Title');
    const origin = panel.webview.cspSource;
    const urls = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(urls(panel.webview.html), [`${origin}${ext}/dist/webview.js`], 'styles that are not built are not linked');

    fs.mkdirSync(path.join(ext, 'dist', 'codicons'), { recursive: true });
    fs.writeFileSync(path.join(ext, 'dist', 'codicons', 'codicon.css'), '');
    fs.writeFileSync(path.join(ext, 'dist', 'webview.css'), '');
    resources.renderWebview(panel.webview as never, FakeUri.file(ext) as never, 'Title');
    assert.deepEqual(urls(panel.webview.html), [`${origin}${ext}/dist/codicons/codicon.css`, `${origin}${ext}/dist/webview.css`, `${origin}${ext}/dist/webview.js`]);
    assert.match(panel.webview.html, /data-settings="\{&#34;colorScheme&#34;:&#34;RdBu&#34;,&#34;canvasThreshold&#34;:150\}"/);
    const nonces = [...panel.webview.html.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(nonces).size, 1, 'one nonce per render');
    const before = nonces[0];
    resources.renderWebview(panel.webview as never, FakeUri.file(ext) as never, 'Title');
    assert.notEqual(/nonce="([^"]+)"/.exec(panel.webview.html)?.[1], before, 'a fresh nonce on every render');
  } finally {
    fs.rmSync(ext, { recursive: true, force: true });
  }
});
