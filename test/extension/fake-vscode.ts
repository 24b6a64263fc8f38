// A small stand-in for the `vscode` module, enough to drive ResultPanel and its serializer under
// plain Node. It records what the extension does (posted messages, files written, dialogs shown)
// so tests can assert on it. Real VS Code behaviour is covered by the end-to-end suite.
import Module from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

export class FakeUri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(p: string): FakeUri { return new FakeUri('file', path.resolve(p)); }
  static parse(s: string): FakeUri { return s.startsWith('file://') ? FakeUri.file(decodeURIComponent(s.slice(7))) : new FakeUri(s.split(':')[0], s.slice(s.indexOf(':') + 1)); }
  static joinPath(base: FakeUri, ...segments: string[]): FakeUri { return new FakeUri(base.scheme, path.join(base.path, ...segments)); }
  get fsPath(): string { return this.path; }
  toString(): string { return `${this.scheme}://${this.path}`; }
}

type Listener<T> = (e: T) => void;
class Emitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>) => { this.listeners.push(l); return { dispose: () => { this.listeners = this.listeners.filter((x) => x !== l); } }; };
  fire(e: T): void { for (const l of [...this.listeners]) l(e); }
}

export class FakeWebviewPanel {
  readonly posted: unknown[] = [];
  readonly received = new Emitter<unknown>();
  readonly disposed = new Emitter<void>();
  readonly viewState = new Emitter<void>();
  onDidChangeViewState = this.viewState.event;
  active = true;
  isDisposed = false;
  iconPath: unknown;
  webview = {
    cspSource: 'https://fake.vscode-resource',
    html: '',
    options: {} as unknown,
    asWebviewUri: (uri: FakeUri) => `https://fake.vscode-resource${uri.path}`,
    // Like VS Code: a disposed webview throws on use.
    postMessage: (m: unknown) => { if (this.isDisposed) throw new Error('Webview is disposed'); this.posted.push(m); return Promise.resolve(true); },
    onDidReceiveMessage: this.received.event,
  };
  private panelTitle: string;
  constructor(title: string) { this.panelTitle = title; }
  // Like VS Code: a disposed panel throws on use, its title included.
  get title(): string { if (this.isDisposed) throw new Error('Webview is disposed'); return this.panelTitle; }
  set title(value: string) { if (this.isDisposed) throw new Error('Webview is disposed'); this.panelTitle = value; }
  onDidDispose = this.disposed.event;
  reveal(): void {}
  dispose(): void { if (!this.isDisposed) { this.isDisposed = true; this.disposed.fire(); } }
  /** What the webview script would do: send a message to the host. */
  send(message: unknown): void { this.received.fire(message); }
}

export const recorded = {
  panels: [] as FakeWebviewPanel[],
  saveDialogs: [] as unknown[],
  nextSaveTarget: undefined as FakeUri | undefined,
  written: new Map<string, Uint8Array>(),
  errors: [] as string[],
  infos: [] as string[],
  log: [] as string[],
  commands: [] as string[],
  /** Pages opened in the browser (env.openExternal), as scheme:path. */
  opened: [] as string[],
  config: {} as Record<string, unknown>,
  /** `inspect()` results per `mechlens.*` key. */
  inspect: {} as Record<string, Record<string, unknown>>,
  trusted: true,
  /** Answers for the next quick picks: given the items and the active ones, return the one to accept (undefined hides, 'back' presses Back). */
  quickPickAnswers: [] as ((items: QuickPickItem[], active: QuickPickItem[]) => QuickPickItem | 'back' | undefined)[],
  quickPicks: [] as { title?: string; items: QuickPickItem[]; active: QuickPickItem[]; back: boolean }[],
  /** Answers for the next input boxes (showInputBox and createInputBox); for createInputBox, BACK_ANSWER presses Back. */
  inputBoxAnswers: [] as (string | undefined)[],
  /** What each createInputBox showed: its title, first value and the validation message of the answer. */
  inputBoxes: [] as { title?: string; value: string; validation?: string; back: boolean }[],
  warnings: [] as string[],
  warningActions: [] as (string | undefined)[],
  openDialogAnswers: [] as (FakeUri[] | undefined)[],
  /** The options of every open dialog shown (where it starts, its title and filters). */
  openDialogs: [] as { defaultUri?: FakeUri; title?: string; openLabel?: string; filters?: Record<string, string[]> }[],
  errorActions: [] as (string | undefined)[],
  errorButtons: [] as string[][],
  progress: [] as { message?: string; increment?: number }[],
  /** The step counter of every quick pick and input box shown, in order: "title (step/total)". */
  steps: [] as string[],
  /** Cancels the running withProgress task, as the notification's Cancel button does. */
  cancelProgress: () => undefined as void,
};

export interface QuickPickItem { label: string; kind?: number; description?: string; detail?: string }

export const BACK_ANSWER = '\u0000back';
const backButton = { id: 'back' };

function fakeQuickPick() {
  const accept = new Emitter<void>();
  const hide = new Emitter<void>();
  const button = new Emitter<unknown>();
  const pick = {
    title: undefined as string | undefined, step: 0, totalSteps: 0, placeholder: '', matchOnDescription: false, matchOnDetail: false,
    items: [] as QuickPickItem[], activeItems: [] as QuickPickItem[], selectedItems: [] as QuickPickItem[], buttons: [] as unknown[],
    onDidAccept: accept.event, onDidHide: hide.event, onDidTriggerButton: button.event,
    show() {
      recorded.quickPicks.push({ title: pick.title, items: pick.items, active: pick.activeItems, back: pick.buttons.includes(backButton) });
      recorded.steps.push(`${pick.title} (${pick.step}/${pick.totalSteps})`);
      const answer = recorded.quickPickAnswers.shift();
      const chosen = answer?.(pick.items, pick.activeItems);
      setImmediate(() => {
        if (chosen === 'back') button.fire(backButton);
        else if (chosen) { pick.selectedItems = [chosen]; accept.fire(); } else hide.fire();
      });
    },
    dispose() {},
  };
  return pick;
}

/** createInputBox: answers from inputBoxAnswers; an answer its validation rejects fails the test, as showInputBox does. */
function fakeInputBox() {
  const accept = new Emitter<void>();
  const hide = new Emitter<void>();
  const button = new Emitter<unknown>();
  const changed = new Emitter<string>();
  const box = {
    title: undefined as string | undefined, prompt: '', value: '', placeholder: undefined as string | undefined, step: undefined as number | undefined,
    totalSteps: undefined as number | undefined, ignoreFocusOut: false, busy: false, validationMessage: undefined as string | undefined, buttons: [] as unknown[],
    onDidAccept: accept.event, onDidHide: hide.event, onDidTriggerButton: button.event, onDidChangeValue: changed.event,
    show() {
      const shown = { title: box.title, value: box.value, back: box.buttons.includes(backButton), validation: undefined as string | undefined };
      recorded.inputBoxes.push(shown);
      recorded.steps.push(`${box.title} (${box.step}/${box.totalSteps})`);
      const answer = recorded.inputBoxAnswers.shift();
      setImmediate(() => {
        if (answer === BACK_ANSWER) { button.fire(backButton); return; }
        if (answer === undefined) { hide.fire(); return; }
        box.value = answer;
        changed.fire(answer);
        accept.fire();
        // A rejected answer leaves the box open with its message: the test sees it, then the box is hidden.
        setTimeout(() => { shown.validation = box.validationMessage; if (box.validationMessage) hide.fire(); }, 50);
      });
    },
    dispose() {},
  };
  return box;
}

const channel = (name: string) => ({
  name,
  info: (m: string) => recorded.log.push(`info ${m}`),
  warn: (m: string) => recorded.log.push(`warn ${m}`),
  error: (m: string) => recorded.log.push(`error ${m}`),
  show: () => recorded.log.push('show'),
  dispose: () => undefined,
});

const configChanged = new Emitter<{ affectsConfiguration: (s: string) => boolean }>();

class FakeTreeItem {
  id?: string; description?: string; tooltip?: unknown; iconPath?: unknown; contextValue?: string; command?: unknown; resourceUri?: unknown;
  constructor(readonly label: string, readonly collapsibleState: number) {}
}

class FakeThemeIcon { constructor(readonly id: string) {} }

class FakeMarkdownString {
  value = '';
  appendText(t: string): this { this.value += t; return this; }
  appendCodeblock(code: string, lang: string): this { this.value += `\n\`\`\`${lang}\n${code}\n\`\`\`\n`; return this; }
}

class FakeEventEmitter<T> {
  private readonly emitter = new Emitter<T>();
  readonly event = this.emitter.event;
  fire(e: T): void { this.emitter.fire(e); }
  dispose(): void {}
}

export const fakeVscode = {
  Uri: FakeUri,
  TreeItem: FakeTreeItem,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: FakeThemeIcon,
  MarkdownString: FakeMarkdownString,
  EventEmitter: FakeEventEmitter,
  ViewColumn: { Beside: -2, Active: -1 },
  window: {
    createOutputChannel: channel,
    createWebviewPanel: (_viewType: string, title: string) => {
      const panel = new FakeWebviewPanel(title);
      recorded.panels.push(panel);
      return panel;
    },
    showSaveDialog: async (options: unknown) => { recorded.saveDialogs.push(options); return recorded.nextSaveTarget; },
    showInformationMessage: async (m: string) => { recorded.infos.push(m); return undefined; },
    showErrorMessage: async (m: string, ...buttons: string[]) => { recorded.errors.push(m); recorded.errorButtons.push(buttons); return recorded.errorActions.shift(); },
    createQuickPick: fakeQuickPick,
    createInputBox: fakeInputBox,
    showWarningMessage: async (m: string) => { recorded.warnings.push(m); return recorded.warningActions.shift(); },
    showInputBox: async (options: { validateInput?: (v: string) => string | undefined }) => {
      const answer = recorded.inputBoxAnswers.shift();
      if (answer !== undefined && options.validateInput?.(answer)) throw new Error(`input box would reject ${answer}`);
      return answer;
    },
    showOpenDialog: async (options: (typeof recorded.openDialogs)[number]) => { recorded.openDialogs.push(options); return recorded.openDialogAnswers.shift(); },
    activeTextEditor: undefined,
    withProgress: async <T>(_options: unknown, task: (progress: unknown, token: unknown) => Promise<T>) => {
      const cancel = new Emitter<void>();
      const token = { isCancellationRequested: false, onCancellationRequested: cancel.event };
      recorded.cancelProgress = () => { token.isCancellationRequested = true; cancel.fire(); };
      return task({ report: (p: { message?: string; increment?: number }) => recorded.progress.push(p) }, token);
    },
  },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  QuickInputButtons: { Back: backButton },
  ProgressLocation: { Notification: 15 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  workspace: {
    workspaceFolders: [{ uri: FakeUri.file('/workspace') }],
    getConfiguration: () => ({
      get: <T>(key: string, fallback: T) => (key in recorded.config ? recorded.config[key] as T : fallback),
      inspect: (key: string) => recorded.inspect[key],
      update: async (key: string, value: unknown) => { recorded.config[key] = value; },
    }),
    get isTrusted() { return recorded.trusted; },
    textDocuments: [] as unknown[],
    onDidChangeConfiguration: configChanged.event,
    asRelativePath: (u: FakeUri) => u.path,
    onDidChangeWorkspaceFolders: () => ({ dispose: () => undefined }),
    createFileSystemWatcher: () => {
      const none = () => ({ dispose: () => undefined });
      return { onDidCreate: none, onDidChange: none, onDidDelete: none, dispose: () => undefined };
    },
    findFiles: async () => [] as FakeUri[],
    fs: {
      writeFile: async (uri: FakeUri, bytes: Uint8Array) => { recorded.written.set(uri.path, bytes); },
      readFile: async (uri: FakeUri) => new Uint8Array(fs.readFileSync(uri.path)),
    },
  },
  env: { openExternal: async (uri: FakeUri) => { recorded.opened.push(`${uri.scheme}:${uri.path}`); return true; } },
  commands: { executeCommand: async (id: string, ...args: unknown[]) => { recorded.commands.push([id, ...args.map((a) => JSON.stringify(a))].join(' ')); } },
  fireConfigurationChange: (section: string) => configChanged.fire({ affectsConfiguration: (s) => section.startsWith(s) }),
};

/** Makes `require('vscode')` return the fake. Call before importing extension modules. */
export function installFakeVscode(): void {
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fakeVscode : original.call(this, request, ...rest);
  };
}
