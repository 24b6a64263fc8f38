// The result cache as the job commands use it: look the run up before starting it, show a stored
// result at once (marked "from cache", with a notification that offers to recompute), and store a
// fresh result after it finishes. The cache itself and its key live in core/.
import * as vscode from 'vscode';
import path from 'node:path';
import { ATTENTION_DEFAULTS, type AttentionInput } from '../../core/analyses/attention';
import type { CompareInput } from '../../core/analyses/compare';
import { CONTRAST_DEFAULTS, type ContrastInput } from '../../core/analyses/contrast';
import { defaultCacheDir } from '../../core/cache';
import { ResultCache } from '../../core/result-cache/store';
import { resultCacheKey, type CacheKeyParts } from '../../core/result-cache/key';
import { isResult, type Result } from '../../protocol/result';
import type { Log } from '../log';
import type { ResultPanel } from '../panels/panel';

/** Gives the cache for a cache root, or undefined when the user turned it off. */
export type ResultCacheProvider = (cacheDir: string | undefined) => ResultCache | undefined;

interface ResultCacheSettings {
  enabled: boolean;
  maxBytes: number;
}

/** `mechlens.resultCache.enabled` (default on) and `.maxSizeMB` (default 512, at least 1). */
export function readResultCacheSettings(get: <T>(key: string) => T | undefined): ResultCacheSettings {
  const size = get<number>('resultCache.maxSizeMB');
  const mb = typeof size === 'number' && Number.isFinite(size) && size >= 1 ? size : 512;
  return { enabled: get<boolean>('resultCache.enabled') !== false, maxBytes: Math.round(mb * 1024 * 1024) };
}

/** Results live beside the models and vectors they came from, in `<cache>/results`. */
export function resultCacheDir(cacheDir: string | undefined): string {
  return path.join(cacheDir ?? defaultCacheDir(), 'results');
}

/** Options that change where files come from or whether to download, not the numbers. */
const notInKey = new Set(['wordList', 'sentenceSet', 'offline', 'cacheDir', 'catalogBaseUrl']);

function keyOptions(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k, v]) => !notInKey.has(k) && v !== undefined));
}

/** An explicit `undefined` must not hide a default: the jobs treat it as absent. */
function given(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** The execution provider can change the last digits; the workers read it from this variable. */
function environment(): Record<string, string | undefined> {
  return { provider: process.env.MECHLENS_EXECUTION_PROVIDER };
}

/** The model and, for a run on SAE features, the SAE: a local SAE folder is hashed like a checkpoint folder (a hub SAE not yet on disk leaves the run uncached). */
function modelsOf(input: { model: string; sae?: string }): string[] {
  return input.sae ? [input.model, input.sae] : [input.model];
}

// Defaults filled in, so a run that names a default (a panel's Run again sends every field) and one
// that leaves it out share a key.
export function compareCacheParts(input: CompareInput): CacheKeyParts {
  return { job: 'compare', options: keyOptions({ permutations: 1000, seed: 0, ...given(input) }), inputFiles: [input.wordsPath], sources: [input.a, input.b], cacheDir: input.cacheDir, environment: environment() };
}

export function attentionCacheParts(input: AttentionInput): CacheKeyParts {
  return { job: 'attention', options: keyOptions({ ...ATTENTION_DEFAULTS, seed: 0, ...given(input) }), inputFiles: [input.wordsPath], models: modelsOf(input), cacheDir: input.cacheDir, environment: environment() };
}

export function contrastCacheParts(input: ContrastInput): CacheKeyParts {
  return { job: 'contrast', options: keyOptions({ ...CONTRAST_DEFAULTS, eps: 'auto', seed: 0, ...given(input) }), inputFiles: [input.sentencesPath], models: modelsOf(input), cacheDir: input.cacheDir, environment: environment() };
}

type CacheOutcome<R> = { result: R; fromCache: true; storedAt: string } | { result: R; fromCache: false };

/**
 * The vscode-free core of a cached run: a hit returns the stored result marked with `run.fromCache`;
 * a miss runs the job and stores its result under the key computed after the run (a first run may
 * download the model, whose files only then exist). If the inputs changed during the run, the two
 * keys differ and nothing is stored.
 */
export async function lookUpOrRun<R extends Result>(cache: ResultCache | undefined, parts: CacheKeyParts, run: () => PromiseLike<R>,
  log: Pick<Log, 'info' | 'warn'>): Promise<CacheOutcome<R>> {
  if (!cache) return { result: await run(), fromCache: false };
  const before = await resultCacheKey(parts).catch(() => undefined);
  if (before) {
    const hit = await cache.get<unknown>(before).catch(() => undefined);
    if (hit && isResult(hit.value) && hit.value.job === parts.job) {
      log.info(`${parts.job}: using the cached result stored ${hit.storedAt} (key ${before.slice(0, 12)})`);
      const value = hit.value as R;
      return { result: { ...value, run: { ...value.run, fromCache: { storedAt: hit.storedAt } } }, fromCache: true, storedAt: hit.storedAt };
    }
  }
  const result = await run();
  await store(cache, parts, result, before, log);
  return { result, fromCache: false };
}

/** lookUpOrRun for a panel's re-run: a hit is shown with its "from cache" marker, without a notification. */
export async function cachedResult<R extends Result>(cache: ResultCache | undefined, parts: CacheKeyParts, run: () => PromiseLike<R>,
  log: Pick<Log, 'info' | 'warn'>): Promise<R> {
  return (await lookUpOrRun(cache, parts, run, log)).result;
}

async function store(cache: ResultCache, parts: CacheKeyParts, result: Result, before: string | undefined, log: Pick<Log, 'info' | 'warn'>): Promise<void> {
  try {
    const after = await resultCacheKey(parts);
    if (!after || (before && before !== after)) {
      log.info(`${parts.job}: result not cached (${after ? 'an input changed during the run' : 'an input or model file is not on disk'})`);
      return;
    }
    await cache.set(after, result);
  } catch (err) {
    log.warn(`Could not store the result in the cache ${cache.dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * lookUpOrRun for a command: on a hit the user is told, and "Recompute" runs the job anyway,
 * shows the fresh result in the same panel and replaces the stored one.
 */
export async function runCached<R extends Result>(o: { log: Log; panel: ResultPanel; cache: ResultCache | undefined; parts: CacheKeyParts; what: string },
  run: () => PromiseLike<R>): Promise<R> {
  const outcome = await lookUpOrRun(o.cache, o.parts, run, o.log);
  if (outcome.fromCache) {
    const when = new Date(outcome.storedAt).toLocaleString();
    void vscode.window.showInformationMessage(`MechLens: ${o.what} came from the result cache (computed ${when}); nothing was run.`, 'Recompute', 'Turn Off Cache')
      .then(async (action) => {
        if (action === 'Turn Off Cache') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'mechlens.resultCache');
        } else if (action === 'Recompute' && !o.panel.isDisposed) {
          try {
            const fresh = await run();
            if (o.cache) await store(o.cache, o.parts, fresh, undefined, o.log);
            o.panel.showResult(fresh);
          } catch (err) {
            o.log.error(`Recomputing ${o.what} failed`, err);
            void vscode.window.showErrorMessage(`MechLens: recomputing ${o.what} failed (${err instanceof Error ? err.message : String(err)}). The cached result stays shown; the log has the details.`, 'Open Log')
              .then((a) => { if (a) o.log.show(); });
          }
        }
      });
  }
  return outcome.result;
}

/** "MechLens: Clear Result Cache": removes every stored result under the current cache root. */
export async function clearResultCache(cacheDir: string | undefined, log: Log): Promise<void> {
  const cache = new ResultCache(resultCacheDir(cacheDir));
  const removed = await cache.clear();
  const mb = (removed.bytes / (1024 * 1024)).toFixed(1);
  log.info(`Cleared the result cache ${cache.dir}: ${removed.entries} results, ${mb} MB`);
  void vscode.window.showInformationMessage(removed.entries
    ? `MechLens: removed ${removed.entries} cached result${removed.entries === 1 ? '' : 's'} (${mb} MB) from ${cache.dir}.`
    : `MechLens: the result cache ${cache.dir} was already empty.`);
}
