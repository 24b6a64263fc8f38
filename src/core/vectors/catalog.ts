// The pretrained vector sets MechLens can fetch by name: the gensim-data releases on GitHub, as
// listed in gensim-data's list.json (dims, record counts, .gz sizes and md5 checksums from there).
// Each is one gzip file: word2vec text for GloVe and fastText, word2vec binary for GoogleNews.
// A set that gensim.downloader already fetched (GENSIM_DATA_DIR, ~/gensim-data) is read in place.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachePath, defaultCacheDir, cacheDirFor } from '../cache';
import { downloadFile, hashFileOnDisk, type DownloadOptions } from '../io/download';
import { writeFileAtomicSync } from '../io/atomic-write';
import type { SourceCopy } from '../../protocol/result';
import { MechLensError } from '../errors';
import { editDistance } from '../text/edit-distance';
import { PACKAGED_GLOVE_NAME, PACKAGED_GLOVE_PACKAGE, ensurePackagedVectors, packagedGloveCachePath } from './packaged-glove';
import type { VectorFormat } from './types';

export interface VectorCatalogEntry {
  readonly name: string;
  readonly description: string;
  readonly dims: number;
  readonly vocabSize: number;
  /** Size of the .gz download in bytes (gensim-data `file_size`). */
  readonly downloadBytes: number;
  /** md5 of the .gz, as gensim-data publishes it and gensim's downloader checks it. */
  readonly md5: string;
  /** Format of the decompressed content (detection confirms it on read). */
  readonly format: VectorFormat;
  /** Whether the vocabulary keeps upper case ("Paris"); the GloVe sets are lower-case only. */
  readonly cased: boolean;
  readonly license: string;
  /** Set for a set shipped in an npm package (no download): the package's name. See packaged-glove.ts. */
  readonly packaged?: string;
}

export { PACKAGED_GLOVE_NAME };

export const GENSIM_DATA_BASE_URL = 'https://github.com/RaRe-Technologies/gensim-data/releases/download';

const GLOVE_WIKI = 'GloVe, Wikipedia 2014 + Gigaword 5 (6B tokens), 400K uncased words';
const GLOVE_TWITTER = 'GloVe, 2B tweets (27B tokens), 1.2M uncased words';
const PDDL = 'http://opendatacommons.org/licenses/pddl/';

export const VECTOR_CATALOG: readonly VectorCatalogEntry[] = Object.freeze(
  (
    [
      { name: 'glove-wiki-gigaword-50', description: `${GLOVE_WIKI}, 50 dimensions`, dims: 50, vocabSize: 400_000, downloadBytes: 69_182_535, md5: 'c289bc5d7f2f02c6dc9f2f9b67641813', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'glove-wiki-gigaword-100', description: `${GLOVE_WIKI}, 100 dimensions`, dims: 100, vocabSize: 400_000, downloadBytes: 134_300_434, md5: '40ec481866001177b8cd4cb0df92924f', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'glove-wiki-gigaword-200', description: `${GLOVE_WIKI}, 200 dimensions`, dims: 200, vocabSize: 400_000, downloadBytes: 264_336_934, md5: '59652db361b7a87ee73834a6c391dfc1', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'glove-wiki-gigaword-300', description: `${GLOVE_WIKI}, 300 dimensions`, dims: 300, vocabSize: 400_000, downloadBytes: 394_362_229, md5: '29e9329ac2241937d55b852e8284e89b', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'word2vec-google-news-300', description: 'word2vec trained on Google News (about 100B words), 3M cased words and phrases, 300 dimensions', dims: 300, vocabSize: 3_000_000, downloadBytes: 1_743_563_840, md5: 'a5e5354d40acb95f9ec66d5977d140ef', format: 'word2vec-binary', cased: true, license: 'not stated by the publisher' },
      { name: 'fasttext-wiki-news-subwords-300', description: 'fastText with subword information, Wikipedia 2017 + UMBC + statmt news (16B tokens), 1M cased words, 300 dimensions', dims: 300, vocabSize: 999_999, downloadBytes: 1_005_007_116, md5: 'de2bb3a20c46ce65c9c131e1ad9a77af', format: 'word2vec-text', cased: true, license: 'https://creativecommons.org/licenses/by-sa/3.0/' },
      { name: 'glove-twitter-25', description: `${GLOVE_TWITTER}, 25 dimensions`, dims: 25, vocabSize: 1_193_514, downloadBytes: 109_885_004, md5: '50db0211d7e7a2dcd362c6b774762793', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'glove-twitter-50', description: `${GLOVE_TWITTER}, 50 dimensions`, dims: 50, vocabSize: 1_193_514, downloadBytes: 209_216_938, md5: 'c168f18641f8c8a00fe30984c4799b2b', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'glove-twitter-100', description: `${GLOVE_TWITTER}, 100 dimensions`, dims: 100, vocabSize: 1_193_514, downloadBytes: 405_932_991, md5: 'b04f7bed38756d64cf55b58ce7e97b15', format: 'word2vec-text', cased: false, license: PDDL },
      { name: 'glove-twitter-200', description: `${GLOVE_TWITTER}, 200 dimensions`, dims: 200, vocabSize: 1_193_514, downloadBytes: 795_373_100, md5: 'e52e8392d1860b95d5308a525817d8f9', format: 'word2vec-text', cased: false, license: PDDL },
      // GloVe 6B 100d (the vectors of glove-wiki-gigaword-100), its 341,479 most frequent words, from an npm package.
      { name: PACKAGED_GLOVE_NAME, description: `GloVe 6B 100d (Wikipedia 2014 + Gigaword 5), its 341,479 most frequent uncased words, 100 dimensions; from the npm package ${PACKAGED_GLOVE_PACKAGE}, nothing downloaded`, dims: 100, vocabSize: 341_479, downloadBytes: 0, md5: '', format: 'word2vec-binary', cased: false, license: PDDL, packaged: PACKAGED_GLOVE_PACKAGE },
    ] satisfies VectorCatalogEntry[]
  ).map((e) => Object.freeze(e)),
);

export function findCatalogVectors(name: string, catalog: readonly VectorCatalogEntry[] = VECTOR_CATALOG): VectorCatalogEntry | undefined {
  return catalog.find((e) => e.name === name);
}

/** gensim-data's release layout: `<base>/<name>/<name>.gz`. */
export function catalogUrl(entry: VectorCatalogEntry, baseUrl: string = GENSIM_DATA_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${entry.name}/${entry.name}.gz`;
}

/** Where a catalog set lives once downloaded. The file exists only when complete and verified. */
export function catalogCachePath(name: string, cacheDir: string = defaultCacheDir()): string {
  if (findCatalogVectors(name)?.packaged) return packagedGloveCachePath(name, cacheDir);
  return cachePath('vectors', `${name}.gz`, cacheDir);
}

/** gensim.downloader's folder: `GENSIM_DATA_DIR`, else `~/gensim-data`. */
export function gensimDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GENSIM_DATA_DIR?.trim();
  return fromEnv ? path.resolve(fromEnv.replace(/^~(?=$|[/\\])/, os.homedir())) : path.join(os.homedir(), 'gensim-data');
}

/** Where `gensim.downloader.load(name)` keeps a set: `<gensim-data>/<name>/<name>.gz`, the release file as downloaded. */
export function gensimDataPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(gensimDataDir(env), name, `${name}.gz`);
}

/**
 * A copy of a catalog set already on disk, without the network: MechLens's cache, then
 * gensim-data's folder. gensim.downloader checks the md5 in a temporary folder and moves the set
 * into place only then, so a file there is complete. Undefined when neither has it.
 */
export function findCachedCatalogVectors(name: string, opts: { cacheDir?: string; env?: NodeJS.ProcessEnv; catalog?: readonly VectorCatalogEntry[] } = {}): string | undefined {
  const entry = findCatalogVectors(name, opts.catalog);
  if (!entry) return undefined;
  const own = catalogCachePath(name, opts.cacheDir ?? defaultCacheDir(opts.env));
  if (fs.existsSync(own)) return own;
  const gensim = gensimDataPath(name, opts.env);
  return fs.statSync(gensim, { throwIfNoEntry: false })?.isFile() ? gensim : undefined;
}

/** Which copy a vector file is: gensim-data's `<name>/<name>.gz`, MechLens's cache, or a file the user gave. */
export function describeVectorCopy(file: string, catalogName?: string): SourceCopy {
  if (!catalogName) return { from: 'local', path: file };
  const inGensimLayout = path.basename(file) === `${catalogName}.gz` && path.basename(path.dirname(file)) === catalogName;
  return { from: inGensimLayout ? 'gensim-data' : 'mechlens-cache', path: file };
}

export interface EnsureCatalogOptions {
  cacheDir?: string;
  /** The environment read for GENSIM_DATA_DIR (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Never touch the network: a set that is not cached is an error. */
  offline?: boolean;
  /** Where the release files are served (tests point this at 127.0.0.1). */
  baseUrl?: string;
  /** The table to look the name up in (default VECTOR_CATALOG). */
  catalog?: readonly VectorCatalogEntry[];
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | undefined) => void;
  /** Waits worth telling the user about: another process downloading this set, a silent server, a retry. */
  onStatus?: (message: string) => void;
  retries?: number;
  retryDelayMs?: number;
  /** Download timing for tests (idle timeout, lock staleness); the defaults suit real use. */
  timing?: Pick<DownloadOptions, 'idleTimeoutMs' | 'maxStalledMs' | 'statusEveryMs' | 'lockStaleMs' | 'lockPollMs'>;
}

const inFlight = new Map<string, Promise<string>>();

/** Returns the local path of a catalog set, downloading (and verifying) it into the cache on first use. */
export async function ensureCatalogVectors(name: string, opts: EnsureCatalogOptions = {}): Promise<string> {
  const entry = findCatalogVectors(name, opts.catalog);
  if (!entry) throw unknownNameError(name, opts.catalog ?? VECTOR_CATALOG);
  const cacheDir = opts.cacheDir ?? defaultCacheDir(opts.env);
  if (entry.packaged) return ensurePackagedVectors(name, { cacheDir, signal: opts.signal, onProgress: (f) => opts.onProgress?.(Math.round(f * 1000), 1000) });
  const dest = catalogCachePath(name, cacheDir);
  const cached = findCachedCatalogVectors(name, { cacheDir, env: opts.env, catalog: opts.catalog });
  // gensim.downloader checks the md5 before it moves a set into its folder; a file in MechLens's
  // cache is MechLens's own verified download only if its record says so (else it was copied in).
  if (cached === dest) return verifyOwnCopy(entry, dest, opts);
  if (cached) return cached;
  if (opts.offline) {
    throw new MechLensError('not-found', `${name} is not downloaded yet and offline mode is on (not in ${cacheDirFor('vectors', cacheDir)} nor at ${gensimDataPath(name, opts.env)})`, {
      input: name,
      fix: `Turn offline mode off to download it (${(entry.downloadBytes / 2 ** 20).toFixed(0)} MB), or copy ${entry.name}.gz into ${cacheDirFor('vectors', cacheDir)}.`,
    });
  }
  // Two runs asking for the same set at once share one download instead of writing one .part twice.
  const running = inFlight.get(dest);
  if (running) return running;
  // downloadFile takes a lock on the destination: another process fetching the same set makes this
  // one wait, then the set it finished is used.
  const job = downloadFile(catalogUrl(entry, opts.baseUrl), dest, {
    ...opts.timing,
    md5: entry.md5,
    onStatus: opts.onStatus && ((message) => opts.onStatus?.(`${entry.name}: ${message}`)),
    signal: opts.signal,
    onProgress: (received, total) => opts.onProgress?.(received, total ?? entry.downloadBytes),
    retries: opts.retries,
    retryDelayMs: opts.retryDelayMs,
  }).then((r) => { writeVerifiedRecord(r.path, entry); return r.path; });
  inFlight.set(dest, job);
  try {
    return await job;
  } finally {
    inFlight.delete(dest);
  }
}

/** Beside each verified set in MechLens's cache: its size, time and md5 when it was checked. */
interface VerifiedRecord { md5: string; bytes: number; mtimeMs: number }

/** A dot file, so the cache listings (extension/cache-scan.ts) do not offer it as a vector file. */
const recordPath = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.verified.json`);

function writeVerifiedRecord(file: string, entry: VectorCatalogEntry): void {
  const stat = fs.statSync(file);
  writeFileAtomicSync(recordPath(file), JSON.stringify({ md5: entry.md5, bytes: stat.size, mtimeMs: stat.mtimeMs } satisfies VerifiedRecord));
}

function hasVerifiedRecord(file: string): boolean {
  try {
    const record = JSON.parse(fs.readFileSync(recordPath(file), 'utf8')) as VerifiedRecord;
    const stat = fs.statSync(file);
    // The file as it was when its download was verified (against the catalog that download used,
    // which a test or a mirror may give): unchanged since, it is that set.
    return typeof record.md5 === 'string' && record.bytes === stat.size && record.mtimeMs === stat.mtimeMs;
  } catch {
    return false;
  }
}

/**
 * A set in MechLens's cache with no record of a verified download (copied in by hand, as the
 * offline message suggests, or replaced since) is checked against gensim-data's size and md5 once
 * before it is used, then recorded; a file that does not match is refused, never read as the set.
 */
async function verifyOwnCopy(entry: VectorCatalogEntry, file: string, opts: EnsureCatalogOptions): Promise<string> {
  if (hasVerifiedRecord(file)) return file;
  const notTheSet = (what: string) => new MechLensError('format', `${file} is not ${entry.name}: ${what}`, {
    input: file,
    fix: `Delete it (MechLens then downloads the set), or copy the complete ${entry.name}.gz from gensim-data's release there.`,
  });
  const bytes = fs.statSync(file).size;
  if (bytes !== entry.downloadBytes) throw notTheSet(`it has ${bytes} bytes, the release has ${entry.downloadBytes}`);
  opts.onStatus?.(`${entry.name}: checking the md5 of ${file}, which has no download record (copied in by hand?)`);
  const { md5 } = await hashFileOnDisk(file, opts.signal);
  if (md5 !== entry.md5) throw notTheSet(`its md5 is ${md5}, the release's is ${entry.md5}`);
  writeVerifiedRecord(file, entry);
  return file;
}

export function unknownNameError(name: string, catalog: readonly VectorCatalogEntry[] = VECTOR_CATALOG): MechLensError {
  const near = catalog.map((e) => ({ e, d: editDistance(name.toLowerCase(), e.name) })).sort((a, b) => a.d - b.d)[0];
  const suggestion = near && near.d <= Math.max(3, name.length / 3) ? `Did you mean ${near.e.name}? ` : '';
  return new MechLensError('not-found', `"${name}" is not a vector catalog name`, {
    input: name,
    fix: `${suggestion}Known names: ${catalog.map((e) => e.name).join(', ')}; or give a file as vectors:PATH.`,
  });
}
