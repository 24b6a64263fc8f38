// Models that Python's huggingface_hub (transformers' from_pretrained, TransformerLens) already
// downloaded, used in place, and the hub's environment variables read as huggingface_hub reads them.
// The cache layout: <cache>/models--{owner}--{name}/snapshots/{commit}/<files> (symlinks into
// ../../blobs/), and refs/{revision} holding the commit a branch or tag pointed at when fetched.
// MechLens only reads this cache; its own downloads go to its own cache (README, "Caches").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceCopy } from '../../protocol/result';
import { INDEX_FILE, SINGLE_FILE, SOURCE_FILE } from './checkpoint';
import { hasTokenizerFiles } from './tokenizer-json';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** huggingface_hub's cache folder: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const hubCache = env.HF_HUB_CACHE?.trim() || env.HUGGINGFACE_HUB_CACHE?.trim();
  if (hubCache) return path.resolve(expandHome(hubCache));
  const home = env.HF_HOME?.trim() || path.join(env.XDG_CACHE_HOME?.trim() || path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(path.resolve(expandHome(home)), 'hub');
}

/** `HF_HUB_OFFLINE` (or transformers' `TRANSFORMERS_OFFLINE`) set to 1/true/yes/on, as huggingface_hub parses it. */
export function hubOfflineFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return [env.HF_HUB_OFFLINE, env.TRANSFORMERS_OFFLINE].some((v) => /^(1|true|yes|on)$/i.test(v?.trim() ?? ''));
}

/** `HF_ENDPOINT` (a mirror or proxy) in place of https://huggingface.co. */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT?.trim() || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
}

/** The cache folder name of a repository: `openai-community/gpt2` -> `models--openai-community--gpt2`. */
export function hubRepoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

export interface HubCacheHit {
  /** The snapshot folder: `<cache>/models--gpt2/snapshots/<commit>`. */
  dir: string;
  /** The repository name the cache has it under (maybe a legacy one such as `gpt2`). */
  repoId: string;
  commit: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The snapshot of the first of `repoIds` that the hub cache holds complete at `revision` (a branch,
 * tag or commit), else undefined. A branch or tag is read from refs/, as huggingface_hub does
 * offline; a snapshot lacking a file MechLens needs (only pytorch_model.bin, a missing blob) is skipped.
 * `isComplete` says what a usable snapshot holds (default: a checkpoint; SAEs pass their own).
 */
export function findInHubCache(repoIds: readonly string[], revision = 'main', cacheDir = hubCacheDir(), isComplete: (snapshot: string) => boolean = isCompleteCheckpoint): HubCacheHit | undefined {
  for (const repoId of repoIds) {
    const repoDir = path.join(cacheDir, hubRepoFolderName(repoId));
    const commit = COMMIT.test(revision) ? revision : readRef(repoDir, revision);
    if (!commit) continue;
    const dir = path.join(repoDir, 'snapshots', commit);
    if (isComplete(dir)) return { dir, repoId, commit };
  }
  return undefined;
}

function readRef(repoDir: string, revision: string): string | undefined {
  if (revision.split('/').some((part) => part === '..' || part === '')) return undefined;
  try {
    const commit = fs.readFileSync(path.join(repoDir, 'refs', revision), 'utf8').trim();
    return COMMIT.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** config.json, the safetensors weights (one file, or the index and every shard) and a GPT-2 tokenizer, all readable. */
export function isCompleteCheckpoint(dir: string): boolean {
  // statSync follows symlinks, so a link whose blob is missing counts as missing.
  const isFile = (name: string) => fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile() ?? false;
  if (!isFile('config.json') || !hasTokenizerFiles(dir)) return false;
  if (isFile(SINGLE_FILE)) return true;
  if (!isFile(INDEX_FILE)) return false;
  try {
    const weightMap = (JSON.parse(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8')) as { weight_map?: Record<string, unknown> }).weight_map ?? {};
    const shards = [...new Set(Object.values(weightMap))];
    return shards.length > 0 && shards.every((s) => typeof s === 'string' && !s.includes('/') && !s.includes('\\') && isFile(s));
  } catch {
    return false;
  }
}

/**
 * Which copy a model folder is, from its layout: a hub-cache snapshot (`models--NAME/snapshots/COMMIT`,
 * wherever the cache is), a MechLens download (it holds mechlens-source.json), else a local folder.
 */
export function describeModelCopy(dir: string): SourceCopy {
  const parts = path.resolve(dir).split(path.sep);
  const n = parts.length;
  if (n >= 3 && parts[n - 2] === 'snapshots' && parts[n - 3].startsWith('models--')) {
    return { from: 'hub-cache', path: dir, repo: parts[n - 3].slice('models--'.length).split('--').join('/'), commit: parts[n - 1] };
  }
  if (fs.existsSync(path.join(dir, SOURCE_FILE))) return { from: 'mechlens-cache', path: dir };
  return { from: 'local', path: dir };
}

/** One line for logs and the CLI: `gpt2: Hugging Face hub cache (models--gpt2, commit 1234567), /path`. */
export function describeCopyLine(label: string, copy: SourceCopy): string {
  const where = {
    'hub-cache': 'the Hugging Face hub cache',
    'gensim-data': "gensim-data's folder",
    'mechlens-cache': "MechLens's cache",
    'local': 'a local path',
  }[copy.from];
  const detail = [copy.repo ? `repository ${copy.repo}` : '', copy.commit ? `commit ${copy.commit.slice(0, 12)}` : ''].filter(Boolean).join(', ');
  return `${label}: from ${where}${detail ? ` (${detail})` : ''}: ${copy.path}`;
}

function expandHome(p: string): string {
  return p.replace(/^~(?=$|[/\\])/, os.homedir());
}
