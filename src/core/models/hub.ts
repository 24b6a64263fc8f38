// Hugging Face hub checkpoints in a local cache: `<cache>/models/<id>/<revision>/` holds config.json,
// tokenizer files and the safetensors weights, downloaded with resume and checked against the sizes
// and sha256 the hub announces. The folder counts as complete only once `mechlens-source.json` is
// written, after every file is in place, so an interrupted download is never mistaken for a model.
// Before downloading, a model already in the Hugging Face hub cache is used in place (hub-cache.ts).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { cachePath, defaultCacheDir } from '../cache';
import { downloadFile, isLoopback, seconds, type DownloadOptions } from '../io/download';
import { CancelledError, MechLensError, throwIfCancelled } from '../errors';
import { writeFileAtomicSync } from '../io/atomic-write';
import { withLock } from '../io/file-lock';
import { isRecordedDownload, recordDownload } from './download-record';
import { INDEX_FILE, SINGLE_FILE, SOURCE_FILE } from './checkpoint';
import { parseGpt2Config } from './config';
import { DEFAULT_HUB_ENDPOINT, findInHubCache, hubCacheDir, hubEndpoint, hubOfflineFromEnv, hubRepoFolderName } from './hub-cache';
import { hasTokenizerFiles } from './tokenizer-json';

export interface ModelCatalogEntry {
  /** The short name users type: `gpt2`. */
  name: string;
  /** Repository on the hub. */
  hubId: string;
  layers: number;
  dModel: number;
  heads: number;
  /** Parameter count. */
  params: number;
  /** Size of the hub's safetensors weights in bytes (GPT-2: F32 weights plus the legacy attn.bias masks; others: the stored dtype). */
  approxBytes: number;
  description: string;
  /** The model's license as its hub page states it (e.g. mit, apache-2.0, llama3.2, gemma). */
  license?: string;
  /** Gated on the hub: the license must be accepted on the model's page, and HF_TOKEN set. */
  gated?: boolean;
  /** Families other than GPT-2: what the hook table needs beyond layers, heads and width. */
  family?: CatalogFamilyShape;
}

/** Hook-table shape of a non-GPT-2 catalog model (config.json fields, normalised as config.ts names them). */
export interface CatalogFamilyShape {
  modelType: 'gpt_neox' | 'llama' | 'qwen2' | 'qwen3' | 'gemma2' | 'gemma3';
  nKvHead: number;
  dHead: number;
  nInner: number;
  vocabSize: number;
  parallelResidual?: boolean;
  postNorms?: boolean;
}

/** The models the tree views, the CLI and the download prompts list: GPT-2, then the other families. */
export const MODEL_CATALOG: readonly ModelCatalogEntry[] = Object.freeze(([
  { name: 'gpt2', hubId: 'openai-community/gpt2', layers: 12, dModel: 768, heads: 12, params: 124_439_808, approxBytes: 548_105_171, description: 'GPT-2 small (124M), the model of most interpretability tutorials', license: 'mit' },
  { name: 'distilgpt2', hubId: 'distilbert/distilgpt2', layers: 6, dModel: 768, heads: 12, params: 81_912_576, approxBytes: 352_824_413, description: 'DistilGPT-2 (82M), distilled from GPT-2 small', license: 'apache-2.0' },
  { name: 'gpt2-medium', hubId: 'openai-community/gpt2-medium', layers: 24, dModel: 1024, heads: 16, params: 354_823_168, approxBytes: 1_519_983_016, description: 'GPT-2 medium (355M)', license: 'mit' },
  { name: 'gpt2-large', hubId: 'openai-community/gpt2-large', layers: 36, dModel: 1280, heads: 20, params: 774_030_080, approxBytes: 3_247_202_234, description: 'GPT-2 large (774M)', license: 'mit' },
  { name: 'gpt2-xl', hubId: 'openai-community/gpt2-xl', layers: 48, dModel: 1600, heads: 25, params: 1_557_611_200, approxBytes: 6_431_878_936, description: 'GPT-2 XL (1.5B)', license: 'mit' },
  ...pythia('14m', 6, 128, 4, 14_067_712),
  ...pythia('70m', 6, 512, 8, 70_426_624),
  ...pythia('160m', 12, 768, 12, 162_322_944),
  ...pythia('410m', 24, 1024, 16, 405_334_016),
  { name: 'SmolLM2-135M', hubId: 'HuggingFaceTB/SmolLM2-135M', layers: 30, dModel: 576, heads: 9, params: 134_515_008, approxBytes: 269_060_552, license: 'apache-2.0',
    description: 'SmolLM2 135M (Llama architecture, GQA 9/3, BF16)', family: { modelType: 'llama', nKvHead: 3, dHead: 64, nInner: 1536, vocabSize: 49152 } },
  { name: 'SmolLM2-360M', hubId: 'HuggingFaceTB/SmolLM2-360M', layers: 32, dModel: 960, heads: 15, params: 361_821_120, approxBytes: 723_674_912, license: 'apache-2.0',
    description: 'SmolLM2 360M (Llama architecture, GQA 15/5, BF16)', family: { modelType: 'llama', nKvHead: 5, dHead: 64, nInner: 2560, vocabSize: 49152 } },
  { name: 'Qwen2.5-0.5B', hubId: 'Qwen/Qwen2.5-0.5B', layers: 24, dModel: 896, heads: 14, params: 494_032_768, approxBytes: 988_097_824, license: 'apache-2.0',
    description: 'Qwen2.5 0.5B (q/k/v biases, GQA 14/2, BF16)', family: { modelType: 'qwen2', nKvHead: 2, dHead: 64, nInner: 4864, vocabSize: 151936 } },
  { name: 'Qwen3-0.6B', hubId: 'Qwen/Qwen3-0.6B', layers: 28, dModel: 1024, heads: 16, params: 596_049_920, approxBytes: 1_503_300_328, license: 'apache-2.0',
    description: 'Qwen3 0.6B (q/k norms, head_dim 128, GQA 16/8, BF16)', family: { modelType: 'qwen3', nKvHead: 8, dHead: 128, nInner: 3072, vocabSize: 151936 } },
  { name: 'Llama-3.2-1B', hubId: 'meta-llama/Llama-3.2-1B', layers: 16, dModel: 2048, heads: 32, params: 1_235_814_400, approxBytes: 2_471_645_608, license: 'llama3.2', gated: true,
    description: 'Llama 3.2 1B (GQA 32/8, llama3 RoPE scaling, BF16; gated)', family: { modelType: 'llama', nKvHead: 8, dHead: 64, nInner: 8192, vocabSize: 128256 } },
  { name: 'gemma-2-2b', hubId: 'google/gemma-2-2b', layers: 26, dModel: 2304, heads: 8, params: 2_614_341_888, approxBytes: 10_457_367_552, license: 'gemma', gated: true,
    description: 'Gemma 2 2B (softcaps, sliding window, 4 norms per block, F32 in 3 shards; gated)', family: { modelType: 'gemma2', nKvHead: 4, dHead: 256, nInner: 9216, vocabSize: 256000, postNorms: true } },
  { name: 'gemma-3-270m', hubId: 'google/gemma-3-270m', layers: 18, dModel: 640, heads: 4, params: 268_098_176, approxBytes: 536_223_056, license: 'gemma', gated: true,
    description: 'Gemma 3 270M (q/k norms, local/global layers; gated)', family: { modelType: 'gemma3', nKvHead: 1, dHead: 256, nInner: 2048, vocabSize: 262144, postNorms: true } },
] as ModelCatalogEntry[]).map((entry) => Object.freeze(entry)));

/** Pythia and its deduplicated twin (EleutherAI, apache-2.0, F16 weights with parallel residual). */
function pythia(size: string, layers: number, dModel: number, heads: number, params: number): ModelCatalogEntry[] {
  const family: CatalogFamilyShape = { modelType: 'gpt_neox', nKvHead: heads, dHead: dModel / heads, nInner: 4 * dModel, vocabSize: 50304, parallelResidual: true };
  const entry = (deduped: boolean): ModelCatalogEntry => ({
    name: `pythia-${size}${deduped ? '-deduped' : ''}`, hubId: `EleutherAI/pythia-${size}${deduped ? '-deduped' : ''}`, layers, dModel, heads, params,
    approxBytes: params * 2, license: 'apache-2.0', family,
    description: `Pythia ${size}${deduped ? ' deduped (trained on the deduplicated Pile)' : ''} (GPT-NeoX, parallel residual, F16)`,
  });
  return [entry(false), entry(true)];
}

export type HubProgress = (file: string, received: number, total: number | undefined, overallReceived: number, overallTotal: number | undefined) => void;

export interface EnsureModelOptions {
  /** Cache root (the models go to `<cacheDir>/models`); `$MECHLENS_CACHE` or ~/.cache/mechlens by default. */
  cacheDir?: string;
  /** Use only the caches; never touch the network. `HF_HUB_OFFLINE=1` in `env` means the same. */
  offline?: boolean;
  /** The hub's address; `HF_ENDPOINT`, else https://huggingface.co. */
  endpoint?: string;
  revision?: string;
  signal?: AbortSignal;
  onProgress?: HubProgress;
  /** Waits worth telling the user about: another process downloading this model, a silent server, a retry. */
  onStatus?: (message: string) => void;
  /** Download timing for tests (idle timeout, retries, lock staleness); the defaults suit real use. */
  timing?: Pick<DownloadOptions, 'idleTimeoutMs' | 'maxStalledMs' | 'retries' | 'retryDelayMs' | 'statusEveryMs' | 'lockStaleMs' | 'lockPollMs'>;
  /** Access token for private or gated repositories; `$HF_TOKEN` by default. Sent to the endpoint's host only. */
  token?: string;
  /** The environment read for HF_HUB_CACHE, HF_HOME, HF_HUB_OFFLINE, HF_ENDPOINT (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** What hub.ts records next to a complete download (and what checkpoint.ts reads as the revision). */
export interface ModelSource {
  id: string;
  revision: string;
  commit: string | null;
  endpoint: string;
  files: Array<{ name: string; bytes: number; sha256: string | null }>;
  downloadedAt: string;
}

/**
 * The names a model may be stored under in the Hugging Face hub cache: the hub id and, for a
 * catalog model, its legacy name (`from_pretrained('gpt2')` leaves `models--gpt2`).
 */
export function hubCacheNames(id: string): string[] {
  const entry = MODEL_CATALOG.find((m) => m.name === id || m.hubId === id);
  return entry ? [entry.hubId, entry.name] : [id];
}

/**
 * A complete copy of a hub model already on disk, without touching the network: MechLens's own
 * cache first, then the Hugging Face hub cache (any of the model's names there). Undefined if none.
 */
export function findCachedModel(id: string, options: { cacheDir?: string; revision?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const revision = options.revision ?? 'main';
  let own: string;
  try {
    own = modelCacheDir(id, revision, options.cacheDir ?? defaultCacheDir(options.env));
  } catch {
    return undefined; // not a name that can be a cache folder
  }
  if (completeCacheEntry(own)) return own;
  return findInHubCache(hubCacheNames(id), revision, hubCacheDir(options.env))?.dir;
}

/** A catalog name (`gpt2`) becomes its hub id; anything else is used as given. */
export function resolveModelId(id: string): string {
  return MODEL_CATALOG.find((m) => m.name === id || m.hubId === id)?.hubId ?? id;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/** The cache folder a hub id and revision download to. */
export function modelCacheDir(id: string, revision = 'main', cacheDir = defaultCacheDir()): string {
  return cachePath('models', `${resolveModelId(id)}/${revision.replace(/[^\w.-]/g, '_')}`, cacheDir);
}

/**
 * A local checkpoint folder for `idOrDir`: an existing folder as it is, or a hub model (catalog
 * name such as `gpt2`, or `owner/name`) from the cache, downloading what is missing unless offline.
 */
export async function ensureModel(idOrDir: string, options: EnsureModelOptions = {}): Promise<string> {
  const asPath = path.resolve(idOrDir.replace(/^~(?=$|[/\\])/, os.homedir()));
  if (fs.existsSync(asPath)) {
    if (fs.statSync(asPath).isDirectory()) return asPath;
    throw new MechLensError('bad-argument', `${asPath} is a file, not a checkpoint folder`, {
      input: idOrDir, fix: 'Give the folder that holds config.json, model.safetensors and tokenizer.json (an .onnx file is opened directly instead).',
    });
  }
  if (!HUB_ID.test(idOrDir) || idOrDir.endsWith('.') || idOrDir.includes('..')) {
    throw new MechLensError('not-found', `"${idOrDir}" is neither a folder nor a Hugging Face model id`, {
      input: idOrDir, fix: `Give a checkpoint folder, or a model id such as ${MODEL_CATALOG.map((m) => m.name).join(', ')} or owner/name.`,
    });
  }
  const id = resolveModelId(idOrDir);
  const revision = options.revision ?? 'main';
  const env = options.env ?? process.env;
  const dir = modelCacheDir(id, revision, options.cacheDir ?? defaultCacheDir(env));
  const cached = findCachedModel(idOrDir, { cacheDir: options.cacheDir, revision, env });
  if (cached) return cached;
  const offlineByEnv = !options.offline && hubOfflineFromEnv(env);
  if (options.offline || offlineByEnv) {
    const hubCache = hubCacheDir(env);
    throw new MechLensError('not-found', `Model ${id} (revision ${revision}) is not in the cache${describeMissing(dir)} nor in the Hugging Face hub cache (${hubCache}, as ${hubCacheNames(idOrDir).map(hubRepoFolderName).join(' or ')}); ${offlineByEnv ? 'HF_HUB_OFFLINE is set, so' : 'offline mode'} does not download`, {
      input: dir, fix: `${offlineByEnv ? 'Unset HF_HUB_OFFLINE' : 'Turn off offline mode'} to download it once, or copy a checkpoint folder there (config.json, ${SINGLE_FILE}, tokenizer.json).`,
    });
  }
  const endpoint = options.endpoint ?? hubEndpoint(env);
  // Two panels asking for the same model at once share one download instead of racing on one .part.
  let pending = inFlight.get(dir);
  if (!pending) {
    pending = downloadOnce(id, revision, dir, { ...options, endpoint }).finally(() => inFlight.delete(dir));
    inFlight.set(dir, pending);
  }
  await pending;
  return dir;
}

const inFlight = new Map<string, Promise<void>>();

/** The lock that lets one process at a time download into a model's cache folder. */
export const MODEL_LOCK_FILE = '.mechlens-download.lock';

/**
 * Downloads under a lock on the cache folder, so that two processes (two CLI runs, or the extension
 * and a CLI run) never write the same files at once: the second waits, says so, and then uses the
 * entry the first completed.
 */
async function downloadOnce(id: string, revision: string, dir: string, options: EnsureModelOptions): Promise<void> {
  await withDownloadLock(dir, id, options, async () => {
    if (completeCacheEntry(dir)) return;
    await download(id, revision, dir, options);
  });
}

/** Runs `fn` holding the download lock of cache folder `dir`; a second process waits and says what it waits for (`what`). */
export async function withDownloadLock(dir: string, what: string, options: EnsureModelOptions, fn: () => Promise<void>): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await withLock(path.join(dir, MODEL_LOCK_FILE), {
    signal: options.signal,
    staleMs: options.timing?.lockStaleMs,
    pollMs: options.timing?.lockPollMs,
    waitReportMs: options.timing?.statusEveryMs,
    onWait: (owner, waitedMs) => options.onStatus?.(`Waiting for another MechLens process${owner ? ` (pid ${owner.pid})` : ''} that is downloading ${what}${waitedMs >= 1000 ? ` (${Math.round(waitedMs / 1000)} s so far)` : ''}`),
  }, fn);
}

function completeCacheEntry(dir: string): ModelSource | undefined {
  try {
    const source = JSON.parse(fs.readFileSync(path.join(dir, SOURCE_FILE), 'utf8')) as ModelSource;
    const allThere = source.files.every((f) => {
      try { return fs.statSync(path.join(dir, f.name)).size === f.bytes; } catch { return false; }
    });
    return allThere ? source : undefined;
  } catch {
    return undefined;
  }
}

function describeMissing(dir: string): string {
  if (!fs.existsSync(dir)) return ` (no folder ${dir})`;
  const have = new Set(fs.readdirSync(dir));
  const missing = ['config.json', ...(hasTokenizerFiles(dir) ? [] : ['tokenizer.json'])].filter((f) => !have.has(f));
  if (!have.has(SINGLE_FILE) && !have.has(INDEX_FILE)) missing.push(SINGLE_FILE);
  const partial = [...have].filter((f) => f.endsWith('.part')).map((f) => f.slice(0, -5));
  const parts = [missing.length ? `missing ${missing.join(', ')}` : '', partial.length ? `partly downloaded ${partial.join(', ')}` : '', !missing.length && !partial.length ? `no ${SOURCE_FILE}, so the last download did not finish` : ''];
  return ` (${parts.filter(Boolean).join('; ')})`;
}

export interface RemoteFile {
  name: string;
  url: string;
  size: number | undefined;
  sha256: string | undefined;
  optional: boolean;
}

/**
 * Asks the hub about files of one repository (size, sha256, commit) and fetches them into a folder
 * with resume and checks; shared by model downloads and SAE downloads (sae/hub.ts).
 */
export class HubFetcher {
  commit: string | null = null;
  private readonly endpoint: string;
  private readonly auth: Record<string, string>;
  private readonly token: string | undefined;
  private readonly progress: OverallProgress;

  constructor(private readonly id: string, private readonly revision: string, private readonly dir: string, private readonly options: EnsureModelOptions) {
    this.endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.token = options.token ?? (options.env ?? process.env).HF_TOKEN;
    this.auth = this.token ? { authorization: `Bearer ${this.token}` } : {};
    this.progress = new OverallProgress(options.onProgress);
    fs.mkdirSync(dir, { recursive: true });
  }

  urlOf(file: string): string {
    return `${this.endpoint}/${this.id}/resolve/${encodeURIComponent(this.revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** HEAD of one file: undefined for a missing optional file; errors that say what to do otherwise. */
  async describe(name: string, optional: boolean, missingFix = 'This repository lacks a file MechLens needs; pick another model or download it yourself.'): Promise<RemoteFile | undefined> {
    const { id, revision, options } = this;
    throwIfCancelled(options.signal);
    const url = this.urlOf(name);
    const head = await headRequest(url, options.signal, this.auth, 0, options.timing?.idleTimeoutMs);
    if (optional && head.status === 404) return undefined;
    if (head.status === 401 || head.status === 403) {
      throw new MechLensError('download', `The hub refused access to ${id} (HTTP ${head.status} for ${name})`, {
        input: url, fix: `The repository is gated or private: accept its license on https://huggingface.co/${id}, then set HF_TOKEN to an access token of that account${this.token ? ' (the HF_TOKEN given was refused)' : ''}.`,
      });
    }
    if (head.status === 404) {
      throw new MechLensError('not-found', `The hub has no ${name} for ${id} at revision ${revision} (HTTP 404)`, { input: url, fix: missingFix });
    }
    if (head.status >= 400) {
      throw new MechLensError('download', `HTTP ${head.status} asking the hub about ${name} of ${id}`, { input: url, fix: 'Try again later, or use offline mode with a cached copy.' });
    }
    if (head.commit && !this.commit) this.commit = head.commit;
    return { name, url, size: head.size, sha256: head.sha256, optional };
  }

  /** Counts a file in the overall progress before it is fetched, so the total is known early. */
  announce(file: RemoteFile): void {
    this.progress.add(file);
  }

  // A file already here is kept when this folder's record says MechLens downloaded it (a run cut
  // short), or when downloadFile finds its sha256 on disk equal to the hub's (a folder copied in by
  // hand). Any other (no record and no known sha256, as for tokenizer.json) is fetched again, since
  // its size alone proves nothing.
  async fetch(file: RemoteFile): Promise<void> {
    const { dir, options } = this;
    const dest = path.join(dir, file.name);
    this.progress.add(file);
    if (isRecordedDownload(dir, file.name, file.sha256)) {
      this.progress.file(file, fs.statSync(dest).size);
      return;
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const got = await downloadFile(file.url, dest, {
      ...options.timing,
      expectedSize: file.size,
      sha256: file.sha256,
      headers: this.auth,
      signal: options.signal,
      onProgress: (received) => this.progress.file(file, received),
      onStatus: options.onStatus && ((message) => options.onStatus?.(`${this.id}: ${file.name}: ${message}`)),
    });
    if (got.reused) this.progress.file(file, got.bytes);
    recordDownload(dir, file.name, got.sha256);
  }

  /** What mechlens-source.json records once every file is in place. */
  source(files: readonly RemoteFile[]): ModelSource {
    return {
      id: this.id, revision: this.revision, commit: this.commit, endpoint: this.endpoint,
      files: files.map((f) => ({ name: f.name, bytes: fs.statSync(path.join(this.dir, f.name)).size, sha256: f.sha256 ?? null })),
      downloadedAt: new Date().toISOString(),
    };
  }
}

async function download(id: string, revision: string, dir: string, options: EnsureModelOptions): Promise<void> {
  const hub = new HubFetcher(id, revision, dir, options);
  const describeFile = (name: string, optional: boolean) => hub.describe(name, optional, name === 'config.json' ? 'Check the model id (for example gpt2, distilgpt2, openai-community/gpt2-medium).' : undefined);
  const fetchFile = (file: RemoteFile) => hub.fetch(file);
  const urlOf = (file: string) => hub.urlOf(file);
  const files: RemoteFile[] = [];

  // Small files first: config.json is checked before gigabytes of weights are fetched.
  const config = (await describeFile('config.json', false))!;
  await fetchFile(config);
  files.push(config);
  const configPath = path.join(dir, 'config.json');
  let configJson: unknown;
  try {
    configJson = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  } catch (err) {
    fs.rmSync(configPath, { force: true });
    throw new MechLensError('download', `config.json of ${id} is not JSON (${(err as Error).message})`, { input: config.url, fix: 'Try again; if it persists the repository is broken.' });
  }
  parseGpt2Config(configJson, `${id}/config.json`);

  for (const [name, optional] of [['tokenizer.json', false], ['tokenizer_config.json', true]] as const) {
    const file = await describeFile(name, optional);
    if (!file) continue;
    await fetchFile(file);
    files.push(file);
  }

  const single = await describeFile(SINGLE_FILE, true);
  let weights: RemoteFile[];
  if (single) {
    weights = [single];
  } else {
    const index = await describeFile(INDEX_FILE, true);
    if (!index) {
      throw new MechLensError('not-found', `${id} has no ${SINGLE_FILE} or ${INDEX_FILE} on the hub (maybe only pytorch_model.bin)`, {
        input: urlOf(SINGLE_FILE), fix: 'MechLens reads safetensors only: pick another model, or convert it locally with save_pretrained(dir, safe_serialization=True) and open the folder.',
      });
    }
    await fetchFile(index);
    files.push(index);
    const shardNames = readShardNames(path.join(dir, INDEX_FILE), index.url);
    weights = [];
    for (const shard of shardNames) weights.push((await describeFile(shard, false))!);
  }
  for (const w of weights) hub.announce(w);
  for (const w of weights) {
    await fetchFile(w);
    files.push(w);
  }

  writeFileAtomicSync(path.join(dir, SOURCE_FILE), JSON.stringify(hub.source(files), null, 2) + '\n');
}

function readShardNames(indexPath: string, url: string): string[] {
  let weightMap: unknown;
  try {
    weightMap = (JSON.parse(fs.readFileSync(indexPath, 'utf8')) as { weight_map?: unknown }).weight_map;
  } catch (err) {
    fs.rmSync(indexPath, { force: true });
    throw new MechLensError('download', `${INDEX_FILE} is not JSON (${(err as Error).message})`, { input: url, fix: 'Try again; if it persists the repository is broken.' });
  }
  const names = typeof weightMap === 'object' && weightMap !== null ? [...new Set(Object.values(weightMap))] : [];
  if (!names.length || !names.every((n) => typeof n === 'string' && /^[\w.-]+\.safetensors$/.test(n))) {
    throw new MechLensError('format', `${INDEX_FILE} lists no usable shard file names`, { input: url, fix: 'The repository is broken; pick another model.' });
  }
  return names as string[];
}

/** Sums per-file progress into an overall figure; the total is known once every size is. */
class OverallProgress {
  private readonly received = new Map<string, number>();
  private readonly sizes = new Map<string, number | undefined>();
  constructor(private readonly report: HubProgress | undefined) {}
  add(file: RemoteFile): void {
    if (!this.sizes.has(file.name)) this.sizes.set(file.name, file.size);
  }
  file(file: RemoteFile, received: number): void {
    this.received.set(file.name, received);
    if (!this.report) return;
    let overall = 0;
    for (const r of this.received.values()) overall += r;
    const sizes = [...this.sizes.values()];
    const overallTotal = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined;
    this.report(file.name, received, file.size, overall, overallTotal);
  }
}

export interface HeadResult {
  status: number;
  /** X-Linked-Size (LFS files) or Content-Length of a 200. */
  size: number | undefined;
  /** X-Linked-Etag when it is a sha256 (LFS files); the hub's plain ETag of a git file is a sha1 and is not used. */
  sha256: string | undefined;
  commit: string | undefined;
}

/**
 * HEAD on a hub `resolve` URL without following the redirect: the hub answers LFS files with a
 * 302 to its CDN whose own headers carry X-Linked-Size and X-Linked-Etag (the sha256), and small
 * git files with a 200 (or a 307 to the canonical repository name, which is followed).
 */
export function headRequest(url: string, signal?: AbortSignal, headers: Record<string, string> = {}, redirects = 0, idleMs = 30_000): Promise<HeadResult> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const client = parsed.protocol === 'https:' ? https : http;
    // Plain http only to this machine (a local mirror in HF_ENDPOINT, tests), as for downloads.
    if (client === http && !isLoopback(parsed.hostname)) {
      reject(new MechLensError('download', `Refusing to ask ${parsed.host} over plain http${redirects ? ' (after a redirect)' : ''}`, {
        input: url, fix: 'Use an https:// endpoint (HF_ENDPOINT), or plain http only to 127.0.0.1 or localhost.',
      }));
      return;
    }
    // A connection of its own (no keep-alive pool): a pooled socket the server has meanwhile closed
    // fails a HEAD with ECONNRESET, and a HEAD is not retried.
    const req = client.request(parsed, { method: 'HEAD', agent: false, headers: { 'user-agent': 'mechlens', 'accept-encoding': 'identity', ...headers }, signal }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const linkedSize = header('x-linked-size');
      const linkedEtag = header('x-linked-etag')?.replace(/^W\//, '').replace(/"/g, '');
      const location = header('location');
      // A relative redirect (renamed repository, e.g. gpt2 -> openai-community/gpt2) before any LFS headers: follow it.
      if ((status === 301 || status === 307 || status === 308 || (status === 302 && !linkedSize)) && location && redirects < 5) {
        const next = new URL(location, parsed);
        // The token goes to the hub only, never to a host it redirects to.
        headRequest(next.toString(), signal, next.host === parsed.host ? headers : {}, redirects + 1, idleMs).then(resolve, reject);
        return;
      }
      const contentLength = header('content-length');
      const size = linkedSize !== undefined && /^\d+$/.test(linkedSize) ? Number(linkedSize)
        : status === 200 && contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
      resolve({
        status: status >= 300 && status < 400 ? 200 : status,
        size,
        sha256: linkedEtag && /^[0-9a-f]{64}$/i.test(linkedEtag) ? linkedEtag.toLowerCase() : undefined,
        commit: header('x-repo-commit'),
      });
    });
    req.setTimeout(idleMs, () => req.destroy(new Error(`no answer for ${seconds(idleMs)}`)));
    req.on('error', (err) => {
      if (signal?.aborted) reject(new CancelledError(`Download of ${url} cancelled`));
      else reject(new MechLensError('download', `Cannot reach ${parsed.host} (${(err as NodeJS.ErrnoException).code ?? err.message})`, {
        input: url, fix: 'Check the network connection, or use offline mode with a cached model.', cause: err,
      }));
    });
    req.end();
  });
}
