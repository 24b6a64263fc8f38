// Activation: registers every command, view, panel serializer, custom editor and language feature.
// Everything registered goes to context.subscriptions, so deactivation leaks nothing.
import * as vscode from 'vscode';
import { cachedCatalogNames, cachedModelNames, catalogEntries, modelEntries } from './catalog';
import { resolveCacheDir } from './cache-scan';
import type { CompareArgs } from './commands/compare';
import { jobCommands, recentModelKeys, type CommandContext, type JobCommand, type JobCommandServices } from './commands';
import { runCompareJob } from './jobs';
import { extensionJobs } from './job-table';
import { jobInfo, jobNames, type JobName } from '../protocol/jobs';
import { registerLanguageFeatures } from './language/outline';
import { setUpGpu } from './commands/gpu';
import { VocabularyStatusItem } from './language/vocabulary-status';
import { registerDiagnostics, type VocabularyChoice } from './language/diagnostics';
import { formatMs, Log } from './log';
import { hookModelOfNode, localPathOfNode, ModelsTreeProvider, specOfNode } from './views/models';
import { hookNodeSpec, HooksTreeProvider } from './views/hooks';
import { openSavedRun, runSavedRunAgain, ResultEditorProvider, resultEditorViewType } from './panels/open-result';
import { panelViewType, ResultPanel, ResultPanelSerializer } from './panels/panel';
import { RunHistory } from './views/run-history';
import { RecentList } from './recent';
import { browseFor, LocalInputs } from './local-inputs';
import { RunsTreeProvider } from './views/runs';
import { openSample, sampleArgument } from './commands/samples';
import { ResultStatusBar } from './panels/status-bar';
import { PanelStore } from './panels/panel-store';
import { InspectorViewProvider, PinnedViewProvider, inspectorViewId, pinnedViewId } from './views/inspector';
import { runInWorker, shutdownWorkers } from '../core/worker/client';
import { registerWordListCodeLens } from './language/code-lens';
import { effectiveSetting } from './settings';
import { ResultCache } from '../core/result-cache/store';
import { DEFAULT_MEMORY_SHARE } from '../core/memory';
import { clearResultCache, readResultCacheSettings, resultCacheDir } from './commands/result-cache-flow';

function trustedCacheDir(): string {
  const inspected = vscode.workspace.getConfiguration('mechlens').inspect<string>('cacheDirectory');
  return resolveCacheDir(effectiveSetting(inspected, vscode.workspace.isTrusted).value?.trim() || undefined);
}

/**
 * core/ reads these settings from the environment (MECHLENS_MEMORY_SHARE in core/memory.ts,
 * MECHLENS_EXECUTION_PROVIDER in core/models/capture.ts), and the long-lived job threads share the
 * host's environment (SHARE_ENV in core/worker/client.ts), so a changed setting reaches the next job.
 * A workspace may only change the memory share when trusted (it switches off a safety check).
 */
function applyEnvironmentSettings(): void {
  const config = vscode.workspace.getConfiguration('mechlens');
  const share = effectiveSetting(config.inspect<number>('memoryShare'), vscode.workspace.isTrusted).value;
  if (typeof share === 'number' && share > 0 && share <= 1) process.env.MECHLENS_MEMORY_SHARE = String(share);
  const provider = config.get<string>('executionProvider');
  if (typeof provider === 'string' && provider.trim()) process.env.MECHLENS_EXECUTION_PROVIDER = provider.trim();
}

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  applyEnvironmentSettings();
  const log = new Log();
  context.subscriptions.push(log);

  const recentRuns = new RecentList(context.globalState, 'mechlens.recentRuns', 20);
  const local = new LocalInputs(context.globalState, log);
  context.subscriptions.push(local);
  const statusBar = new ResultStatusBar();
  const inspector = new InspectorViewProvider(context.extensionUri, log,
    (input, control) => runInWorker('pairLayers', { ...input, cacheDir: trustedCacheDir() }, control));
  const pinned = new PinnedViewProvider(context.extensionUri, log);
  context.subscriptions.push(statusBar, inspector, vscode.window.registerWebviewViewProvider(inspectorViewId, inspector),
    pinned, vscode.window.registerWebviewViewProvider(pinnedViewId, pinned, { webviewOptions: { retainContextWhenHidden: true } }));
  const services: JobCommandServices = {
    extensionUri: context.extensionUri,
    log,
    recentRuns,
    runHistory: new RunHistory(vscode.Uri.joinPath(context.globalStorageUri, 'runs').fsPath, recentRuns,
      () => void vscode.commands.executeCommand('mechlens.refreshRuns')),
    statusBar,
    onSelection: (panel, items, focus) => inspector.inspect(panel, items, focus),
    pins: { board: pinned.board, revealView: () => pinned.reveal() },
    // Per workspace when there is one: the store prunes files it does not list.
    panelStore: context.storageUri
      ? new PanelStore(context.workspaceState, vscode.Uri.joinPath(context.storageUri, 'panels').fsPath)
      : new PanelStore(context.globalState, vscode.Uri.joinPath(context.globalStorageUri, 'panels').fsPath),
    runCompare: runCompareJob,
    catalog: catalogEntries,
    cachedCatalogNames: (cacheDir) => cachedCatalogNames(cacheDir ? resolveCacheDir(cacheDir) : trustedCacheDir()),
    models: modelEntries,
    cachedModelNames: (cacheDir) => cachedModelNames(cacheDir ? resolveCacheDir(cacheDir) : trustedCacheDir()),
    recentSources: {
      a: new RecentList(context.globalState, 'mechlens.recentSources.a'),
      b: new RecentList(context.globalState, 'mechlens.recentSources.b'),
    },
    recentTemplates: new RecentList(context.globalState, 'mechlens.recentTemplates', 5),
    local,
    // Read at each run, so turning the setting off takes effect at once.
    resultCache: (cacheDir) => {
      const cacheSettings = readResultCacheSettings((key) => vscode.workspace.getConfiguration('mechlens').get(key));
      return cacheSettings.enabled ? new ResultCache(resultCacheDir(cacheDir ? resolveCacheDir(cacheDir) : trustedCacheDir()), cacheSettings.maxBytes) : undefined;
    },
  };

  const runs = new RunsTreeProvider(recentRuns);
  const models = new ModelsTreeProvider(catalogEntries, trustedCacheDir, local);
  const modelsView = vscode.window.createTreeView('mechlens.models', { treeDataProvider: models, showCollapseAll: true });
  const hooks = new HooksTreeProvider();
  const hooksView = vscode.window.createTreeView('mechlens.hooks', { treeDataProvider: hooks, showCollapseAll: true });
  hooks.view = hooksView;
  const showHooks = (node: unknown, reveal: boolean) => {
    try {
      const model = hookModelOfNode(node);
      if (!model) return;
      hooks.setModel(model);
      if (reveal) void vscode.commands.executeCommand('mechlens.hooks.focus');
    } catch (err) {
      log.error('Could not read the model config for its hook points', err);
      void vscode.window.showErrorMessage(err instanceof Error ? err.message : String(err), 'Open Log').then((a) => { if (a) log.show(); });
    }
  };

  const commandContext: CommandContext = {
    services,
    recent: (key, max) => new RecentList(context.globalState, key, max),
  };
  /** Every job command fails the same way: the log gets the error, the user one sentence and Open Log. */
  const reportFailure = (job: JobName) => (err: unknown) => {
    log.error(`${jobInfo[job].title} failed`, err);
    void vscode.window.showErrorMessage(`MechLens: ${jobInfo[job].title} failed. The log has the details.`, 'Open Log')
      .then((action) => { if (action) log.show(); });
  };
  const runJobCommand = <J extends JobName>(job: J, args: Parameters<JobCommand<J>>[1]) =>
    jobCommands[job](commandContext, args).catch(reportFailure(job));
  const compare = (args: CompareArgs) => runJobCommand('compare', args);

  /**
   * What a word list or sentence set is checked against: the setting; else, for a word list, the last
   * source A of Compare Embeddings (a vector set or a model); else the model used last; else the default model.
   */
  const diagnosticsVocabulary = (kind: 'words' | 'sentences'): VocabularyChoice | undefined => {
    const config = vscode.workspace.getConfiguration('mechlens');
    const chosen = effectiveSetting(config.inspect<string>('diagnostics.vocabulary'), vscode.workspace.isTrusted).value?.trim();
    if (chosen === 'off') return undefined;
    const lastSource = kind === 'words' ? services.recentSources.a.items()[0] : undefined;
    const lastModel = (job: 'contrast' | 'attention') => commandContext.recent(recentModelKeys[job], 8).items()[0];
    const spec = chosen || lastSource || lastModel('contrast') || lastModel('attention')
      || effectiveSetting(config.inspect<string>('contrast.defaultModel'), vscode.workspace.isTrusted).value?.trim();
    return spec ? { spec, cacheDir: trustedCacheDir() } : undefined;
  };

  const vocabularyStatus = new VocabularyStatusItem(diagnosticsVocabulary, () => [...services.recentSources.a.items(),
    ...commandContext.recent(recentModelKeys.contrast, 8).items(), ...commandContext.recent(recentModelKeys.attention, 8).items()]);
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(panelViewType, new ResultPanelSerializer(services)),
    vscode.window.registerCustomEditorProvider(resultEditorViewType, new ResultEditorProvider(services), {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    runs,
    models,
    vscode.window.createTreeView('mechlens.runs', { treeDataProvider: runs, showCollapseAll: true }),
    modelsView,
    hooksView,
    hooks,
    modelsView.onDidChangeSelection((e) => showHooks(e.selection[0], false)),
    vscode.commands.registerCommand('mechlens.showHookPoints', (node?: unknown) => showHooks(node ?? modelsView.selection[0], true)),
    vscode.commands.registerCommand('mechlens.copyHookName', async (node?: unknown) => {
      const hook = hookNodeSpec(node);
      if (!hook) return;
      await vscode.env.clipboard.writeText(hook.name);
      vscode.window.setStatusBarMessage(`$(copy) Copied ${hook.name}`, 3000);
    }),
    vscode.commands.registerCommand('mechlens.useHookAsSource', (node?: unknown) => compare({ presetA: hookNodeSpec(node)?.spec })),
    registerLanguageFeatures(),
    registerWordListCodeLens(),
    registerDiagnostics({ log, vocabulary: diagnosticsVocabulary }),
    vocabularyStatus,
    vscode.commands.registerCommand('mechlens.chooseDiagnosticsVocabulary', () => vocabularyStatus.choose()),
    // One command per job of the job table; from the explorer or an editor, the file comes as `uri`;
    // from a walkthrough button, a sample by name ({ sample: "him-her.sentences" }).
    ...jobNames.map((job) => vscode.commands.registerCommand(extensionJobs[job].command,
      (uri?: unknown) => runJobCommand(job, { uri: uri instanceof vscode.Uri ? uri : sampleArgument(context.extensionUri, uri) }))),
    vscode.commands.registerCommand('mechlens.attentionHeadsOnSelection', () => runJobCommand('heads', { selection: true })),
    vscode.commands.registerCommand('mechlens.logitAttributionOnSelection', () => runJobCommand('attribution', { selection: true })),
    vscode.commands.registerCommand('mechlens.logitLensOnSelection', () => runJobCommand('lens', { selection: true })),
    vscode.commands.registerCommand('mechlens.useAsSource', (node?: unknown) => compare({ presetA: specOfNode(node) })),
    vscode.commands.registerCommand('mechlens.runSavedRunAgain', (uri?: unknown) => runSavedRunAgain(uri)),
    vscode.commands.registerCommand('mechlens.openResult', (uri?: unknown) => openSavedRun(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('mechlens.openRun', (uri?: unknown) => openSavedRun(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('mechlens.showLog', () => log.show()),
    vscode.commands.registerCommand('mechlens.openSample', () => openSample(context.extensionUri)),
    vscode.commands.registerCommand('mechlens.refreshRuns', () => runs.refresh()),
    vscode.commands.registerCommand('mechlens.refreshModels', () => { local.refresh(); models.refresh(); }),
    vscode.commands.registerCommand('mechlens.addLocal', () => addLocalItem(local, log)),
    vscode.commands.registerCommand('mechlens.removeLocal', (node?: unknown) => {
      const p = localPathOfNode(node);
      if (p) void local.remove(p);
    }),
    vscode.commands.registerCommand('mechlens.clearResultCache', () => clearResultCache(trustedCacheDir(), log).catch((err: unknown) => {
      log.error('Clearing the result cache failed', err);
      void vscode.window.showErrorMessage(`MechLens: could not clear the result cache in ${resultCacheDir(trustedCacheDir())} (${err instanceof Error ? err.message : String(err)}). Delete the folder by hand, or see the log.`, 'Open Log')
        .then((action) => { if (action) log.show(); });
    })),
    vscode.commands.registerCommand('mechlens.revealCacheFolder', () => vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(trustedCacheDir()))),
    vscode.commands.registerCommand('mechlens.setUpGpu', () => setUpGpu({ log, cacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'gpu').fsPath })),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mechlens.cacheDirectory')) models.refresh();
      if (e.affectsConfiguration('mechlens.memoryShare') || e.affectsConfiguration('mechlens.executionProvider')) {
        applyEnvironmentSettings();
        // The next job reads these (job threads share this environment); the log says what is now in effect.
        log.info(`Settings changed: memory share ${process.env.MECHLENS_MEMORY_SHARE ?? DEFAULT_MEMORY_SHARE}, execution provider ${process.env.MECHLENS_EXECUTION_PROVIDER ?? 'auto'}`);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('Workspace trusted: workspace settings for paths and sources now apply');
      applyEnvironmentSettings();
      models.refresh();
    }),
    { dispose: () => ResultPanel.disposeAll() },
  );

  openWalkthroughOnFirstInstall(context, log);
  log.info(`MechLens ${String(context.extension.packageJSON.version)} activated in ${formatMs(performance.now() - started)} ` +
    `(workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted: path settings from the workspace are ignored'})`);
}

/**
 * MechLens's own walkthrough, once per install: VS Code opens its own Welcome page on a new install,
 * where MechLens's steps are one link among many.
 */
function openWalkthroughOnFirstInstall(context: vscode.ExtensionContext, log: Log): void {
  const key = 'mechlens.walkthroughShown';
  if (context.globalState.get<boolean>(key)) return;
  // Whoever turned off walkthroughs on install (as the end-to-end harness does) gets none from MechLens either.
  if (vscode.workspace.getConfiguration('workbench').get<boolean>('welcomePage.walkthroughs.openOnInstall') === false) return;
  // code-server's extension host does not see that user setting (it opened the walkthrough over the
  // end-to-end harness's first picker), so managed installs and the harness can also say it here.
  if (process.env.MECHLENS_WALKTHROUGH === 'off') return;
  void context.globalState.update(key, true);
  log.info('First activation: opening the Get Started with MechLens walkthrough');
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#mechlens.gettingStarted`, false);
}

/** "Add Local…": a checkpoint folder or a vector file from anywhere on this machine, offered from then on. */
async function addLocalItem(local: LocalInputs, log: Log): Promise<void> {
  const uri = await browseFor(local, {
    canSelectFiles: true, canSelectFolders: true, openLabel: 'Add', title: 'MechLens: add a model folder (config.json + safetensors) or a vector file',
  });
  if (!uri) return;
  const { item, problem } = await local.add(uri.fsPath);
  if (problem) {
    void vscode.window.showWarningMessage(`MechLens: ${problem}`);
    return;
  }
  log.info(`Added ${item?.kind === 'model' ? 'model folder' : 'vector file'} ${uri.fsPath} to the local items`);
  void vscode.window.showInformationMessage(`MechLens: added ${item?.name}; every picker offers it under "On this machine".`);
}

export function deactivate(): Promise<void> {
  // Everything else is in context.subscriptions; VS Code disposes it. The job threads outlive single
  // runs (core/worker/client.ts), so they are ended here.
  return shutdownWorkers();
}
