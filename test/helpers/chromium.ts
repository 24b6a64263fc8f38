// Headless Chromium harness for webview tests: loads the real webview bundle (or one chart module)
// into a page that looks like a VS Code webview — --vscode-* theme variables on <html>, a strict
// nonce CSP, a fake acquireVsCodeApi that records what the page posts — and serves every file from
// a fake origin through request interception, so nothing ever touches the network.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { build, type BuildOptions } from 'esbuild';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FromWebview, ToWebview } from '../../src/protocol/messages';
import type { Result } from '../../src/protocol/result';
import { chromiumExecutable } from '../../scripts/chromium.mjs';

export const repoRoot = join(__dirname, '..', '..');
/**
 * Screenshots go to an ignored folder, so running the tests leaves the work tree clean; the tracked
 * copies in docs/screenshots/ (the README's pictures) are rewritten only on request: UPDATE_SCREENSHOTS=1.
 */
export const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'screenshots') : join(repoRoot, 'test', '.tmp', 'screenshots');
const origin = 'https://mechlens.test';

export type Theme = 'dark' | 'light';

/** A subset of VS Code's Dark Modern / Light Modern theme colors, as the workbench sets them on <html>. */
export const themeVariables: Record<Theme, Record<string, string>> = {
  dark: {
    '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-font-weight': 'normal',
    '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
    '--vscode-editor-font-size': '14px',
    '--vscode-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-disabledForeground': '#cccccc80',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#0078d4',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-editor-foreground': '#cccccc',
    '--vscode-editorWidget-background': '#202020',
    '--vscode-editorWidget-border': '#313131',
    '--vscode-editorHoverWidget-background': '#202020',
    '--vscode-editorHoverWidget-foreground': '#cccccc',
    '--vscode-editorHoverWidget-border': '#454545',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-widget-border': '#313131',
    '--vscode-widget-shadow': '#0000005c',
    '--vscode-sideBar-background': '#181818',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-border': '#ffffff12',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-input-background': '#313131',
    '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898',
    '--vscode-dropdown-background': '#313131',
    '--vscode-dropdown-foreground': '#cccccc',
    '--vscode-dropdown-border': '#3c3c3c',
    '--vscode-dropdown-listBackground': '#1f1f1f',
    '--vscode-checkbox-background': '#313131',
    '--vscode-checkbox-border': '#3c3c3c',
    '--vscode-checkbox-foreground': '#cccccc',
    '--vscode-badge-background': '#616161',
    '--vscode-badge-foreground': '#f8f8f8',
    '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textLink-activeForeground': '#4daafc',
    '--vscode-textPreformat-foreground': '#d0d0d0',
    '--vscode-textPreformat-background': '#3c3c3c',
    '--vscode-textBlockQuote-background': '#2b2b2b',
    '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-progressBar-background': '#0078d4',
    '--vscode-inputValidation-warningBackground': '#352a05',
    '--vscode-inputValidation-warningBorder': '#b89500',
    '--vscode-inputValidation-errorBackground': '#5a1d1d',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editorWarning-foreground': '#cca700',
    '--vscode-editorInfo-foreground': '#3794ff',
    '--vscode-charts-foreground': '#cccccc',
    '--vscode-charts-lines': '#cccccc80',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-terminal-ansiCyan': '#11a8cd',
    '--vscode-terminal-ansiMagenta': '#bc3fbc',
    '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-settings-dropdownBackground': '#313131',
    '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-focusOutline': '#0078d4',
    '--vscode-list-highlightForeground': '#2aaaff',
    '--vscode-list-focusHighlightForeground': '#2aaaff',
    '--vscode-list-hoverForeground': '#cccccc',
    '--vscode-scrollbarSlider-background': '#79797966',
    '--vscode-scrollbarSlider-hoverBackground': '#646464b3',
    '--vscode-tab-activeBorderTop': '#0078d4',
    '--vscode-panelTitle-activeBorder': '#0078d4',
    '--vscode-panelTitle-activeForeground': '#cccccc',
    '--vscode-panelTitle-inactiveForeground': '#9d9d9d',
    '--vscode-settings-headerForeground': '#ffffff',
  },
  light: {
    '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-font-weight': 'normal',
    '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
    '--vscode-editor-font-size': '14px',
    '--vscode-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-disabledForeground': '#61616180',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#005fb8',
    '--vscode-editor-background': '#ffffff',
    '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-editorHoverWidget-background': '#f8f8f8',
    '--vscode-editorHoverWidget-foreground': '#3b3b3b',
    '--vscode-editorHoverWidget-border': '#c8c8c8',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-widget-border': '#e5e5e5',
    '--vscode-widget-shadow': '#00000029',
    '--vscode-sideBar-background': '#f8f8f8',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-border': '#0000001a',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-input-background': '#ffffff',
    '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-foreground': '#3b3b3b',
    '--vscode-dropdown-border': '#cecece',
    '--vscode-dropdown-listBackground': '#ffffff',
    '--vscode-checkbox-background': '#f8f8f8',
    '--vscode-checkbox-border': '#cecece',
    '--vscode-checkbox-foreground': '#3b3b3b',
    '--vscode-badge-background': '#cccccc',
    '--vscode-badge-foreground': '#3b3b3b',
    '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textLink-activeForeground': '#005fb8',
    '--vscode-textPreformat-foreground': '#3b3b3b',
    '--vscode-textPreformat-background': '#0000001f',
    '--vscode-textBlockQuote-background': '#f8f8f8',
    '--vscode-list-hoverBackground': '#f2f2f2',
    '--vscode-list-activeSelectionBackground': '#e8e8e8',
    '--vscode-progressBar-background': '#005fb8',
    '--vscode-inputValidation-warningBackground': '#f6f5d2',
    '--vscode-inputValidation-warningBorder': '#b89500',
    '--vscode-inputValidation-errorBackground': '#f2dede',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-editorWarning-foreground': '#bf8803',
    '--vscode-editorInfo-foreground': '#1a85ff',
    '--vscode-charts-foreground': '#3b3b3b',
    '--vscode-charts-lines': '#3b3b3b80',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-purple': '#652d90',
    '--vscode-terminal-ansiCyan': '#0598bc',
    '--vscode-terminal-ansiMagenta': '#bc05bc',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-dropdownListBorder': '#c8c8c8',
    '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-list-focusOutline': '#005fb8',
    '--vscode-list-highlightForeground': '#0066bf',
    '--vscode-list-focusHighlightForeground': '#0066bf',
    '--vscode-list-hoverForeground': '#3b3b3b',
    '--vscode-scrollbarSlider-background': '#64646466',
    '--vscode-scrollbarSlider-hoverBackground': '#646464b3',
    '--vscode-tab-activeBorderTop': '#005fb8',
    '--vscode-panelTitle-activeBorder': '#005fb8',
    '--vscode-panelTitle-activeForeground': '#3b3b3b',
    '--vscode-panelTitle-inactiveForeground': '#3b3b3b',
    '--vscode-settings-headerForeground': '#1f1f1f',
  },
};

const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

/** Every browser test launches here, on the browser scripts/chromium.mjs finds (CHROME_PATH, common paths, ...). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: launchArgs });
}

/** Build options shared with scripts/build.mjs for the webview runtime. */
const browserBundle: BuildOptions = {
  bundle: true, write: false, platform: 'browser', format: 'iife', target: 'es2022', absWorkingDir: repoRoot,
  logLevel: 'silent', loader: { '.css': 'text' },
};

export interface WebviewAssets { js: string; css: string; codiconCss: string; codiconFont: Buffer }

let assetsPromise: Promise<WebviewAssets> | undefined;

/**
 * The webview bundle built in memory from src/ with the same esbuild settings as scripts/build.mjs,
 * so a test never runs against a stale dist/ and parallel test files never race on writing it.
 */
export function webviewAssets(): Promise<WebviewAssets> {
  assetsPromise ??= (async () => {
    const [js, css] = await Promise.all([
      build({ ...browserBundle, entryPoints: ['src/webview/main.ts'] }),
      build({ bundle: true, write: false, absWorkingDir: repoRoot, logLevel: 'silent', entryPoints: ['src/webview/styles.css'] }),
    ]);
    const codiconDir = join(repoRoot, 'node_modules/@vscode/codicons/dist');
    return {
      js: outputText(js.outputFiles),
      css: outputText(css.outputFiles),
      codiconCss: readFileSync(join(codiconDir, 'codicon.css'), 'utf8'),
      codiconFont: readFileSync(join(codiconDir, 'codicon.ttf')),
    };
  })();
  return assetsPromise;
}

/** Bundles one module (e.g. a chart) as an IIFE that puts its exports on `window.__module`. */
async function moduleBundle(modulePath: string): Promise<string> {
  const out = await build({ ...browserBundle, entryPoints: [modulePath], globalName: '__module' });
  return outputText(out.outputFiles);
}

function outputText(files: { text: string }[] | undefined): string {
  if (!files?.[0]) throw new Error('esbuild produced no output for the webview bundle');
  return files[0].text;
}

/**
 * Polls a page expression until it is truthy. Playwright's waitForFunction evaluates strings with
 * eval inside the page, which the webview CSP (rightly) forbids; page.evaluate goes through the
 * debugger protocol instead.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Picks the option labelled `label` of a vscode-single-select as a user does: opens the dropdown with a click, clicks the option. */
export async function chooseOption(select: Locator, label: string): Promise<void> {
  await select.click();
  await select.locator('li.option', { hasText: label }).first().click();
}

/**
 * Picks with the keyboard as a user does: focuses the select, ArrowDown opens its list (on the option
 * shown), `moves` arrow presses move (positive: down), Enter picks.
 */
export async function chooseByKeyboard(select: Locator, moves: number): Promise<void> {
  await select.focus();
  await select.page().keyboard.press('ArrowDown');
  // Keys pressed before the list is open would land on the closed select.
  const isOpen = () => select.evaluate((el) => (el as unknown as { open: boolean }).open);
  for (let tries = 0; !(await isOpen()); tries++) {
    if (tries > 250) throw new Error('the select did not open on ArrowDown');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (let i = 0; i < Math.abs(moves); i++) await select.page().keyboard.press(moves > 0 ? 'ArrowDown' : 'ArrowUp');
  await select.page().keyboard.press('Enter');
}

/** The value of a vscode-element (a vscode-single-select or vscode-textfield). */
export function elementValue(control: Locator): Promise<string> {
  return control.evaluate((el) => (el as unknown as { value: string }).value);
}

/** The native form controls of a page outside the vscode-elements' shadow roots (a locator would pierce them). */
export function plainFormControls(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('select, input, textarea')].map((e) => e.outerHTML.slice(0, 200))`) as Promise<string[]>;
}

export interface WebviewPage {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  errors: string[];
  /** URLs the page requested outside the files the harness serves. */
  strayRequests: string[];
  /** Messages the page posted to the (fake) extension host. */
  posted(): Promise<FromWebview[]>;
  /** Sends a message to the page as the extension host would. */
  post(message: ToWebview): Promise<void>;
  /**
   * Saves a PNG under screenshotDir/<name>.png (full page unless a selector is given) and checks that it
   * shows something: a blank or one-colour picture fails.
   */
  screenshot(name: string, selector?: string): Promise<string>;
  close(): Promise<void>;
}

export interface OpenOptions {
  theme?: Theme;
  width?: number;
  height?: number;
  /** What getState() returns at load, as after a reload. */
  state?: unknown;
}

const nonce = 'bWVjaGxlbnMtdGVzdA';

function pageHtml(theme: Theme, bodyScripts: string[], state: unknown): string {
  const vars = Object.entries(themeVariables[theme]).map(([k, v]) => `${k}: ${v}`).join('; ');
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${origin} 'nonce-${nonce}'`,
    `font-src ${origin}`, `img-src ${origin} data: blob:`].join('; ');
  const fakeApi = `
    window.__posted = [];
    window.__state = ${JSON.stringify(state ?? null).replace(/</g, '\\u003c')};
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => window.__state,
      setState: (s) => { window.__state = s; return s; },
    });`;
  return `<!DOCTYPE html>
<html lang="en" style="${vars.replace(/"/g, '&quot;')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/codicons/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${origin}/webview.css">
</head>
<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}">
<script nonce="${nonce}">${fakeApi}</script>
${bodyScripts.map((s) => `<script nonce="${nonce}" src="${origin}/${s}"></script>`).join('\n')}
</body>
</html>`;
}

async function openPage(browser: Browser, opts: OpenOptions, files: Record<string, { body: string | Buffer; type: string }>,
  bodyScripts: string[]): Promise<WebviewPage> {
  const theme = opts.theme ?? 'dark';
  const assets = await webviewAssets();
  const served: Record<string, { body: string | Buffer; type: string }> = {
    '/index.html': { body: pageHtml(theme, bodyScripts, opts.state), type: 'text/html' },
    '/webview.css': { body: assets.css, type: 'text/css' },
    '/codicons/codicon.css': { body: assets.codiconCss, type: 'text/css' },
    '/codicons/codicon.ttf': { body: assets.codiconFont, type: 'font/ttf' },
    ...files,
  };
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    colorScheme: theme, deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const strayRequests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    const file = url.origin === origin ? served[url.pathname] : undefined;
    if (!file) {
      strayRequests.push(route.request().url());
      return route.abort('blockedbyclient');
    }
    return route.fulfill({ status: 200, contentType: file.type, body: file.body });
  });
  await page.goto(`${origin}/index.html`);
  return {
    page, errors, strayRequests,
    posted: () => page.evaluate('window.__posted') as Promise<FromWebview[]>,
    post: async (message) => { await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`); },
    async screenshot(name, selector) {
      mkdirSync(screenshotDir, { recursive: true });
      const path = join(screenshotDir, `${name}.png`);
      // A full page of charts took over 30 s (the default) to capture at load average 35.
      if (selector) await page.locator(selector).first().screenshot({ path, timeout: 120_000 });
      else await page.screenshot({ path, fullPage: true, timeout: 120_000 });
      await assertNotBlank(path);
      return path;
    },
    close: () => context.close(),
  };
}

/**
 * Opens the full panel (src/webview/main.ts). With `result`, waits for the page to post `ready`,
 * sends `{type:'result'}` as the extension does, and waits until the panel has rendered.
 */
export async function openPanel(browser: Browser, opts: OpenOptions & { result?: Result } = {}): Promise<WebviewPage> {
  const assets = await webviewAssets();
  const wp = await openPage(browser, opts, { '/webview.js': { body: assets.js, type: 'text/javascript' } }, ['webview.js']);
  if (opts.result) {
    await waitUntil(wp.page, `window.__posted.some((m) => m.type === 'ready')`);
    await wp.post({ type: 'result', result: opts.result });
    // The contrast panel took over 30 s (the default) to draw at load average 35 on two cores.
    await wp.page.waitForSelector('[data-rendered="true"]', { timeout: 120_000 });
  }
  return wp;
}

export interface UsePanelOptions extends OpenOptions {
  /** Post `{type:'capabilities', rerun: true}` after the result, as ResultPanel.setRerunHandler does. */
  rerun?: boolean;
  /** A page expression to wait for before the tests start (the panel's own "drawn" mark, say). */
  waitFor?: string;
}

/** The panel `usePanel` opens, and the browser it runs in, for the extra pages a test opens itself. */
export type PanelUnderTest = WebviewPage & { readonly browser: Browser };

/**
 * The before/after pair of a panel test file: launches Chromium and opens the full panel on `result`
 * before the file's tests, closes both after them. The returned object forwards to that panel, so
 * the file can keep `panel.page`, `panel.errors`, ... and `openPanel(panel.browser, ...)` for more.
 */
export function usePanel(result: Result, opts: UsePanelOptions = {}): PanelUnderTest {
  const { rerun, waitFor, ...open } = opts;
  let browser: Browser | undefined;
  let panel: WebviewPage | undefined;
  before(async () => {
    browser = await launchBrowser();
    panel = await openPanel(browser, { ...open, result });
    if (rerun) await panel.post({ type: 'capabilities', rerun: true });
    if (waitFor) await waitUntil(panel.page, waitFor);
  });
  after(async () => {
    await panel?.close();
    await browser?.close();
  });
  const opened = (): WebviewPage => {
    if (!panel) throw new Error('usePanel: the panel opens in before(); use it inside a test');
    return panel;
  };
  return {
    get browser() {
      if (!browser) throw new Error('usePanel: the browser starts in before(); use it inside a test');
      return browser;
    },
    get page() { return opened().page; },
    get errors() { return opened().errors; },
    get strayRequests() { return opened().strayRequests; },
    posted: () => opened().posted(),
    post: (message) => opened().post(message),
    screenshot: (name, selector) => opened().screenshot(name, selector),
    close: () => opened().close(),
  };
}

/**
 * Opens a page with one chart: bundles `modulePath` (relative to the repo root), then calls
 * `exports[exportName](container, data, options)` in a container of the given size. The chart's
 * returned handle is kept as `window.__chart` for update/destroy calls from the test.
 */
export async function openChart(browser: Browser, spec: {
  modulePath: string; exportName: string; data: unknown; options?: unknown; containerWidth?: number; containerHeight?: number;
  /**
   * Source of a function run in the page on `data` before the chart gets it, e.g. to build a
   * 2,000 × 2,000 Float32Array there instead of shipping 4 million numbers as JSON.
   */
  prepare?: string;
} & OpenOptions): Promise<WebviewPage> {
  const js = await moduleBundle(spec.modulePath);
  const payload = JSON.stringify({ data: spec.data, options: spec.options ?? {} });
  const boot = `
    (() => {
      const spec = JSON.parse(document.getElementById('chart-spec').textContent);
      const data = (${spec.prepare ?? '(d) => d'})(spec.data);
      const options = spec.options;
      const el = document.createElement('div');
      el.id = 'chart';
      el.className = 'mechlens-standalone-chart';
      ${spec.containerWidth ? `el.style.width = '${spec.containerWidth}px';` : ''}
      ${spec.containerHeight ? `el.style.height = '${spec.containerHeight}px';` : ''}
      document.body.appendChild(el);
      window.__chart = window.__module[${JSON.stringify(spec.exportName)}](el, data, options);
      el.setAttribute('data-rendered', 'true');
    })();`;
  const wp = await openPage(browser, spec, {
    '/chart.js': { body: js, type: 'text/javascript' },
    '/boot.js': { body: boot, type: 'text/javascript' },
  }, []);
  // Page-side code is passed as strings: the test tsconfig has no DOM types.
  await wp.page.evaluate(`(() => {
    const data = document.createElement('script');
    data.type = 'application/json';
    data.id = 'chart-spec';
    data.textContent = ${JSON.stringify(payload)};
    document.body.appendChild(data);
  })()`);
  // Added after the data block so boot.js finds it; the nonce lets them through the page's CSP.
  for (const file of ['chart.js', 'boot.js']) {
    await wp.page.evaluate(`new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.setAttribute('nonce', ${JSON.stringify(nonce)});
      script.src = ${JSON.stringify(`${origin}/${file}`)};
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('could not load ${file}'));
      document.body.appendChild(script);
    })`);
  }
  await wp.page.waitForSelector('[data-rendered="true"]');
  return wp;
}

/** The Inspector side view (test/webview/fixtures/inspector-entry.ts) showing `data`, at a side bar's width. */
export function openInspector(browser: Browser, data: unknown, theme: Theme = 'dark'): Promise<WebviewPage> {
  return openChart(browser, { modulePath: 'test/webview/fixtures/inspector-entry.ts', exportName: 'inspector', data, theme, width: 360, height: 700, containerWidth: 330 });
}

/**
 * Saves the Inspector's picture of `data` as `<shot>.png` from `dark` (a page the test has checked)
 * and as `<shot>-light.png` from a fresh page in the light theme.
 */
export async function inspectorScreenshots(browser: Browser, data: unknown, dark: WebviewPage, shot: string): Promise<void> {
  await dark.screenshot(shot, '#chart');
  const light = await openInspector(browser, data, 'light');
  try {
    assert.deepEqual(light.errors, []);
    await light.screenshot(`${shot}-light`, '#chart');
  } finally {
    await light.close();
  }
}

/** A PNG that is one colour, or nearly (every channel's spread under 2 levels), is a blank render. */
export async function assertNotBlank(file: string): Promise<void> {
  const { default: sharp } = await import('sharp');
  const { channels } = await sharp(file).stats();
  const spread = Math.max(...channels.slice(0, 3).map((c) => c.stdev));
  if (!(spread >= 2)) throw new Error(`${file} is blank (colour spread ${spread.toFixed(2)})`);
}

/** The [r, g, b] of the page's pixel at (x, y) in CSS pixels, read from a screenshot of that pixel. */
export async function pixelAt(page: Page, x: number, y: number): Promise<[number, number, number]> {
  const { default: sharp } = await import('sharp');
  const png = await page.screenshot({ clip: { x: Math.floor(x), y: Math.floor(y), width: 1, height: 1 } });
  const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [data[0], data[1], data[2]];
}
