// Source specs for static vectors (design.md, "Representations"): a catalog name or `vectors:PATH`.
// `model:` specs belong to the model layer; they are recognised here only to say so.
import os from 'node:os';
import path from 'node:path';
import { MechLensError } from '../errors';
import type { RunControl } from '../run-control';
import { lookupVectors } from './lookup';
import type { VectorLookup } from './types';
import { ensureCatalogVectors, findCatalogVectors, unknownNameError, type EnsureCatalogOptions, type VectorCatalogEntry } from './catalog';

export type VectorSpec = { kind: 'catalog'; spec: string; entry: VectorCatalogEntry } | { kind: 'file'; spec: string; path: string };

export function resolveVectorSpec(spec: string, opts: { cwd?: string; catalog?: readonly VectorCatalogEntry[] } = {}): VectorSpec {
  const trimmed = spec.trim();
  if (!trimmed) throw new MechLensError('bad-argument', 'Empty vector source', { fix: 'Give a catalog name such as glove-wiki-gigaword-50, or vectors:PATH.' });
  if (trimmed.startsWith('model:')) {
    throw new MechLensError('unsupported', `"${trimmed}" is a model source, not a static vector file`, {
      input: trimmed,
      fix: 'Model sources are read by the model layer; pass them where a source spec of any kind is accepted.',
    });
  }
  if (trimmed.startsWith('vectors:')) {
    let file = trimmed.slice('vectors:'.length).trim();
    if (!file) throw new MechLensError('bad-argument', '"vectors:" needs a file path', { input: trimmed, fix: 'Write vectors:PATH, e.g. vectors:./glove.6B.50d.txt.' });
    if (file === '~' || file.startsWith('~/')) file = path.join(os.homedir(), file.slice(1));
    return { kind: 'file', spec: trimmed, path: path.resolve(opts.cwd ?? process.cwd(), file) };
  }
  const entry = findCatalogVectors(trimmed, opts.catalog);
  if (!entry) throw unknownNameError(trimmed, opts.catalog);
  return { kind: 'catalog', spec: trimmed, entry };
}

/** The local file behind a vector spec, downloading a catalog set on first use. */
export async function vectorSpecPath(spec: string | VectorSpec, opts: EnsureCatalogOptions & { cwd?: string } = {}): Promise<string> {
  const resolved = typeof spec === 'string' ? resolveVectorSpec(spec, opts) : spec;
  return resolved.kind === 'file' ? resolved.path : ensureCatalogVectors(resolved.entry.name, opts);
}

/**
 * Vectors for a word list from any static-vector spec: resolves it, downloads a catalog set on first
 * use (download progress goes to control.onProgress as "Downloading NAME"), then streams the lookup.
 */
export async function lookupVectorSpec(spec: string, words: string[], opts: Omit<EnsureCatalogOptions, 'signal' | 'onProgress'> & { cwd?: string } = {}, control?: RunControl): Promise<VectorLookup & { path: string; spec: string }> {
  const resolved = resolveVectorSpec(spec, opts);
  const file = await vectorSpecPath(resolved, {
    ...opts,
    signal: control?.signal,
    onProgress: (received, total) => control?.onProgress?.({ message: `Downloading ${resolved.spec}`, fraction: total ? received / total : undefined }),
    onStatus: (message) => control?.onProgress?.({ message }),
  });
  return { ...(await lookupVectors(file, words, control)), path: file, spec: resolved.spec };
}
