// The vocabulary that editor diagnostics check word lists and sentence sets against: a model's
// tokenizer, or the words of a vector set. Only what is already on disk is read (a local folder, a
// model or vector set in the cache, a vector file); nothing is downloaded for a diagnostic.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findCachedModel } from '../models/hub';
import { hasTokenizerFiles } from '../models/tokenizer-json';
import type { Gpt2Tokenizer } from '../models/tokenizer';
import { findCachedCatalogVectors, findCatalogVectors } from '../vectors/catalog';
import type { RunControl } from '../run-control';
import { scanVocabulary } from '../vectors/scan';

export type Vocabulary =
  | { kind: 'tokenizer'; name: string; tokenizer: Gpt2Tokenizer }
  | { kind: 'words'; name: string; words: ReadonlySet<string> };

/** Where a spec's files are: a tokenizer folder or a vector file; undefined when not on disk. */
export function vocabularyLocation(spec: string, cacheDir: string | undefined): { kind: 'tokenizer'; dir: string } | { kind: 'words'; file: string } | undefined {
  const s = spec.trim();
  if (!s) return undefined;
  const expand = (p: string) => path.resolve(p.replace(/^~(?=$|[/\\])/, os.homedir()));
  if (s.startsWith('vectors:')) {
    const file = expand(s.slice('vectors:'.length).trim());
    return fs.existsSync(file) ? { kind: 'words', file } : undefined;
  }
  if (!s.startsWith('model:') && findCatalogVectors(s)) {
    const file = findCachedCatalogVectors(s, { cacheDir });
    return file ? { kind: 'words', file } : undefined;
  }
  const body = s.startsWith('model:') ? s.slice('model:'.length) : s;
  const hash = body.lastIndexOf('#');
  const model = hash >= 0 ? body.slice(0, hash) : body;
  const asPath = expand(model);
  const stat = fs.statSync(asPath, { throwIfNoEntry: false });
  // An .onnx file's tokenizer sits beside it.
  const dir = stat?.isDirectory() ? asPath : stat?.isFile() ? path.dirname(asPath) : cachedModelDir(model, cacheDir);
  return dir && hasTokenizerFiles(dir) ? { kind: 'tokenizer', dir } : undefined;
}

/** A hub model already on disk: MechLens's cache or the Hugging Face hub cache. */
function cachedModelDir(model: string, cacheDir: string | undefined): string | undefined {
  return findCachedModel(model, { cacheDir });
}

/** Every word of a vector file, in file order. */
export async function vectorFileWords(file: string, control?: RunControl): Promise<string[]> {
  const words: string[] = [];
  await scanVocabulary(file, (word) => { words.push(word); }, control);
  return words;
}

/**
 * Loads the vocabulary of a spec, or undefined when its files are not on disk. `readWords` reads a
 * vector file's words; the extension passes one that runs in a worker, since a large vector file
 * takes seconds to scan.
 */
export async function loadVocabulary(spec: string, cacheDir: string | undefined,
  readWords: (file: string) => Promise<readonly string[]> = vectorFileWords): Promise<Vocabulary | undefined> {
  const where = vocabularyLocation(spec, cacheDir);
  if (!where) return undefined;
  const name = spec.trim().replace(/^model:/, '').replace(/#.*$/, '');
  if (where.kind === 'tokenizer') {
    // Loaded on demand: transformers.js is only needed once a model's vocabulary is asked for.
    const { loadTokenizer } = await import('../models/tokenizer');
    return { kind: 'tokenizer', name: path.basename(name) || name, tokenizer: await loadTokenizer(where.dir) };
  }
  const words = new Set(await readWords(where.file));
  return { kind: 'words', name: spec.startsWith('vectors:') ? path.basename(where.file) : name, words };
}
