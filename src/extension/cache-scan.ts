// What is in the cache folder, for the Models view and the source picker. Read-only and shallow:
// it lists files and model folders, it never opens them.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { cacheDirFor, defaultCacheDir } from '../core/cache';

interface CachedFile {
  name: string;
  path: string;
  sizeBytes: number;
}

interface CachedModel {
  /** Hub id as recorded by the download (`openai-community/gpt2`), or the folder relative to the models cache. */
  id: string;
  revision: string;
  path: string;
  sizeBytes: number;
}

/** Partial downloads are never offered as cached. */
const partialPattern = /\.(part|partial|tmp|download|lock)$/i;

export function resolveCacheDir(setting: string | undefined): string {
  return setting ? path.resolve(setting) : defaultCacheDir();
}

export function cachedVectorFiles(cacheDir: string): CachedFile[] {
  const dir = cacheDirFor('vectors', cacheDir);
  if (!existsSync(dir)) return [];
  const files: CachedFile[] = [];
  for (const name of readdirSync(dir)) {
    if (partialPattern.test(name) || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (stat?.isFile()) files.push({ name, path: full, sizeBytes: stat.size });
  }
  return files.sort((x, y) => x.name.localeCompare(y.name));
}

function folderSize(dir: string, depth = 0): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile()) total += statSync(full, { throwIfNoEntry: false })?.size ?? 0;
    else if (entry.isDirectory() && depth < 4) total += folderSize(full, depth + 1);
  }
  return total;
}

/** The record hub.ts writes once every file of a model is in place. */
const completeMarker = 'mechlens-source.json';

function readMarker(dir: string): { id?: string; revision?: string } {
  try {
    const value: unknown = JSON.parse(readFileSync(path.join(dir, completeMarker), 'utf8'));
    if (typeof value !== 'object' || value === null) return {};
    const { id, revision } = value as Record<string, unknown>;
    return { id: typeof id === 'string' ? id : undefined, revision: typeof revision === 'string' ? revision : undefined };
  } catch {
    return {};
  }
}

/** Complete model downloads (`<cache>/models/<id>/<revision>/` with its completion record), up to four levels deep. */
export function cachedModels(cacheDir: string): CachedModel[] {
  const root = cacheDirFor('models', cacheDir);
  if (!existsSync(root)) return [];
  const models: CachedModel[] = [];
  const visit = (dir: string, depth: number) => {
    if (dir !== root && existsSync(path.join(dir, completeMarker))) {
      const relative = path.relative(root, dir).split(path.sep);
      const marker = readMarker(dir);
      models.push({
        id: marker.id ?? relative.slice(0, -1).join('/'),
        revision: marker.revision ?? relative[relative.length - 1],
        path: dir,
        sizeBytes: folderSize(dir),
      });
      return;
    }
    if (depth >= 4) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(path.join(dir, entry.name), depth + 1);
    }
  };
  visit(root, 0);
  return models.sort((x, y) => x.id.localeCompare(y.id) || x.revision.localeCompare(y.revision));
}
