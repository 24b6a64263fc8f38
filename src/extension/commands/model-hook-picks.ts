// The model and hook picking that every model job (contrast, attention, tokens, match, compare's
// model sources) shares, without vscode: the model and hook quick-pick rows, hook validation against
// the model's hook points, the model-job settings, and the contrast's test and correction choices.
// The commands (job-flow.ts, contrast.ts, ...) turn these rows into quick picks.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MechLensError } from '../../core/errors';
import { listHookPoints, resolveHookName, type HookShapeConfig } from '../../core/models/hooks';
import { MODEL_CATALOG } from '../../core/models/hub';
import { configForCatalogModel, configForModelFolder, formatHookShape } from '../views/hook-tree';
import { effectiveSetting, type Inspect } from '../settings';
import type { LocalModel } from '../local-scan';

export const contrastDefaults = Object.freeze({ model: 'gpt2-medium', hook: 'blocks.5.mlp.hook_pre' });

export type ModelPickRow =
  | { kind: 'separator'; label: string }
  | { kind: 'model'; model: string; label: string; description?: string; detail?: string; picked?: boolean }
  | { kind: 'browse'; label: string; detail: string }
  | { kind: 'enter'; label: string; detail: string };

function gigabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

/**
 * Recent (used) models first, then the local checkpoint folders, then Browse… and Enter…, then the
 * catalog (cached ones say so); the default is marked where it is listed. The preselected row is
 * the model used last, else the default.
 */
export function buildModelPickRows(opts: { defaultModel: string; recent: readonly string[]; cached: ReadonlySet<string>; local?: readonly LocalModel[] }): ModelPickRow[] {
  const rows: ModelPickRow[] = [];
  const seen = new Set<string>();
  const picked = opts.recent[0] ?? opts.defaultModel;
  const describe = (model: string): { description?: string; detail?: string } => {
    const entry = MODEL_CATALOG.find((m) => m.name === model || m.hubId === model);
    const description = entry ? `${entry.layers} layers · ${entry.dModel} d · ${opts.cached.has(entry.name) ? 'cached' : `download ${gigabytes(entry.approxBytes)}`}` : 'local folder';
    return { description: model === opts.defaultModel ? `default · ${description}` : description, detail: entry ? entry.description : model };
  };
  const group = (label: string, models: readonly string[]) => {
    const fresh = models.filter((m) => !seen.has(m) && seen.add(m));
    if (!fresh.length) return;
    rows.push({ kind: 'separator', label });
    for (const model of fresh) {
      const label = MODEL_CATALOG.some((m) => m.name === model) ? model : path.basename(model) || model;
      rows.push({ kind: 'model', model, label, ...describe(model), picked: model === picked });
    }
  };
  group('Recent', opts.recent);
  // The default is labelled as such (never as recent), above the long lists, so Enter on a first run takes it.
  group('Default', [opts.defaultModel]);
  group('On this machine', (opts.local ?? []).map((m) => m.path));
  // Browse… and Enter… come before the catalog: with every family's models listed, rows at the end
  // of the list were out of sight, and a local folder is what most first runs use.
  rows.push({ kind: 'separator', label: 'Other' });
  rows.push({ kind: 'browse', label: '$(folder-opened) Browse for a model folder…', detail: 'A folder with config.json, model.safetensors and tokenizer.json' });
  rows.push({ kind: 'enter', label: '$(edit) Enter a Hugging Face id or a folder path…', detail: 'e.g. gpt2, openai-community/gpt2-large, /models/my-gpt2' });
  group('Hugging Face models (downloaded once, then cached)', MODEL_CATALOG.map((m) => m.name));
  return rows;
}

/** The hook-point shapes of a catalog model or a local folder; null when neither can be read. */
export function hookConfigFor(model: string): HookShapeConfig | null {
  const entry = MODEL_CATALOG.find((m) => m.name === model || m.hubId === model);
  if (entry) return configForCatalogModel(entry);
  if (existsSync(path.join(model, 'config.json'))) {
    try { return configForModelFolder(model); } catch { return null; }
  }
  return null;
}

interface HookPickRow { hook: string; label: string; description: string; detail?: string; picked: boolean }

/**
 * The hook a model's prompt offers first: the configured one (the notebook's blocks.5.mlp.hook_pre
 * unless set) when the model has it, else the middle layer's MLP input, which every model has (a
 * 3-layer model has no blocks.5).
 */
export function defaultHookFor(config: HookShapeConfig | null, configured: string): { hook: string; why: string } {
  const why = configured === contrastDefaults.hook ? 'the default' : 'mechlens.contrast.defaultHook';
  if (!config || validateHook(configured, config) === undefined) return { hook: configured, why };
  return { hook: `blocks.${Math.floor(config.nLayer / 2)}.mlp.hook_pre`, why: `the middle layer's MLP input, of ${config.nLayer} layers` };
}

/** Per-position hooks with a width (neurons) of the model, the default first; attention patterns are skipped (their width depends on the sentence). */
export function buildHookPickRows(config: HookShapeConfig, defaultHook: string): HookPickRow[] {
  const hooks = listHookPoints(config).filter((h) => !h.shape.includes('positions') && h.name !== 'logits');
  const rows = hooks.map((h) => ({
    hook: h.name, label: h.name, description: `${formatHookShape(h.shape)}${h.aliases.length ? ` · ${h.aliases.join(', ')}` : ''}`,
    detail: h.description, picked: h.name === defaultHook,
  }));
  const k = rows.findIndex((r) => r.picked);
  if (k > 0) rows.unshift(...rows.splice(k, 1));
  return rows;
}

/** An input-box check: undefined when the hook exists in the model (or cannot be checked), else why not. */
export function validateHook(text: string, config: HookShapeConfig | null): string | undefined {
  const hook = text.trim();
  if (!hook) return 'Enter a hook name, e.g. blocks.5.mlp.hook_pre';
  if (/\s/.test(hook)) return 'A hook name has no spaces, e.g. blocks.5.mlp.hook_pre';
  if (!config) return /^[A-Za-z_][\w.]*$/.test(hook) ? undefined : 'Hook names look like blocks.5.mlp.hook_pre or transformer.h.5.mlp.c_fc';
  try {
    resolveHookName(hook, config);
    return undefined;
  } catch (err) {
    return err instanceof MechLensError ? err.message : String(err);
  }
}

export const testChoices = Object.freeze([
  { value: 'student' as const, label: 'Student t-test', detail: 'Equal variances assumed (the notebook\'s choice, scipy ttest_ind)' },
  { value: 'welch' as const, label: 'Welch t-test', detail: 'Unequal variances (scipy ttest_ind with equal_var=False)' },
]);
export const correctionChoices = Object.freeze([
  { value: 'bonferroni' as const, label: 'Bonferroni', detail: 'p < α / number of neurons (the notebook\'s 0.05 / n)' },
  { value: 'fdr' as const, label: 'Benjamini–Hochberg FDR', detail: 'Controls the false discovery rate at α; finds more neurons' },
]);

interface ContrastSettings {
  defaultModel: string;
  defaultHook: string;
  alpha?: number;
  seed?: number;
  cacheDir?: string;
  offline: boolean;
  /** Workspace values ignored because the workspace is not trusted. */
  ignored: string[];
}

/** `contrast.defaultModel` and `cacheDirectory` name paths: only the user's value counts in an untrusted workspace. */
export function readContrastSettings(inspect: Inspect, workspaceTrusted: boolean): ContrastSettings {
  const ignored: string[] = [];
  const pathSetting = (key: string): string | undefined => {
    const { value, ignoredWorkspaceValue } = effectiveSetting(inspect<string>(key), workspaceTrusted);
    if (ignoredWorkspaceValue) ignored.push(`mechlens.${key}`);
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  const plain = <T>(key: string): T | undefined => effectiveSetting(inspect<T>(key), true).value;
  const alpha = plain<number>('contrast.alpha');
  const seed = plain<number>('seed');
  const hook = plain<string>('contrast.defaultHook');
  return {
    defaultModel: pathSetting('contrast.defaultModel') ?? contrastDefaults.model,
    defaultHook: typeof hook === 'string' && hook.trim() ? hook.trim() : contrastDefaults.hook,
    alpha: typeof alpha === 'number' && alpha > 0 && alpha < 1 ? alpha : undefined,
    seed: typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? seed : undefined,
    cacheDir: pathSetting('cacheDirectory'),
    offline: plain<boolean>('offline') === true,
    ignored,
  };
}

/** The run's title: groups are not known before the file is parsed, so the file names them. */
export function contrastTitle(sentencesFile: string, model: string, hook: string): string {
  return `${path.basename(sentencesFile)} at ${hook} of ${MODEL_CATALOG.some((m) => m.name === model) ? model : path.basename(model) || model}`;
}
