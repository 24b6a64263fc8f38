// `mechlens demo --pretrained`: the notebooks' models and vectors, downloaded first (what is missing,
// with progress), so the jobs that follow find everything in the cache.
import { throwIfCancelled } from '../../core/errors';
import { ensureModel, MODEL_CATALOG } from '../../core/models/hub';
import { ensureCatalogVectors, findCatalogVectors, type VectorCatalogEntry } from '../../core/vectors/catalog';

/** The notebooks' setup. */
export const PRETRAINED = Object.freeze({ small: 'gpt2', medium: 'gpt2-medium', vectorsA: 'glove-wiki-gigaword-50', vectorsB: 'glove-wiki-gigaword-300' });

export interface PrefetchOptions {
  cacheDir: string;
  offline?: boolean;
  endpoint?: string;
  catalogBaseUrl?: string;
  catalog?: readonly VectorCatalogEntry[];
  signal?: AbortSignal;
  log: (line: string) => void;
}

export async function prefetchPretrained(options: PrefetchOptions): Promise<void> {
  const { log, signal } = options;
  const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
  for (const name of [PRETRAINED.vectorsA, PRETRAINED.vectorsB]) {
    throwIfCancelled(signal);
    const entry = findCatalogVectors(name, options.catalog);
    log(`  ${name}${entry ? ` (${mb(entry.downloadBytes)})` : ''}…`);
    const report = steps((received, total) => log(`    ${name}: ${mb(received)}${total ? ` of ${mb(total)}` : ''}`));
    const file = await ensureCatalogVectors(name, { cacheDir: options.cacheDir, offline: options.offline, baseUrl: options.catalogBaseUrl, catalog: options.catalog, signal, onProgress: report });
    log(`    ${name}: ${file}`);
  }
  for (const name of [PRETRAINED.small, PRETRAINED.medium]) {
    throwIfCancelled(signal);
    const entry = MODEL_CATALOG.find((m) => m.name === name);
    log(`  ${name}${entry ? ` (about ${mb(entry.approxBytes)})` : ''}…`);
    const report = steps((received, total) => log(`    ${name}: ${mb(received)}${total ? ` of ${mb(total)}` : ''}`));
    const dir = await ensureModel(name, { cacheDir: options.cacheDir, offline: options.offline, endpoint: options.endpoint, signal, onProgress: (_file, _r, _t, overall, overallTotal) => report(overall, overallTotal) });
    log(`    ${name}: ${dir}`);
  }
}

/** Calls `report` at every tenth of the total (or every 50 MB when the total is unknown). */
function steps(report: (received: number, total: number | undefined) => void): (received: number, total: number | undefined) => void {
  let lastStep = -1;
  return (received, total) => {
    const step = total ? Math.floor((10 * received) / total) : Math.floor(received / 50e6);
    if (step <= lastStep) return;
    lastStep = step;
    report(received, total);
  };
}
