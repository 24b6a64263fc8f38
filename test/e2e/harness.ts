// Drives real VS Code (code-server 4.100.3, VS Code 1.100.3) from Chromium the way a person does:
// command palette, quick picks, explorer context menu, the workspace trust dialog, and MechLens's
// webview panels. scripts/run-e2e.mjs packages and installs the .vsix and sets the environment:
//   MECHLENS_CODE_SERVER     code-server's package folder (holds out/node/entry.js)
//   MECHLENS_E2E_EXTENSIONS  an extensions folder with the .vsix installed
// Every wait is on a selector or a condition with a generous timeout; nothing sleeps blindly.
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { after, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromiumExecutable } from '../../scripts/chromium.mjs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.join(__dirname, '..', '..');
/** The suite's screenshots; `node scripts/run-e2e.mjs --update-screenshots` copies them to docs/screenshots/ afterwards. */
export const screenshotDir = path.join(repoRoot, 'out', 'e2e', 'screenshots');
/** Logs and failure screenshots of each session; kept after the run for whoever reads a failure. */
export const artifactDir = path.join(repoRoot, 'out', 'e2e', 'artifacts');

/** VS Code in a 2-core container can take tens of seconds for a first render or a worker start. */
export const LONG = 120_000;
export const MEDIUM = 30_000;

export type TrustAnswer = 'trust' | 'restricted';

export interface SessionOptions {
  /** The folder opened as the workspace; the test fills it. */
  workspace: string;
  /** How the test answers the workspace trust dialog. */
  trust: TrustAnswer;
  /** Extra user settings, merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** Name used for the artifact folder. */
  name: string;
  /**
   * Lets MechLens open its walkthrough on first activation, as on a new install. Off by default:
   * it takes the focus from whatever picker a test opens first.
   */
  walkthrough?: boolean;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value || !existsSync(value)) {
    throw new Error(`${name} is not set or does not exist (${value ?? 'unset'}); run the suite with \`npm run test:e2e\` (scripts/run-e2e.mjs), which sets it.`);
  }
  return value;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Writes the workspace's .vscode/settings.json. */
export function writeWorkspaceSettings(workspace: string, settings: Record<string, unknown>): void {
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** A workspace folder in the temp dir holding a copy of samples/. */
export function makeWorkspace(prefix = 'mechlens-e2e-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const samples = path.join(dir, 'samples');
  mkdirSync(samples);
  for (const name of ['space-furniture-fruit.words', 'next-word.words', 'him-her.sentences']) {
    const from = path.join(repoRoot, 'samples', name);
    if (existsSync(from)) writeFileSync(path.join(samples, name), readFileSync(from));
  }
  return dir;
}

/** The session of one test file, started by `sessionForFile`. */
export interface FileSession {
  readonly session: VsCodeSession;
  readonly workspace: string;
  /** Runs a test's body; when it fails, saves a screenshot named after the test first. */
  onFailure<T>(t: TestContext, body: () => Promise<T>): Promise<T>;
}

/**
 * One VS Code session for the tests of a file: before them, a workspace from `makeWorkspace`
 * that `prepare` fills and returns the session's options for, then the session started and
 * `started` run on it; after them, the session closed and the workspace removed. Node 20 starts a
 * file's top-level before hook as soon as it is registered: `prepare` runs before this function
 * returns (it cannot use the returned object; it gets the workspace), and another top-level
 * before() would run beside this one, without the session: put such work in `started`.
 */
export function sessionForFile(name: string, prepare: (workspace: string) => Omit<SessionOptions, 'workspace' | 'name'>,
  started?: (session: VsCodeSession) => Promise<void>): FileSession {
  let session: VsCodeSession | undefined;
  let workspace: string | undefined;
  before(async () => {
    workspace = makeWorkspace();
    session = await VsCodeSession.start({ ...prepare(workspace), workspace, name });
    await started?.(session);
  });
  after(async () => {
    await session?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${name} session did not start; see the before hook's error`);
    return value;
  };
  return {
    get session() { return ready(session); },
    get workspace() { return ready(workspace); },
    onFailure: (t, body) => ready(session).guard(t.name, body),
  };
}

/** Runs the built CLI (dist/cli.js) as `mechlens <args> --json FILE` and returns what it wrote there. */
export function runCliJson<T>(args: readonly string[]): T {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'mechlens-e2e-cli-'));
  try {
    const out = path.join(outDir, 'result.json');
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...args, '--json', out], { encoding: 'utf8' });
    assert.equal(result.status, 0, `CLI ${args[0]} failed: ${result.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Asserts that the number a panel shows is `expected` rounded to the digits shown (in exponent
 * notation, to the mantissa's digits). A bound such as "< 0.001" is not a number: strip it first.
 */
export function assertShownValue(shown: string, expected: number, what: string): void {
  const text = shown.replace(/\u2212/g, '-').trim();
  const value = Number(text);
  assert.ok(Number.isFinite(value), `${what}: "${shown}" is not a number`);
  const [mantissa, exponent = '0'] = text.split(/e/i);
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  assert.ok(Math.abs(value - expected) <= 0.5 * 10 ** (Number(exponent) - decimals) + 1e-12, `${what}: panel shows ${shown}, CLI says ${expected}`);
}

/** `assertShownValue` for a p value, which the panel may show as a bound ("< 0.001", "≤ 0.01"): the bound's number. */
export function assertShownP(shown: string, expected: number, what: string): void {
  assertShownValue(shown.replace(/^\s*[<≤]\s*/, ''), expected, what);
}

const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'always',
  'security.workspace.trust.untrustedFiles': 'open',
  'window.restoreWindows': 'none',
  'git.enabled': false,
  'editor.accessibilitySupport': 'off',
  'workbench.colorTheme': 'Default Dark Modern',
};

export class VsCodeSession {
  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    private readonly userDataDir: string,
    readonly artifacts: string,
    readonly workspace: string,
  ) {}

  /** Starts code-server and Chromium and waits for the workbench; the caller must `close()` in `after`. */
  static async start(options: SessionOptions): Promise<VsCodeSession> {
    const codeServer = requiredEnv('MECHLENS_CODE_SERVER');
    const extensionsDir = requiredEnv('MECHLENS_E2E_EXTENSIONS');
    const artifacts = path.join(artifactDir, options.name);
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'mechlens-e2e-user-'));
    mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    const walkthrough = options.walkthrough === true ? { 'workbench.welcomePage.walkthroughs.openOnInstall': true } : {};
    writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...walkthrough, ...options.settings }, null, 2));
    // An empty config file keeps code-server from writing ~/.config/code-server/config.yaml.
    const configFile = path.join(userDataDir, 'config.yaml');
    writeFileSync(configFile, '');
    const port = await freePort();
    const log = createWriteStream(path.join(artifacts, 'code-server.log'));
    const server = spawn(process.execPath, [
      path.join(codeServer, 'out/node/entry.js'),
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      options.workspace,
    ], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', MECHLENS_WALKTHROUGH: options.walkthrough === true ? undefined : 'off' } });
    server.stdout?.pipe(log);
    server.stderr?.pipe(log);

    let browser: Browser | undefined;
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, server, LONG);
      browser = await chromium.launch({
        executablePath: chromiumExecutable(),
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      page.setDefaultTimeout(MEDIUM);
      const consoleLog = createWriteStream(path.join(artifacts, 'browser-console.log'));
      page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));
      const session = new VsCodeSession(page, browser, server, userDataDir, artifacts, options.workspace);
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`, { timeout: LONG });
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: LONG });
      await session.answerTrustDialog(options.trust);
      await page.locator('.explorer-folders-view').first().waitFor({ timeout: LONG });
      // Trusting restarts the extension host; commands and menus settle once it has started.
      await page.locator('.part.statusbar', { hasText: 'Activating Extensions' }).waitFor({ state: 'hidden', timeout: LONG });
      // MechLens's activity bar entry appears once VS Code has registered the extension's contributions.
      await page.locator('.part.activitybar .action-item a[aria-label^="MechLens"]').first().waitFor({ state: 'attached', timeout: LONG });
      return session;
    } catch (err) {
      await browser?.close().catch(() => undefined);
      killTree(server);
      throw err;
    }
  }

  /** The code-server process; its descendants include the extension host (panels.e2e.ts reads its memory). */
  get serverPid(): number | undefined {
    return this.server.pid;
  }

  /** The trust dialog appears once the workbench restores; `startupPrompt: always` makes it certain. */
  private async answerTrustDialog(answer: TrustAnswer): Promise<void> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: /trust the authors/i }).waitFor({ state: 'visible', timeout: LONG });
    const label = answer === 'trust' ? /Yes, I trust the authors/i : /No, I don.t trust the authors/i;
    await dialog.getByRole('button', { name: label }).click();
    await dialog.waitFor({ state: 'hidden', timeout: MEDIUM });
  }

  /** Opens the palette (F1) and runs the command whose label matches `label` exactly. */
  async runCommand(label: string): Promise<void> {
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: exactText(label) }) }).first();
    // A panel revealed or drawn just then can take the focus, which closes the palette before the
    // text is typed, before the row shows, or between the row showing and the click (CI saw the
    // last: 30 s of "element is not visible"). Open it again and click again, a few times, before
    // giving up. A click that timed out never reached the row, so retrying cannot run it twice.
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= 3;
      try {
        await this.openPalette(label, last ? undefined : 8_000);
        await row.waitFor({ state: 'visible', timeout: last ? undefined : 8_000 });
        await row.click({ timeout: last ? undefined : 5_000 });
        return;
      } catch (err) {
        if (last) throw err;
      }
    }
  }

  /** The labels of the palette's commands that match `filter`. */
  async paletteCommands(filter: string): Promise<string[]> {
    await this.openPalette(filter);
    const rows = this.quickInputRows();
    await rows.first().waitFor({ state: 'visible' });
    const labels = await rows.locator('.label-name').allInnerTexts();
    await this.page.keyboard.press('Escape');
    await this.quickInput().waitFor({ state: 'hidden' });
    return labels.map((l) => l.trim());
  }

  private async openPalette(text: string, timeout?: number): Promise<void> {
    const input = this.quickInput().locator('.quick-input-box input');
    for (let attempt = 0; ; attempt++) {
      // A quick input still open would take the text meant for the palette: close it first, and
      // check that F1 really opened the palette ('>' prefix). No focusing click first: even as a
      // trial click it landed on the export buttons of the panel below, opening a save dialog.
      for (let i = 0; i < 5 && await this.quickInput().isVisible(); i++) {
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(200);
      }
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      if ((await input.inputValue()).startsWith('>') || attempt >= 2) break;
    }
    await input.fill(`>${text}`, { timeout });
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  quickInputRows(): Locator {
    return this.quickInput().locator('.quick-input-list .monaco-list-row');
  }

  /** Waits for a quick pick titled `title` (substring) and returns its row labels. */
  async quickPickLabels(title: string | RegExp): Promise<string[]> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    await this.quickInputRows().first().waitFor({ state: 'visible' });
    return (await this.quickInputRows().locator('.label-name').allInnerTexts()).map((l) => l.trim());
  }

  /**
   * Picks the row whose label matches `label` in the quick pick titled `title`. The list is
   * virtualized, so `filter` is typed first to bring a row far down the list into view.
   */
  async pickQuickItem(title: string | RegExp, label: string | RegExp, filter?: string): Promise<void> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    if (filter !== undefined) await this.quickInput().locator('.quick-input-box input').fill(filter);
    const row = this.quickInputRows().filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Accepts the value an input box titled `title` offers; returns that value. */
  async acceptInputBox(title: string | RegExp): Promise<string> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    await this.quickInput().locator('.quick-input-list').waitFor({ state: 'hidden' });
    const input = this.quickInput().locator('.quick-input-box input');
    const value = await input.inputValue();
    await input.press('Enter');
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden' });
    return value;
  }

  /** Accepts the row a quick pick titled `title` offers first (its default). */
  async acceptQuickPick(title: string | RegExp): Promise<void> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    await this.quickInputRows().first().waitFor({ state: 'visible' });
    await this.quickInput().locator('.quick-input-box input').press('Enter');
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden' });
  }

  /**
   * Replaces the text of the input box titled `title` and accepts it. The quick input widget is
   * reused between a quick pick and the input box that follows it, so this first waits for the
   * pick's list to go away: typing earlier would go to the closing pick.
   */
  async answerInputBox(title: string | RegExp, text: string): Promise<void> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
    await this.quickInput().locator('.quick-input-list').waitFor({ state: 'hidden' });
    const input = this.quickInput().locator('.quick-input-box input');
    await input.fill(text);
    await this.page.waitForFunction(
      `document.querySelector('.quick-input-widget .quick-input-box input')?.value === ${JSON.stringify(text)}`);
    // The validation message updates asynchronously; Enter is ignored while it is shown.
    await this.page.waitForFunction("!document.querySelector('.quick-input-widget .monaco-inputbox.error')", undefined, { timeout: MEDIUM }).catch(() => undefined);
    await input.press('Enter');
  }

  /**
   * Sets a boolean user setting the way a person does: searched for in the Settings editor and
   * ticked or unticked there; the editor is closed again. `title` is the row's title ("New Panel Per Run").
   */
  async setBooleanSetting(key: string, title: string, value: boolean): Promise<void> {
    await this.runCommand('Preferences: Open Settings (UI)');
    const editor = this.page.locator('.settings-editor');
    await editor.waitFor({ state: 'visible', timeout: LONG });
    await editor.locator('.settings-header .suggest-input-container').click();
    await this.page.keyboard.type(key);
    const row = editor.locator('.setting-item-bool', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: LONG });
    const box = row.locator('.setting-value-checkbox').first();
    if ((await box.getAttribute('aria-checked')) !== String(value)) await box.click();
    await row.locator(`.setting-value-checkbox[aria-checked="${value}"]`).first().waitFor({ state: 'visible', timeout: MEDIUM });
    await this.runCommand('View: Close Editor');
    await editor.waitFor({ state: 'detached', timeout: MEDIUM }).catch(() => editor.waitFor({ state: 'hidden', timeout: MEDIUM }));
  }

  /** The explorer row of a file or folder; folders along `relativePath` are expanded first. */
  async explorerItem(relativePath: string): Promise<Locator> {
    const parts = relativePath.split('/');
    const explorer = this.page.locator('.explorer-folders-view');
    await explorer.waitFor({ state: 'visible', timeout: LONG });
    let row: Locator | undefined;
    for (let i = 0; i < parts.length; i++) {
      row = explorer.locator(`.monaco-list-row[aria-level="${i + 1}"]`).filter({ has: this.page.locator('.label-name', { hasText: exactText(parts[i]) }) }).first();
      await row.waitFor({ state: 'visible', timeout: LONG });
      if (i < parts.length - 1 && (await row.getAttribute('aria-expanded')) !== 'true') {
        await row.click();
        await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: MEDIUM });
      }
    }
    return row!;
  }

  /**
   * Right-clicks a file in the explorer and chooses `entry` from the context menu. A menu opened
   * while VS Code is still registering contributions lacks the entry, so it is reopened until then.
   */
  async explorerContextMenu(relativePath: string, entry: string): Promise<void> {
    const row = await this.explorerItem(relativePath);
    const item = this.page.locator('.context-view .monaco-menu .action-item', { has: this.page.locator('.action-label', { hasText: exactText(entry) }) }).first();
    await retry(async () => {
      await row.click({ button: 'right' });
      await this.page.locator('.context-view .monaco-menu .action-item').first().waitFor({ state: 'visible' });
      if (await item.isVisible()) return true;
      await this.page.keyboard.press('Escape');
      return false;
    }, `context menu of ${relativePath} never showed "${entry}"`);
    await item.hover();
    await item.click();
    // A click that lands while the menu is still settling can be swallowed; the hovered entry has
    // keyboard focus then, so Enter runs it.
    const menu = this.page.locator('.context-view .monaco-menu');
    if (!(await menu.waitFor({ state: 'hidden', timeout: 3000 }).then(() => true, () => false))) {
      await this.page.keyboard.press('Enter');
      await menu.waitFor({ state: 'hidden' });
    }
  }

  /** The labels of the explorer context menu of a file; the menu is closed again. */
  async explorerContextMenuLabels(relativePath: string): Promise<string[]> {
    const row = await this.explorerItem(relativePath);
    await row.click({ button: 'right' });
    const labels = this.page.locator('.context-view .monaco-menu .action-item .action-label');
    await labels.first().waitFor({ state: 'visible' });
    const texts = (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    await this.page.keyboard.press('Escape');
    await this.page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden' });
    return texts;
  }

  /** The editor tab whose title contains `title`. */
  tab(title: string | RegExp): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: title });
  }

  /**
   * The content frame of the visible webview. VS Code hosts each webview in an `iframe.webview`
   * whose document holds the extension's page in `iframe#active-frame`; hidden webviews stay in the
   * DOM, so only the visible one is taken.
   */
  async webview(readySelector: string, timeout = LONG): Promise<FrameLocator> {
    const outer = this.page.locator('iframe.webview.ready:visible').first();
    await outer.waitFor({ state: 'visible', timeout });
    const frame = this.page.frameLocator('iframe.webview.ready:visible').first().frameLocator('iframe#active-frame');
    await frame.locator(readySelector).first().waitFor({ state: 'visible', timeout });
    return frame;
  }

  /**
   * Saves the run shown in `panel` with its Save run button, accepting the default .mechlens.json
   * name in the save dialog (code-server's simple file dialog, a quick input holding the path), and
   * returns the saved file's path once MechLens says it saved it.
   */
  async saveRunFromPanel(panel: FrameLocator): Promise<string> {
    await panel.locator('vscode-button', { hasText: 'Save run' }).click();
    const input = this.quickInput().locator('.quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await this.page.waitForFunction(
      "document.querySelector('.quick-input-widget .quick-input-box input')?.value.endsWith('.mechlens.json')", undefined, { timeout: LONG });
    const savedPath = await input.inputValue();
    await input.press('Enter');
    await this.notification(/MechLens: saved .*\.mechlens\.json/).waitFor({ state: 'visible', timeout: LONG });
    return savedPath;
  }

  /** The notification toasts that contain `text`. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** The error notification toast that contains `text` (progress toasts may name the same file). */
  errorNotification(text: string | RegExp): Locator {
    return this.notification(text).filter({ has: this.page.locator('.codicon-error') }).first();
  }

  /** Clicks a button of a notification toast. */
  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    await this.notification(text).getByRole('button', { name: button }).click();
  }

  /** The "Restricted Mode" status bar entry, shown only while the workspace is not trusted. */
  restrictedModeIndicator(): Locator {
    return this.page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' });
  }

  /**
   * Shows MechLens's log in the Output panel, and waits until its log file contains `text`
   * (the file, because the panel only renders the lines scrolled into view).
   */
  async waitForLog(text: RegExp): Promise<string> {
    await this.runCommand('MechLens: Show Log');
    await this.page.locator('.part.panel .view-lines').first().waitFor({ state: 'visible', timeout: LONG });
    let log = '';
    await retry(async () => {
      log = readExtensionLogs(path.join(this.userDataDir, 'logs'));
      return text.test(log);
    }, `MechLens's log never matched ${text}`);
    return log;
  }

  /** Closes every editor and panel, so the next webview is the only one on screen. */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await this.page.locator('iframe.webview.ready:visible').first().waitFor({ state: 'detached', timeout: MEDIUM }).catch(async () => {
      await this.page.locator('iframe.webview.ready:visible').first().waitFor({ state: 'hidden', timeout: MEDIUM });
    });
  }

  /** Saves a PNG of the whole window under out/e2e/screenshots/ (see screenshotDir) and returns its path. */
  async screenshot(name: string, clip?: Locator): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    const file = path.join(screenshotDir, name);
    if (clip) await clip.screenshot({ path: file });
    else await this.page.screenshot({ path: file });
    return file;
  }

  /** Runs a test's body; when it fails, saves a screenshot named after the test first. */
  async guard<T>(label: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      await this.captureFailure(label);
      throw err;
    }
  }

  /** Saves a failure screenshot to the artifacts folder; never throws. */
  async captureFailure(label: string): Promise<void> {
    await this.page.screenshot({ path: path.join(this.artifacts, `${label.replace(/[^\w.-]+/g, '_')}.png`) }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await killTree(this.server);
    // VS Code's own logs (extension host, MechLens's output channel) outlive the session for debugging.
    const logs = path.join(this.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, path.join(this.artifacts, 'vscode-logs'), { recursive: true });
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

/** The text of every MechLens output channel log under VS Code's logs folder. */
function readExtensionLogs(logsDir: string): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (full.includes(`${path.sep}mechlens.mechlens${path.sep}`) && entry.name.endsWith('.log')) texts.push(readFileSync(full, 'utf8'));
    }
  };
  walk(logsDir);
  return texts.join('\n');
}

/** Repeats `attempt` until it returns true, for at most `timeout` ms. */
async function retry(attempt: () => Promise<boolean>, failure: string, timeout = LONG): Promise<void> {
  const deadline = Date.now() + timeout;
  let delay = 250;
  while (Date.now() < deadline) {
    if (await attempt()) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 4000);
  }
  throw new Error(`${failure} within ${timeout / 1000} s`);
}

function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

async function waitForHttp(url: string, server: ChildProcess, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`code-server exited with code ${server.exitCode} before serving ${url}; see its log in ${artifactDir}.`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeout / 1000} s.`);
}

/** Ends code-server and the extension host it forked: they share the process group made by `detached`. */
async function killTree(server: ChildProcess): Promise<void> {
  if (server.pid === undefined || server.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-server.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
  try {
    // Extension host and file watcher children that outlived the server.
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}
