// Local inputs without vscode: what a path is (a checkpoint folder, a vector file, a word list, a
// sentence set), told from its content and never from its name alone, and a bounded, cancellable
// walk of the workspace that finds the checkpoint folders and vector files in it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeFormat, detectVectorFile } from '../core/vectors/detect';
import { MechLensError } from '../core/errors';

export interface LocalModel {
  kind: 'model';
  path: string;
  /** The folder's name. */
  name: string;
}

interface LocalVectorFile {
  kind: 'vectors';
  path: string;
  name: string;
  /** "GloVe text · 50-d". */
  format: string;
  dims: number;
}

export type LocalItem = LocalModel | LocalVectorFile;

type InputKind =
  | { kind: 'missing' }
  | { kind: 'model-folder' }
  | { kind: 'folder' }
  | { kind: 'vectors'; format: string; dims: number }
  /** Text that is no vector file: a word list, a sentence set, a token list. */
  | { kind: 'text' }
  | { kind: 'binary' };

/** A Hugging Face checkpoint folder: config.json beside safetensors weights. */
export function isModelFolder(dir: string): boolean {
  if (!existsSync(path.join(dir, 'config.json'))) return false;
  try {
    return readdirSync(dir).some((name) => name.endsWith('.safetensors'));
  } catch {
    return false;
  }
}

/** What a path holds: the file's first bytes decide between vector file, text and binary. */
export async function sniffInput(p: string): Promise<InputKind> {
  const info = statSync(p, { throwIfNoEntry: false });
  if (!info) return { kind: 'missing' };
  if (info.isDirectory()) return isModelFolder(p) ? { kind: 'model-folder' } : { kind: 'folder' };
  try {
    const detected = await detectVectorFile(p);
    // A one-column file ("word 1") would pass as 1-d vectors; no embedding has one dimension.
    if (detected.dims > 1) return { kind: 'vectors', format: describeFormat(detected.format), dims: detected.dims };
  } catch (err) {
    if (!(err instanceof MechLensError)) throw err;
  }
  return (await looksBinary(p)) ? { kind: 'binary' } : { kind: 'text' };
}

async function looksBinary(p: string): Promise<boolean> {
  const handle = await open(p, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return /[\u0000-\u0008\u000e-\u001f]/.test(head.toString('latin1', 0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The message of an input prompt when `kind` is not what it asks for; undefined when it is. */
export function wrongInputMessage(p: string, kind: InputKind, wanted: 'model-folder' | 'vectors' | 'text'): string | undefined {
  const name = path.basename(p) || p;
  if (kind.kind === wanted) return undefined;
  if (kind.kind === 'missing') return `${name} does not exist.`;
  const is = kind.kind === 'vectors' ? `a vector file (${kind.format}, ${kind.dims}-d)`
    : kind.kind === 'model-folder' ? 'a model folder'
      : kind.kind === 'folder' ? 'a folder without config.json and safetensors weights'
        : kind.kind === 'binary' ? 'a binary file that is no vector file' : 'a text file that is no vector file';
  const want = wanted === 'model-folder' ? 'a model folder (config.json and model.safetensors)'
    : wanted === 'vectors' ? 'a vector file (GloVe text, word2vec text or binary, fastText .vec)'
      : 'a word list (one word per line)';
  return `${name} is ${is}, not ${want}.`;
}

interface ScanOptions {
  signal?: AbortSignal;
  /** Directory entries looked at before the walk stops (a huge workspace is not walked to its end). */
  maxEntries?: number;
  maxDepth?: number;
  /** Files opened to tell a vector file from other text. */
  maxSniffs?: number;
}

/** Folders never walked: dependencies, version control, caches of tools. */
const skippedFolders = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', 'out', 'dist']);
/** Names a vector file may have; its content decides. */
const vectorNamePattern = /\.(txt|vec|bin|w2v|gz)$/i;
/** A vector file holds at least one row of a few numbers. */
const minVectorBytes = 16;

/**
 * The checkpoint folders and vector files under `roots`, breadth first, in name order. Stops at the
 * bounds (entries, depth, files opened) and when `signal` aborts; what was found so far is returned.
 */
export async function scanForLocalItems(roots: readonly string[], o: ScanOptions = {}): Promise<{ items: LocalItem[]; complete: boolean }> {
  const maxEntries = o.maxEntries ?? 20_000;
  const maxDepth = o.maxDepth ?? 6;
  let sniffsLeft = o.maxSniffs ?? 200;
  let entries = 0;
  const items: LocalItem[] = [];
  let queue = roots.map((dir) => ({ dir, depth: 0 }));
  while (queue.length) {
    const next: typeof queue = [];
    for (const { dir, depth } of queue) {
      if (o.signal?.aborted) return { items, complete: false };
      let names: string[];
      try {
        names = (await readdir(dir)).sort();
      } catch {
        continue;
      }
      entries += names.length;
      if (names.includes('config.json') && names.some((n) => n.endsWith('.safetensors'))) {
        items.push({ kind: 'model', path: dir, name: path.basename(dir) });
        continue; // a checkpoint's own files are no inputs of their own
      }
      for (const name of names) {
        if (o.signal?.aborted) return { items, complete: false };
        const full = path.join(dir, name);
        if (skippedFolders.has(name) || name.startsWith('.')) continue;
        const info = await stat(full).catch(() => undefined);
        if (!info) continue;
        if (info.isDirectory()) {
          if (depth + 1 <= maxDepth) next.push({ dir: full, depth: depth + 1 });
        } else if (info.isFile() && vectorNamePattern.test(name) && info.size >= minVectorBytes && sniffsLeft > 0) {
          sniffsLeft--;
          const kind = await sniffInput(full).catch(() => undefined);
          if (kind?.kind === 'vectors') items.push({ kind: 'vectors', path: full, name, format: `${kind.format} · ${kind.dims}-d`, dims: kind.dims });
        }
      }
      if (entries >= maxEntries) return { items, complete: false };
    }
    queue = next;
  }
  return { items, complete: sniffsLeft > 0 };
}
