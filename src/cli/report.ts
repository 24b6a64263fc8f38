// The self-contained HTML report behind `--html`: one file with the panel's own bundle, stylesheet
// and codicon font inlined, the Result embedded as a JSON data block, and a small shim standing in
// for acquireVsCodeApi. Its CSP allows exactly its inline scripts and styles (by hash), fonts and
// images from data: URLs, and nothing from the network.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Result } from '../protocol/result';
import { MechLensError } from '../core/errors';
import { htmlPage } from '../core/html-page';
import { openAtomicFile } from '../core/io/atomic-write';
import { streamJson } from '../core/io/json-stream';

export interface ReportAssets {
  /** dist/webview.js: the panel bundle (IIFE). */
  webviewJs: string;
  /** dist/webview.css. */
  css: string;
  /** codicon.css with its font already inlined as a data: URL. */
  codiconCss?: string;
}

/** JSON that is safe inside <script>: no `</script>`, no `<!--`, no JS line terminators. */
export function jsonForScript(value: unknown): string {
  return escapeForScript(JSON.stringify(value));
}

/** Character by character, so it can run on the chunks of a streamed JSON text as well. */
function escapeForScript(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline script text that cannot end its own <script> element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\u0021--');
}

function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

// Stands in for the extension host: answers `ready` with the embedded Result, and turns save and
// export into downloads. Everything stays in the page.
const shim = `(() => {
  let state;
  const download = (name, blob) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  };
  const readResult = () => JSON.parse(document.getElementById('mechlens-result').textContent);
  window.acquireVsCodeApi = () => ({
    getState: () => state,
    setState: (s) => { state = s; return s; },
    postMessage: (m) => {
      if (!m || typeof m !== 'object') return;
      if (m.type === 'ready') setTimeout(() => window.postMessage({ type: 'result', result: readResult() }, '*'), 0);
      else if (m.type === 'save') download('result.mechlens.json', new Blob([JSON.stringify(readResult(), null, 1)], { type: 'application/json' }));
      else if (m.type === 'export') {
        const body = m.encoding === 'base64' ? Uint8Array.from(atob(m.content), (c) => c.charCodeAt(0)) : m.content;
        download(m.name, new Blob([body], { type: m.format === 'svg' ? 'image/svg+xml' : m.format === 'png' ? 'image/png' : 'application/octet-stream' }));
      }
    },
  });
})();`;

export function renderHtmlReport(result: Result, assets: ReportAssets): string {
  const [head, tail] = reportPage(result, assets);
  return `${head}${jsonForScript(result)}${tail}`;
}

const RESULT_SLOT = '\u0000mechlens-result\u0000';

/** The page before and after the embedded Result JSON. */
function reportPage(result: Result, assets: ReportAssets): [string, string] {
  const scripts = [shim, inlineScript(assets.webviewJs)];
  const styles = [assets.codiconCss, assets.css].filter((s): s is string => !!s).map(inlineStyle);
  const csp = [
    `default-src 'none'`,
    `script-src ${scripts.map(sha256).join(' ')}`,
    `style-src ${styles.map(sha256).join(' ')}`,
    `font-src data:`,
    `img-src data: blob:`,
    `connect-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
  const page = htmlPage({
    csp,
    title: `${result.title} · MechLens`,
    generator: `MechLens ${result.run.version}`,
    head: styles.map((s) => `<style>${s}</style>`).join('\n'),
    body: [`<script type="application/json" id="mechlens-result">${RESULT_SLOT}</script>`, ...scripts.map((s) => `<script>${s}</script>`)].join('\n'),
  }) + '\n';
  // The last occurrence: the title above it is user text, the bundles below it hold no NUL.
  const at = page.lastIndexOf(RESULT_SLOT);
  return [page.slice(0, at), page.slice(at + RESULT_SLOT.length)];
}

/**
 * The webview assets next to the running bundle (dist/ when MechLens runs from dist/cli.js).
 * Running from src/ (tests, tsx), the webview is bundled from source with esbuild in memory, so a
 * report never carries a stale dist/.
 */
export function reportAssets(): ReportAssets {
  const here = __dirname;
  const root = [here, join(here, '..', '..')].find((d) => existsSync(join(d, 'src', 'webview', 'main.ts')));
  if (root && existsSync(join(root, 'node_modules', 'esbuild'))) return assetsFromSource(root);
  const dist = [here, join(here, '..', '..', 'dist')].find((d) => existsSync(join(d, 'webview.js')));
  if (!dist) {
    throw new MechLensError('not-found', 'the webview bundle for the HTML report is missing', {
      input: join(here, 'webview.js'), fix: 'Build MechLens first: node scripts/build.mjs',
    });
  }
  return {
    webviewJs: readFileSync(join(dist, 'webview.js'), 'utf8'),
    css: readFileSync(join(dist, 'webview.css'), 'utf8'),
    codiconCss: codiconsInline(join(dist, 'codicons')),
  };
}

function assetsFromSource(root: string): ReportAssets {
  // Only reached in a development checkout, where esbuild is installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require(join(root, 'node_modules', 'esbuild')) as typeof import('esbuild');
  const opts = { bundle: true, write: false, absWorkingDir: root, logLevel: 'silent' as const };
  const js = esbuild.buildSync({ ...opts, entryPoints: ['src/webview/main.ts'], platform: 'browser', format: 'iife', target: 'es2022', loader: { '.css': 'text' } });
  const css = esbuild.buildSync({ ...opts, entryPoints: ['src/webview/styles.css'] });
  return {
    webviewJs: js.outputFiles?.[0]?.text ?? '',
    css: css.outputFiles?.[0]?.text ?? '',
    codiconCss: codiconsInline(join(root, 'node_modules', '@vscode', 'codicons', 'dist')),
  };
}

function codiconsInline(dir: string): string | undefined {
  const cssFile = join(dir, 'codicon.css');
  const fontFile = join(dir, 'codicon.ttf');
  if (!existsSync(cssFile) || !existsSync(fontFile)) return undefined;
  const font = `data:font/ttf;base64,${readFileSync(fontFile).toString('base64')}`;
  return readFileSync(cssFile, 'utf8').replace(/url\(["']?\.?\/?codicon\.ttf[^)"']*["']?\)/g, `url("${font}")`);
}

/** Writes the report for `--html`. */
export function writeHtmlReport(file: string, result: Result, assets: ReportAssets = reportAssets()): void {
  try {
    // Streamed and atomic: a Result too large for one string is still written, and a kill midway
    // leaves the previous report whole.
    const [head, tail] = reportPage(result, assets);
    const out = openAtomicFile(file);
    try {
      out.write(head);
      streamJson(result, (chunk) => out.write(escapeForScript(chunk)));
      out.write(tail);
    } catch (error) {
      out.abort();
      throw error;
    }
    out.commit();
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) throw error;
    throw new MechLensError('bad-argument', 'could not write the HTML report', {
      input: file, fix: `Check that the folder ${dirname(file)} exists and is writable.`, cause: error,
    });
  }
}
