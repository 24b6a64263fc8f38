// A short name for a model folder in progress messages and labels. A hub model lives in the cache
// as `<cache>/models/<owner>/<name>/<revision>/` (or, in the Hugging Face hub cache,
// `models--<owner>--<name>/snapshots/<commit>/`), so the folder's own name is `main` or a commit
// hash: the model id is what the user knows it by.
import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_FILE } from './checkpoint';

export function modelLabel(dirOrFile: string): string {
  try {
    const source = JSON.parse(fs.readFileSync(path.join(dirOrFile, SOURCE_FILE), 'utf8')) as { id?: unknown; revision?: unknown };
    if (typeof source.id === 'string' && source.id) return source.revision && source.revision !== 'main' ? `${source.id}@${String(source.revision)}` : source.id;
  } catch {
    // not a MechLens download: go by the path
  }
  const hubCache = /[\\/]models--([^\\/]+?)--([^\\/]+)[\\/]snapshots[\\/][^\\/]+[\\/]?$/.exec(dirOrFile);
  if (hubCache) return `${hubCache[1]}/${hubCache[2]}`;
  return path.basename(dirOrFile);
}
