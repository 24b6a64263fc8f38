// The key of a cached Result: a sha256 over the job, every option it ran with, the content of its
// input file, and a fingerprint of each model or vector file it read. Small files (configs,
// tokenizers, word lists) are hashed whole; large weight and vector files by size, mtime, ctime
// and inode, because hashing gigabytes would make a cache hit slower than some runs. Replacing or
// rewriting such a file changes at least one of those, so the next run is a miss.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultCacheDir } from '../cache';
import { VERSION } from '../version';
import { findCachedModel, modelCacheDir } from '../models/hub';
import { catalogCachePath, findCachedCatalogVectors, findCatalogVectors } from '../vectors/catalog';

/** Files up to this size are hashed by content. */
const HASH_WHOLE_BYTES = 4 * 1024 * 1024;

export type FileFingerprint = { path: string; sha256: string } | { path: string; size: number; mtimeMs: number; ctimeMs: number; ino: number };

async function fileFingerprint(file: string): Promise<FileFingerprint | undefined> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) return undefined;
  if (stat.size <= HASH_WHOLE_BYTES) {
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (!bytes) return undefined;
    return { path: file, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return { path: file, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

function expandHome(p: string): string {
  return path.resolve(p.replace(/^~(?=$|[/\\])/, os.homedir()));
}

/** Every file of a checkpoint folder (downloads in progress left out), in name order. */
async function folderFingerprint(dir: string): Promise<FileFingerprint[] | undefined> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => !n.endsWith('.part') && !n.startsWith('.')).sort();
  const prints: FileFingerprint[] = [];
  for (const name of names) {
    const print = await fileFingerprint(path.join(dir, name));
    if (print) prints.push(print);
  }
  return prints.length ? prints : undefined;
}

/**
 * What identifies a model's files: a checkpoint folder's files, an .onnx file with the tokenizer
 * beside it, or the cache folder of a hub id. Undefined when the model is not on disk yet (a first
 * run downloads it; the result is stored after the run, when the files exist).
 */
async function modelFingerprint(model: string, cacheDir: string | undefined): Promise<FileFingerprint[] | undefined> {
  const asPath = expandHome(model);
  const stat = await fs.stat(asPath).catch(() => undefined);
  if (stat?.isDirectory()) return folderFingerprint(asPath);
  if (stat?.isFile()) {
    const own = await fileFingerprint(asPath);
    const tokenizer = await fileFingerprint(path.join(path.dirname(asPath), 'tokenizer.json'));
    return own ? [own, ...(tokenizer ? [tokenizer] : [])] : undefined;
  }
  let dir: string;
  try {
    dir = findCachedModel(model, { cacheDir }) ?? modelCacheDir(model, 'main', cacheDir ?? defaultCacheDir());
  } catch {
    return undefined;
  }
  return folderFingerprint(dir);
}

/** A source spec's files: `model:ID#hook`, `vectors:PATH` or a catalog name. */
async function sourceFingerprint(spec: string, cacheDir: string | undefined): Promise<FileFingerprint[] | undefined> {
  const s = spec.trim();
  if (s.startsWith('model:')) {
    const body = s.slice('model:'.length);
    const hash = body.lastIndexOf('#');
    return modelFingerprint(hash >= 0 ? body.slice(0, hash) : body, cacheDir);
  }
  if (s.startsWith('vectors:')) {
    const print = await fileFingerprint(expandHome(s.slice('vectors:'.length).trim()));
    return print ? [print] : undefined;
  }
  if (!findCatalogVectors(s)) return undefined;
  const print = await fileFingerprint(findCachedCatalogVectors(s, { cacheDir }) ?? catalogCachePath(s, cacheDir ?? defaultCacheDir()));
  return print ? [print] : undefined;
}

export interface CacheKeyParts {
  job: string;
  /** Every option the job is given; key order does not matter. */
  options: Record<string, unknown>;
  /** Input files hashed by content (the word list or sentence set). */
  inputFiles: string[];
  /** Model and vector sources: model ids or folders, and source specs. */
  models?: string[];
  sources?: string[];
  cacheDir?: string;
  /** Anything else that changes the numbers, e.g. the execution provider. */
  environment?: Record<string, string | undefined>;
}

/** JSON with object keys sorted, so equal options give equal text whatever their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** The sha256 key, or undefined when an input or model is not on disk (then the run is not looked up). */
export async function resultCacheKey(parts: CacheKeyParts): Promise<string | undefined> {
  const inputs: FileFingerprint[] = [];
  for (const file of parts.inputFiles) {
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    const bytes = await fs.readFile(file);
    inputs.push({ path: path.resolve(file), sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  const models: FileFingerprint[][] = [];
  for (const model of parts.models ?? []) {
    const print = await modelFingerprint(model, parts.cacheDir);
    if (!print) return undefined;
    models.push(print);
  }
  const sources: FileFingerprint[][] = [];
  for (const spec of parts.sources ?? []) {
    const print = await sourceFingerprint(spec, parts.cacheDir);
    if (!print) return undefined;
    sources.push(print);
  }
  const text = canonicalJson({ version: VERSION, job: parts.job, options: parts.options, inputs, models, sources, environment: parts.environment ?? {} });
  return createHash('sha256').update(text).digest('hex');
}
