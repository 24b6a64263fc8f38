// The vector and model catalogs (core/vectors/catalog.ts, core/models/hub.ts) as the picker and
// the Models view show them, with what is already in the cache.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MODEL_CATALOG, hubCacheNames, modelCacheDir } from '../core/models/hub';
import { describeCopyLine, describeModelCopy, findInHubCache, hubCacheDir } from '../core/models/hub-cache';
import { VECTOR_CATALOG, describeVectorCopy, findCachedCatalogVectors, type VectorCatalogEntry } from '../core/vectors/catalog';
import { findPackagedGlove } from '../core/vectors/packaged-glove';
import type { SourceCopy } from '../protocol/result';
import type { CatalogEntryLike, ModelEntryLike } from './commands/source-picks';

function toCatalogEntry(entry: VectorCatalogEntry): CatalogEntryLike {
  return { name: entry.name, dims: entry.dims, vocabSize: entry.vocabSize, sizeBytes: entry.downloadBytes, description: entry.description, ...(entry.packaged ? { packaged: entry.packaged } : {}) };
}

const entries: readonly CatalogEntryLike[] = VECTOR_CATALOG.map(toCatalogEntry);

export function catalogEntries(): readonly CatalogEntryLike[] {
  return entries;
}

/**
 * Catalog sets at hand: MechLens's cache (a file there is complete and verified), gensim-data's folder,
 * or a packaged set whose npm package is installed (converted on first use, nothing downloaded).
 */
export function cachedCatalogNames(cacheDir: string): Set<string> {
  const atHand = (e: VectorCatalogEntry) => catalogVectorCopy(e.name, cacheDir) !== undefined || (!!e.packaged && findPackagedGlove(cacheDir) !== undefined);
  return new Set(VECTOR_CATALOG.filter(atHand).map((e) => e.name));
}

/** Where a catalog set was found, for the Models view; undefined when it is not on disk. */
export function catalogVectorCopy(name: string, cacheDir: string): SourceCopy | undefined {
  const file = findCachedCatalogVectors(name, { cacheDir });
  return file ? describeVectorCopy(file, name) : undefined;
}

const models: readonly ModelEntryLike[] = MODEL_CATALOG.map((m) => ({ name: m.name, dModel: m.dModel, sizeBytes: m.approxBytes, description: m.description }));

export function modelEntries(): readonly ModelEntryLike[] {
  return models;
}

function isModelCached(name: string, cacheDir: string): boolean {
  return catalogModelCopy(name, cacheDir) !== undefined;
}

/**
 * Where a catalog model was found, for the Models view: MechLens's cache (hub.ts writes
 * `mechlens-source.json` only once every file is in place), else the Hugging Face hub cache.
 */
export function catalogModelCopy(name: string, cacheDir: string): SourceCopy | undefined {
  const own = modelCacheDir(name, 'main', cacheDir);
  if (existsSync(path.join(own, 'mechlens-source.json'))) return { from: 'mechlens-cache', path: own };
  const hit = findInHubCache(hubCacheNames(name), 'main', hubCacheDir());
  return hit ? describeModelCopy(hit.dir) : undefined;
}

export function cachedModelNames(cacheDir: string): Set<string> {
  return new Set(MODEL_CATALOG.filter((m) => isModelCached(m.name, cacheDir)).map((m) => m.name));
}

/** Where a cached entry was found, short: MechLens's own cache stays "cached". */
export function copyLabel(copy: SourceCopy | undefined): string {
  return copy?.from === 'hub-cache' ? 'HF hub cache' : copy?.from === 'gensim-data' ? 'gensim-data' : 'cached';
}

export function copyTooltip(name: string, copy: SourceCopy | undefined): string {
  return copy ? `${describeCopyLine(name, copy)}.` : 'In the cache.';
}
