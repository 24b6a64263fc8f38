// Where downloaded vectors and models live. One root, one folder per kind, so a user can
// inspect or delete a kind without touching the other.
import os from 'node:os';
import path from 'node:path';
import { MechLensError } from './errors';

export type CacheKind = 'vectors' | 'models' | 'saes';

/** `$MECHLENS_CACHE` when set, else `~/.cache/mechlens`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MECHLENS_CACHE?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(os.homedir(), '.cache', 'mechlens');
}

/** The folder for one kind of cached file, e.g. `~/.cache/mechlens/vectors`. */
export function cacheDirFor(kind: CacheKind, cacheDir: string = defaultCacheDir()): string {
  return path.join(cacheDir, kind);
}

/**
 * A path inside the cache folder of `kind`. `name` may contain `/` for sub-folders (a model id
 * such as `openai-community/gpt2`), but it may not climb out of the cache.
 */
export function cachePath(kind: CacheKind, name: string, cacheDir: string = defaultCacheDir()): string {
  const base = cacheDirFor(kind, cacheDir);
  const full = path.resolve(base, name);
  if (!name || path.isAbsolute(name) || (full !== base && !full.startsWith(base + path.sep))) {
    throw new MechLensError('bad-argument', `Cache entry name "${name}" is not a plain relative name`, {
      fix: 'Use a name without "..", leading "/" or drive letters.',
    });
  }
  return full;
}
