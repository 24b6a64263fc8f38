// The steps the job commands (compare, attention, contrast) share: finding the input file, the
// stepped quick pick, the model question, the untrusted-settings warning, the cancellable run
// behind a progress notification, and the report of a failure. Each command keeps its own wording.
import * as vscode from 'vscode';
import path from 'node:path';
import { MechLensError } from '../../core/errors';
import type { RunControl } from '../../core/run-control';
import type { JobName, RerunParamsOf } from '../../protocol/jobs';
import type { Result } from '../../protocol/result';
import { extensionJobs, type RerunContexts } from '../job-table';
import { buildModelPickRows, type ModelPickRow } from './model-hook-picks';
import { browseFor, type LocalInputs } from '../local-inputs';
import type { LocalModel } from '../local-scan';
import { checkVectorFile, validateModelText } from './input-checks';
import { specForFile, type SourcePickRow } from './source-picks';
import { userFacingMessage } from '../error-message';
import { formatMs, type Log } from '../log';
import type { PanelServices, ResultPanel } from '../panels/panel';
import type { RecentList } from '../recent';
import { settingsNamedInFiles } from '../workspace-settings-scan';

interface TargetFileArgs {
  uri?: vscode.Uri;
  askForFile?: boolean;
}

interface TargetFileQuestion {
  /** Which active editor's file counts as the input without asking. */
  pattern: RegExp;
  filters: Record<string, string[]>;
  openLabel: string;
  title: string;
}

/** The explorer's file first, then the active editor's if it looks like the input, else an open dialog. */
export async function pickTargetFile(args: TargetFileArgs, question: TargetFileQuestion, local?: LocalInputs): Promise<vscode.Uri | undefined> {
  if (args.uri && args.uri.scheme === 'file') return args.uri;
  const active = vscode.window.activeTextEditor?.document;
  if (!args.askForFile && active && active.uri.scheme === 'file' && question.pattern.test(active.uri.fsPath)) return active.uri;
  return browseFor(local, { filters: question.filters, openLabel: question.openLabel, title: question.title });
}

/** Unsaved edits would be silently ignored by a job reading the file: save them first. */
export async function saveIfDirty(uri: vscode.Uri, log?: Log): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) {
    log?.info(`Saving ${uri.fsPath} before reading it`);
    await doc.save();
  }
}

interface QuickPickStep {
  title: string;
  step: number;
  totalSteps: number;
  placeholder: string;
}

/** What a step of a multi-step question returns when its Back button (QuickInputButtons.Back) is pressed. */
export const BACK = Symbol('back');
export type Back = typeof BACK;

/** A createQuickPick rather than showQuickPick, for the step counter and a preselected row. */
export async function stepQuickPick<T extends vscode.QuickPickItem>(items: T[], o: QuickPickStep, active?: T): Promise<T | undefined> {
  const chosen = await backableQuickPick(items, { ...o, back: false }, active);
  return chosen === BACK ? undefined : chosen;
}

/** A step of a multi-step question: with `o.back`, a Back button in its title bar returns BACK. */
export async function backableQuickPick<T extends vscode.QuickPickItem>(items: T[], o: QuickPickStep & { back: boolean }, active?: T): Promise<T | Back | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = o.title;
  qp.step = o.step;
  qp.totalSteps = o.totalSteps;
  qp.placeholder = o.placeholder;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  // As the input boxes of the same questions: a command started from a walkthrough button is asked
  // while the walkthrough re-renders (it ticks the step) and takes the focus, which closed the list.
  qp.ignoreFocusOut = true;
  qp.items = items;
  if (o.back) qp.buttons = [vscode.QuickInputButtons.Back];
  if (active) qp.activeItems = [active];
  const chosen = await new Promise<T | Back | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0] ?? qp.activeItems[0]));
    qp.onDidTriggerButton((button) => { if (button === vscode.QuickInputButtons.Back) resolve(BACK); });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return chosen;
}

/**
 * An input box that checks its text as it is typed (`validate` may be async: a file's content is
 * read), with the step counter and, with `o.back`, a Back button.
 */
export async function stepInputBox(o: {
  title: string; prompt: string; value?: string; placeholder?: string; step?: number; totalSteps?: number; back?: boolean;
  validate?: (text: string) => string | undefined | Promise<string | undefined>;
}): Promise<string | Back | undefined> {
  const box = vscode.window.createInputBox();
  box.title = o.title;
  box.prompt = o.prompt;
  box.value = o.value ?? '';
  box.placeholder = o.placeholder;
  box.step = o.step;
  box.totalSteps = o.totalSteps;
  box.ignoreFocusOut = true;
  if (o.back) box.buttons = [vscode.QuickInputButtons.Back];
  let checked = 0;
  const check = async (text: string): Promise<string | undefined> => {
    const ticket = ++checked;
    const problem = await o.validate?.(text);
    // A slower check of an older text must not overwrite the newer one's.
    if (ticket === checked) box.validationMessage = problem;
    return problem;
  };
  void check(box.value);
  const answer = await new Promise<string | Back | undefined>((resolve) => {
    box.onDidChangeValue((text) => void check(text));
    box.onDidAccept(async () => {
      box.busy = true;
      const problem = await check(box.value);
      box.busy = false;
      if (!problem) resolve(box.value);
    });
    box.onDidTriggerButton((button) => { if (button === vscode.QuickInputButtons.Back) resolve(BACK); });
    box.onDidHide(() => resolve(undefined));
    box.show();
  });
  box.dispose();
  return answer;
}

/** Where a step stands in its question: the counter it shows, and whether it has a Back button. */
export interface StepAt { step: number; totalSteps: number; back: boolean }

/** One question of a multi-step command. */
export interface Step {
  /** Whether it is asked, given the answers so far (absent: always); a step not asked is not counted. */
  when?: () => boolean;
  /**
   * Asks (showing `at`'s counter and Back button), stores the answer and returns true to go on,
   * false to stop (Escape), or BACK to ask the step before again. Asked again after a Back from the
   * step after it, it offers its previous answer first.
   */
  ask: (at: StepAt) => Promise<boolean | Back>;
}

/**
 * Asks a multi-step question. The counters count only the steps asked, given the answers so far, so
 * they read (1/n)…(n/n) whichever steps are skipped; Back returns to the step asked before, past any
 * skipped ones. True when every step was answered.
 */
export async function runSteps(steps: readonly Step[]): Promise<boolean> {
  const asked = (k: number) => steps[k].when?.() ?? true;
  const history: number[] = [];
  let i = 0;
  while (i < steps.length) {
    if (!asked(i)) { i++; continue; }
    let step = 1, totalSteps = 0;
    for (let k = 0; k < steps.length; k++) {
      if (!asked(k)) continue;
      totalSteps++;
      if (k < i) step++;
    }
    const outcome = await steps[i].ask({ step, totalSteps, back: history.length > 0 });
    if (outcome === BACK) {
      i = history.pop() ?? i;
      continue;
    }
    if (!outcome) return false;
    history.push(i);
    i++;
  }
  return true;
}

/** A step's outcome from the answer to its question: Back and Escape as they are; an answer is stored and goes on. */
export function keepAnswer<T>(answer: T | Back | undefined, store: (value: T) => void): boolean | Back {
  if (answer === BACK) return BACK;
  if (answer === undefined) return false;
  store(answer);
  return true;
}

/** A source row of the source pickers (compare, match) as a QuickPickItem. */
type SourceItem = vscode.QuickPickItem & { row: SourcePickRow };

function toQuickPickItem(row: SourcePickRow): SourceItem {
  switch (row.kind) {
    case 'separator':
      return { row, label: row.label, kind: vscode.QuickPickItemKind.Separator };
    case 'spec':
      return { row, label: row.label, description: row.description, detail: row.detail, picked: row.picked };
    default:
      return { row, label: row.label, detail: row.detail, alwaysShow: true };
  }
}

/** The open dialog's filters for a vector file (GloVe and word2vec text or binary, fastText .vec, optionally .gz). */
const vectorFileFilters: Record<string, string[]> = { 'Vector files': ['txt', 'vec', 'bin', 'gz', 'w2v'], 'All files': ['*'] };

interface VectorSourceQuestion {
  /** Which source this is ("A", "B"): the open dialog says "Use as source A". */
  side: string;
  /** The quick pick's title, also the title of the "Enter a spec" box. */
  title: string;
  placeholder: string;
  at: StepAt;
  /** The rows (buildSourcePickRows); the row marked picked is preselected. */
  rows: readonly SourcePickRow[];
  /** What the "Enter a spec" box says, and its check as the spec is typed. */
  enter: { prompt: string; placeholder: string; validate: (text: string) => string | undefined | Promise<string | undefined> };
  filters?: Record<string, string[]>;
  /** Where the last open dialog ended, remembered for the next. */
  local?: LocalInputs;
}

/**
 * A vector-source step of a multi-step question (compare's sources A and B, match's source A): a row
 * of the list, a vector file browsed for (checked by content, the list again when it is not one),
 * or a typed spec (Back returns to the list).
 */
export async function pickVectorSourceStep(q: VectorSourceQuestion): Promise<string | Back | undefined> {
  const items = q.rows.map(toQuickPickItem);
  for (;;) {
    const chosen = await backableQuickPick(items, { title: q.title, ...q.at, placeholder: q.placeholder }, items.find((i) => i.row.kind === 'spec' && i.row.picked));
    if (chosen === BACK || !chosen) return chosen;
    const row = chosen.row;
    if (row.kind === 'spec') return row.spec;
    if (row.kind === 'browse') {
      const file = await browseFor(q.local, { openLabel: `Use as source ${q.side}`, title: `MechLens: vector file for source ${q.side}`, filters: q.filters ?? vectorFileFilters });
      if (!file) continue;
      const problem = await checkVectorFile(file.fsPath);
      if (!problem) return specForFile(file.fsPath);
      void vscode.window.showWarningMessage(`MechLens: ${problem}`);
      continue;
    }
    if (row.kind === 'enter') {
      // Empty, not prefilled: whoever chose to type a spec should not have to clear one first.
      const text = await stepInputBox({ title: q.title, ...q.enter, back: true, step: q.at.step, totalSteps: q.at.totalSteps });
      if (text === BACK) continue;
      return text?.trim() || undefined;
    }
    return undefined;
  }
}

/** What every model job's command uses: its panel, the log, and the model step's lists. */
export interface ModelJobServices extends PanelServices, ModelPickServices {
  log: Log;
}

interface ModelPickServices {
  cachedModelNames: (cacheDir: string | undefined) => ReadonlySet<string>;
  /** The models used by any model job, most recent first (one list for the kind, recorded on use). */
  recentModels: RecentList;
  /** Local checkpoint folders and vector files, and where the last open dialog ended. */
  local?: LocalInputs;
}

type ModelItem = vscode.QuickPickItem & { row: ModelPickRow };

/** The model step of a multi-step question (runSteps): a catalog model, a recent one, a folder, or a typed id; `previous` is offered first. */
export async function pickHookedModelStep(services: ModelPickServices, defaultModel: string, cacheDir: string | undefined,
  o: StepAt & { title: string; placeholder: string; previous?: string }): Promise<string | Back | undefined> {
  const local = (await services.local?.items() ?? []).filter((i): i is LocalModel => i.kind === 'model');
  const recent = services.recentModels.items();
  const options = { defaultModel, recent, cached: services.cachedModelNames(cacheDir), local };
  let rows = buildModelPickRows(options);
  // An answer given before Back (a folder browsed for, a typed id) is offered again even when no list has it.
  if (o.previous && !rows.some((r) => r.kind === 'model' && r.model === o.previous)) rows = buildModelPickRows({ ...options, recent: [o.previous, ...recent] });
  const items: ModelItem[] = rows.map((row) => row.kind === 'separator'
    ? { row, label: row.label, kind: vscode.QuickPickItemKind.Separator }
    : row.kind === 'model' ? { row, label: row.label, description: row.description, detail: row.detail } : { row, label: row.label, detail: row.detail, alwaysShow: true });
  const active = items.find((i) => i.row.kind === 'model' && i.row.model === o.previous) ?? items.find((i) => i.row.kind === 'model' && i.row.picked);
  for (;;) {
    const chosen = await backableQuickPick(items, { title: o.title, step: o.step, totalSteps: o.totalSteps, placeholder: o.placeholder, back: o.back }, active);
    if (chosen === BACK || !chosen) return chosen;
    const row = chosen.row;
    if (row.kind === 'model') return row.model;
    if (row.kind === 'browse') {
      const folder = await browseFor(services.local, { canSelectFiles: false, canSelectFolders: true, openLabel: 'Use this model', title: 'MechLens: model folder' });
      if (!folder) continue;
      const problem = validateModelText(folder.fsPath);
      if (!problem) return folder.fsPath;
      void vscode.window.showWarningMessage(`MechLens: ${problem} Choose a folder with config.json and model.safetensors.`);
      continue;
    }
    if (row.kind === 'enter') {
      const text = await stepInputBox({
        title: o.title, prompt: 'A Hugging Face id (gpt2, openai-community/gpt2-large) or a folder with config.json, model.safetensors and tokenizer.json',
        placeholder: 'gpt2-medium', back: true, validate: validateModelText, step: o.step, totalSteps: o.totalSteps,
      });
      if (text === BACK) continue;
      return text?.trim() || undefined;
    }
    return undefined;
  }
}

/**
 * Adds to `ignored` the workspace settings an untrusted workspace names, then warns once about them all.
 * VS Code hides restricted workspace values from inspect() in Restricted Mode, so they are read from the files.
 */
export function warnIgnoredSettings(log: Log, ignored: string[], keys: readonly string[], includeWorkspaceFile: boolean): void {
  if (!vscode.workspace.isTrusted) {
    const files = [
      ...(vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json')),
      ...(includeWorkspaceFile && vscode.workspace.workspaceFile?.scheme === 'file' ? [vscode.workspace.workspaceFile.fsPath] : []),
    ];
    for (const key of settingsNamedInFiles(files, [...keys])) {
      if (!ignored.includes(key)) ignored.push(key);
    }
  }
  if (ignored.length) {
    log.warn(`Workspace is not trusted: ignoring the workspace values of ${ignored.join(', ')}; using your user settings.`);
  }
}

/** Maps progress to the notification and, with logSteps, logs each new step with the time the previous one took. */
function progressReporter(progress: vscode.Progress<{ message?: string; increment?: number }>, log: Log, panel: ResultPanel, logSteps: boolean) {
  let stepKey = '';
  let stepName = '';
  let stepStarted = performance.now();
  let reported = 0;
  return {
    report(message: string, fraction?: number) {
      if (logSteps) {
        const key = message.replace(/[\d.,%/]+/g, '#');
        if (key !== stepKey) {
          const now = performance.now();
          if (stepName) log.info(`${stepName} — ${formatMs(now - stepStarted)}`);
          stepKey = key;
          stepName = message;
          stepStarted = now;
        }
      }
      // The job reports overall fractions; the notification wants increments.
      let increment: number | undefined;
      if (fraction !== undefined && Number.isFinite(fraction) && fraction * 100 > reported) {
        increment = Math.min(100, fraction * 100) - reported;
        reported += increment;
      }
      progress.report({ message, increment });
      panel.showProgress(message, fraction);
    },
    finish() {
      if (stepName) log.info(`${stepName} — ${formatMs(performance.now() - stepStarted)}`);
    },
  };
}

/**
 * Runs a job behind a cancellable notification; cancelling it, closing the panel or aborting `o.signal`
 * (the panel's own Cancel button during a re-run) aborts the job.
 */
export function runWithProgress<R extends Result>(log: Log, panel: ResultPanel, o: { title: string; logSteps: boolean; signal?: AbortSignal },
  run: (control: RunControl) => Promise<R>): Thenable<R> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: o.title, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      // The Cancel in the panel's own progress box aborts this run too.
      const tracked = panel.trackRun(controller);
      const cancel = token.onCancellationRequested(() => {
        log.info('Cancel requested');
        controller.abort();
      });
      // Closing the panel while the run is going means the result is no longer wanted.
      const closed = panel.onDidDispose(() => {
        log.info('Panel closed during the run: cancelling');
        controller.abort();
      });
      const abortFromOutside = () => controller.abort();
      if (o.signal?.aborted) controller.abort();
      o.signal?.addEventListener('abort', abortFromOutside, { once: true });
      const reporter = progressReporter(progress, log, panel, o.logSteps);
      try {
        const result = await run({ signal: controller.signal, onProgress: (p) => reporter.report(p.message, p.fraction) });
        panel.recordFinishedRun(result);
        return result;
      } finally {
        reporter.finish();
        tracked.dispose();
        cancel.dispose();
        closed.dispose();
        o.signal?.removeEventListener('abort', abortFromOutside);
      }
    },
  );
}

interface FailureWording {
  /** The log's name for the job: "Compare" gives "Compare cancelled" and "Compare failed". */
  name: string;
  /** What failed, for an unexpected error: "the comparison" gives "MechLens: the comparison failed unexpectedly (…)". */
  what: string;
  /** Shown as a notification on cancel, if given. */
  cancelledMessage?: string;
}

/** The button after a failure that asks again for the input the failure was about, named after it. */
interface RetryAction {
  /** "Choose Another Word List (replaces a.txt)": what is asked for, and which input it replaces. */
  label: string;
  run: () => void;
}

/** The retry button's label: what it asks for and, when known, the file it replaces. */
export function retryLabel(what: string, replaces?: string): string {
  return `Choose Another ${what}${replaces ? ` (replaces ${path.basename(replaces)})` : ''}`;
}

/**
 * Runs `attempt` (the job's run into `panel`, which reports its own failures) now, and again each
 * time the panel's "Run again" is pressed after a cancel or a failure: same inputs, same settings.
 */
export function runInPanel<R>(panel: ResultPanel, attempt: () => Promise<R>): Promise<R> {
  panel.setRunAgain(() => void attempt());
  return attempt();
}

/** The key under which a panel shows the runs of one job on one input (ResultPanel.create reuses it). */
export function jobRunKey(job: JobName, ...inputs: readonly (string | number | undefined)[]): string {
  return JSON.stringify([job, ...inputs]);
}

/** A catalog model that offline mode (or HF_HUB_OFFLINE) may not download: core/models/hub.ts's "not in the cache … does not download". */
function isOfflineModelMissing(err: unknown): boolean {
  return err instanceof MechLensError && err.code === 'not-found' && /^Model .* is not in the cache[\s\S]*does not download/.test(err.message);
}

const browseModelLabel = 'Browse for a Model Folder…';

/**
 * Tells the panel, the log and the user how a run ended when it did not produce a result; `retry` asks
 * again for the input it names. A model job passes `o.browseModel` (its model picker again, where
 * "Browse for a model folder…" is near the top), offered when offline mode cannot fetch the model.
 */
export async function reportJobFailure(err: unknown, log: Log, panel: ResultPanel, wording: FailureWording, retry: RetryAction,
  o: { browseModel?: () => void } = {}): Promise<void> {
  if (err instanceof MechLensError && err.code === 'cancelled') {
    log.info(`${wording.name} cancelled`);
    panel.showCancelled();
    if (wording.cancelledMessage) void vscode.window.showInformationMessage(wording.cancelledMessage);
    return;
  }
  log.error(`${wording.name} failed`, err);
  const message = err instanceof MechLensError
    ? userFacingMessage(err)
    : `MechLens: ${wording.what} failed unexpectedly (${err instanceof Error ? err.message : String(err)}). The log has the details.`;
  const offlineModel = o.browseModel !== undefined && isOfflineModelMissing(err);
  const shown = offlineModel ? `${message} Or use a checkpoint folder you have: ${browseModelLabel}` : message;
  panel.showError(shown);
  const action = await vscode.window.showErrorMessage(shown, 'Open Log', ...(offlineModel ? [browseModelLabel] : []), retry.label);
  if (action === 'Open Log') log.show();
  if (action === browseModelLabel) {
    panel.dispose();
    o.browseModel?.();
  }
  if (action === retry.label) {
    panel.dispose();
    retry.run();
  }
}

interface RerunSpec<J extends JobName> {
  /** Which job: its re-run check comes from the extension's job table (job-table.ts). */
  job: J;
  /** What the check needs to know from the first run (the model's layer count, hook shapes, ...). */
  context: RerunContexts[J];
  /** The log's name for the job: "Compare" gives "Compare: running again from the panel …". */
  name: string;
  /** Runs the job with the changed parameters, everything else as in the first run. */
  run: (params: RerunParamsOf<J>, control: RunControl) => Promise<Result>;
  /** Title of the progress notification. */
  title: (params: RerunParamsOf<J>) => string;
}

/**
 * Lets the panel's webview run the job again with changed parameters (its "Run again" controls):
 * the params are validated, the run goes behind the same cancellable progress as the first one
 * (notification and in-panel bar, Cancel in either), and the panel shows the new result in place.
 */
export function enableRerun<J extends JobName>(log: Log, panel: ResultPanel, spec: RerunSpec<J>): void {
  panel.setRerunHandler(async (raw, signal) => {
    const params = extensionJobs[spec.job].validateRerun(raw, spec.context);
    log.info(`${spec.name}: running again from the panel with ${JSON.stringify(params)}`);
    const started = performance.now();
    const result = await runWithProgress(log, panel, { title: spec.title(params), logSteps: false, signal }, (control) => spec.run(params, control));
    log.info(`${spec.name}: re-run finished in ${formatMs(performance.now() - started)}`);
    for (const warning of result.warnings) log.warn(warning);
    return result;
  });
}
