// The vector catalog (core/vectors/catalog.ts) as the picker and the Models view show it.
import { existsSync } from 'node:fs';
import { VECTOR_CATALOG, catalogCachePath, type VectorCatalogEntry } from '../core/vectors/catalog';
import type { CatalogEntryLike } from './source-picks';

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
