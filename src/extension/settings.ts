// Which value of a setting MechLens may use. In an untrusted workspace a cloned repository could
// point settings at files it ships (a crafted vector file, a model folder, a cache to fill), so
// settings that name paths or sources are read from the user's own settings only.

/** The fields of vscode's `WorkspaceConfiguration.inspect()` result that decide the value. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

interface EffectiveSetting<T> {
  value: T | undefined;
  /** True when a workspace value exists and was ignored because the workspace is not trusted. */
  ignoredWorkspaceValue: boolean;
}

/** Settings whose value is a path or source spec: honored from workspace settings only when trusted. */
export const pathSettings = ['cacheDirectory', 'defaultSources.a', 'defaultSources.b'] as const;

export function effectiveSetting<T>(inspected: InspectedSetting<T> | undefined, workspaceTrusted: boolean): EffectiveSetting<T> {
  if (!inspected) return { value: undefined, ignoredWorkspaceValue: false };
  const fromWorkspace = inspected.workspaceFolderValue ?? inspected.workspaceValue;
  const fromUser = inspected.globalValue ?? inspected.defaultValue;
  if (workspaceTrusted) return { value: fromWorkspace ?? fromUser, ignoredWorkspaceValue: false };
  return { value: fromUser, ignoredWorkspaceValue: fromWorkspace !== undefined };
}

/** Reads one `mechlens.*` setting: `inspect` is `workspace.getConfiguration('mechlens').inspect`. */
export type Inspect = <T>(key: string) => InspectedSetting<T> | undefined;

interface CompareSettings {
  defaultA?: string;
  defaultB?: string;
  cacheDir?: string;
  offline: boolean;
  permutations?: number;
  seed?: number;
  /** t-SNE + DBSCAN options; absent fields leave the job's automatic choice. */
  map: { perplexity?: number; eps?: number; minSamples?: number };
  /** Setting keys whose workspace value was ignored, for one log line and one notice. */
  ignored: string[];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function positiveOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function integerOrUndefined(value: unknown, min: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min ? value : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function readCompareSettings(inspect: Inspect, workspaceTrusted: boolean): CompareSettings {
  const ignored: string[] = [];
  const pathSetting = (key: (typeof pathSettings)[number]): string | undefined => {
    const { value, ignoredWorkspaceValue } = effectiveSetting(inspect<string>(key), workspaceTrusted);
    if (ignoredWorkspaceValue) ignored.push(`mechlens.${key}`);
    return stringOrUndefined(value);
  };
  const plain = <T>(key: string): T | undefined => effectiveSetting(inspect<T>(key), true).value;
  return {
    defaultA: pathSetting('defaultSources.a'),
    defaultB: pathSetting('defaultSources.b'),
    cacheDir: pathSetting('cacheDirectory'),
    offline: plain<boolean>('offline') === true,
    permutations: integerOrUndefined(plain('permutations'), 0),
    seed: integerOrUndefined(plain('seed'), 0),
    map: withoutUndefined({
      perplexity: positiveOrUndefined(plain('tsne.perplexity')),
      eps: positiveOrUndefined(plain('dbscan.eps')),
      minSamples: integerOrUndefined(plain('dbscan.minSamples'), 1),
    }),
    ignored,
  };
}
