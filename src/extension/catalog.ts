// The vector and model catalogs (core/vectors/catalog.ts, core/models/hub.ts) as the picker and
// the Models view show them, with what is already in the cache.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MODEL_CATALOG, modelCacheDir } from '../core/models/hub';
import { VECTOR_CATALOG, catalogCachePath, type VectorCatalogEntry } from '../core/vectors/catalog';
import type { CatalogEntryLike, ModelEntryLike } from './commands/source-picks';

export function toCatalogEntry(entry: VectorCatalogEntry): CatalogEntryLike {
  return { name: entry.name, dims: entry.dims, vocabSize: entry.vocabSize, sizeBytes: entry.downloadBytes, description: entry.description };
}

const entries: readonly CatalogEntryLike[] = VECTOR_CATALOG.map(toCatalogEntry);

export function catalogEntries(): readonly CatalogEntryLike[] {
  return entries;
}

/** Catalog sets already downloaded: the cache file exists only once complete and verified. */
export function cachedCatalogNames(cacheDir: string): Set<string> {
  return new Set(VECTOR_CATALOG.filter((e) => existsSync(catalogCachePath(e.name, cacheDir))).map((e) => e.name));
}

const models: readonly ModelEntryLike[] = MODEL_CATALOG.map((m) => ({ name: m.name, dModel: m.dModel, sizeBytes: m.approxBytes, description: m.description }));

export function modelEntries(): readonly ModelEntryLike[] {
  return models;
}

/** hub.ts writes `mechlens-source.json` only once every file of a model is in place. */
export function isModelCached(name: string, cacheDir: string): boolean {
  return existsSync(path.join(modelCacheDir(name, 'main', cacheDir), 'mechlens-source.json'));
}

export function cachedModelNames(cacheDir: string): Set<string> {
  return new Set(MODEL_CATALOG.filter((m) => isModelCached(m.name, cacheDir)).map((m) => m.name));
}
