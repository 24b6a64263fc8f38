// SAE files from the Hugging Face hub, through the same fetcher, lock, records and hub-cache lookup
// as models (../hub.ts): `<cache>/saes/<repo>/<revision>/<path in repo>/`. An SAE folder counts as
// complete once its mechlens-source.json is written, after every file is in place.
import fs from 'node:fs';
import path from 'node:path';
import { cachePath, defaultCacheDir } from '../../cache';
import { MechLensError } from '../../errors';
import { writeFileAtomicSync } from '../../io/atomic-write';
import { SOURCE_FILE } from '../checkpoint';
import { HubFetcher, withDownloadLock, type EnsureModelOptions, type ModelSource, type RemoteFile } from '../hub';
import { findInHubCache, hubCacheDir, hubEndpoint, hubOfflineFromEnv } from '../hub-cache';

export const SAELENS_FILES = ['cfg.json', 'sae_weights.safetensors'] as const;
/** SAELens's log10 feature density over its training tokens, beside the weights when the release has one. */
export const SPARSITY_FILE = 'sparsity.safetensors';
export const GEMMA_SCOPE_FILE = 'params.npz';

export interface HubSaeLocation {
  repo: string;
  /** Folder in the repository ('' for its root). */
  path: string;
  revision?: string;
}

/** Where one SAE folder of a repository is kept in MechLens's cache. */
export function saeCacheDir(where: HubSaeLocation, cacheDir = defaultCacheDir()): string {
  const revision = (where.revision ?? 'main').replace(/[^\w.-]/g, '_');
  return cachePath('saes', [where.repo, revision, where.path].filter(Boolean).join('/'), cacheDir);
}

const hasFiles = (dir: string, names: readonly string[]) => names.every((n) => fs.statSync(path.join(dir, n), { throwIfNoEntry: false })?.isFile() ?? false);
const hasSae = (dir: string) => hasFiles(dir, [GEMMA_SCOPE_FILE]) || hasFiles(dir, SAELENS_FILES);

/**
 * A local folder holding the SAE at `where` (cfg.json + sae_weights.safetensors, or params.npz):
 * MechLens's cache, else the Hugging Face hub cache, else downloaded unless offline.
 */
export async function ensureHubSae(where: HubSaeLocation, options: EnsureModelOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const revision = where.revision ?? 'main';
  const dir = saeCacheDir(where, options.cacheDir ?? defaultCacheDir(env));
  if (isComplete(dir)) return dir;
  const hubHit = findInHubCache([where.repo], revision, hubCacheDir(env), (snapshot) => hasSae(path.join(snapshot, where.path)));
  if (hubHit) return path.join(hubHit.dir, where.path);
  const offlineByEnv = !options.offline && hubOfflineFromEnv(env);
  if (options.offline || offlineByEnv) {
    throw new MechLensError('not-found', `SAE ${where.repo}/${where.path} (revision ${revision}) is in neither MechLens's cache (${dir}) nor the Hugging Face hub cache; ${offlineByEnv ? 'HF_HUB_OFFLINE is set, so' : 'offline mode'} does not download`, {
      input: dir, fix: `${offlineByEnv ? 'Unset HF_HUB_OFFLINE' : 'Turn off offline mode'} to download it once, or give the SAE's local folder instead.`,
    });
  }
  const repoDir = saeCacheDir({ repo: where.repo, path: '', revision }, options.cacheDir ?? defaultCacheDir(env));
  await withDownloadLock(dir, `${where.repo}/${where.path}`, options, async () => {
    if (isComplete(dir)) return;
    await download(where, revision, repoDir, dir, { ...options, endpoint: options.endpoint ?? hubEndpoint(env) });
  });
  return dir;
}

function isComplete(dir: string): boolean {
  try {
    const source = JSON.parse(fs.readFileSync(path.join(dir, SOURCE_FILE), 'utf8')) as ModelSource;
    return source.files.every((f) => fs.statSync(path.join(dir, f.name), { throwIfNoEntry: false })?.size === f.bytes);
  } catch {
    return false;
  }
}

async function download(where: HubSaeLocation, revision: string, repoDir: string, dir: string, options: EnsureModelOptions): Promise<void> {
  const hub = new HubFetcher(where.repo, revision, repoDir, options);
  const inRepo = (name: string) => (where.path ? `${where.path}/${name}` : name);
  const notAnSae = `Check the repository and the SAE's folder in it: MechLens reads an SAELens folder (${SAELENS_FILES.join(' + ')}) or Gemma Scope's ${GEMMA_SCOPE_FILE}.`;
  const npz = await hub.describe(inRepo(GEMMA_SCOPE_FILE), true);
  const files: RemoteFile[] = npz ? [npz] : [];
  if (!npz) for (const name of SAELENS_FILES) files.push((await hub.describe(inRepo(name), false, notAnSae))!);
  // Optional: many releases have no sparsity file, and the SAE works without it.
  const sparsity = npz ? undefined : await hub.describe(inRepo(SPARSITY_FILE), true);
  if (sparsity) files.push(sparsity);
  for (const f of files) hub.announce(f);
  for (const f of files) await hub.fetch(f);
  const source = hub.source(files);
  // Recorded beside the SAE's own files, with names relative to its folder.
  source.files = source.files.map((f) => ({ ...f, name: path.posix.basename(f.name) }));
  writeFileAtomicSync(path.join(dir, SOURCE_FILE), JSON.stringify({ ...source, path: where.path }, null, 2) + '\n');
}
