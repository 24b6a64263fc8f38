// The one HTML builder for every MechLens webview (panels, custom editors, views). It knows
// nothing of vscode at runtime so that its CSP can be tested under plain Node: callers pass the
// webview's cspSource and the resource URIs already converted with asWebviewUri.
import { randomBytes } from 'node:crypto';
import { escapeHtml, htmlPage } from '../core/html-page';

export interface WebviewPage {
  /** `webview.cspSource`: the only origin allowed for styles, images and fonts. */
  cspSource: string;
  /** A fresh value per render; see createNonce. */
  nonce: string;
  title: string;
  /** Script URIs, loaded in order. */
  scripts: string[];
  /** Stylesheet URIs (codicons first, then the webview's own). */
  styles: string[];
  /** Serialized into `data-*` attributes on <body> for the webview to read at boot. */
  data?: Record<string, unknown>;
}

/** 16 random bytes in base64: unguessable per render, as a CSP nonce must be. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Nothing is allowed by default. Scripts run only with the nonce; styles come from the extension's
 * own files or nonce'd tags; images also from data: URLs, which the charts make when they
 * rasterize an SVG for PNG export. No remote origin appears anywhere.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function dataAttributes(data: Record<string, unknown> | undefined): string {
  if (!data) return '';
  return Object.entries(data)
    .map(([key, value]) => {
      const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/[^a-z0-9-]/g, '');
      return ` data-${name}="${escapeHtml(JSON.stringify(value))}"`;
    })
    .join('');
}

export function buildWebviewHtml(page: WebviewPage): string {
  const nonce = escapeHtml(page.nonce);
  const styles = page.styles
    .map((href, i) => `<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(href)}"${i === 0 && href.includes('codicon') ? ' id="vscode-codicon-stylesheet"' : ''}>`)
    .join('\n');
  const scripts = page.scripts.map((src) => `<script nonce="${nonce}" src="${escapeHtml(src)}"></script>`).join('\n');
  return htmlPage({ csp: contentSecurityPolicy(page.cspSource, page.nonce), title: page.title, head: styles, bodyAttributes: dataAttributes(page.data), body: scripts });
}
