// Source specs (design.md, "Representations") resolved to one vector per word. Every job that
// reads word vectors goes through here, so catalog names, vector files and model sources
// behave the same in the panel, the CLI and saved runs.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { SourceInfo } from '../../protocol/result';
import { MechLensError } from '../errors';
import type { RunControl } from '../run-control';
import { describeVectorCopy } from '../vectors/catalog';
import { lookupVectors } from '../vectors/lookup';
import { resolveVectorSpec, vectorSpecPath } from '../vectors/spec';
import type { SourceOptions, SourceVectors } from './source-vectors';

/** `model:ID_OR_DIR#HOOK` split into its parts; the hook defaults to `embed`. */
export function parseModelSpec(spec: string): { model: string; hook: string } {
  const body = spec.trim().slice('model:'.length);
  const hash = body.lastIndexOf('#');
  const model = hash >= 0 ? body.slice(0, hash) : body;
  const hook = hash >= 0 ? body.slice(hash + 1) : 'embed';
  if (!model || !hook) {
    throw new MechLensError('bad-argument', 'a model source needs a model and a hook', { input: spec, fix: 'Write model:gpt2#embed or model:gpt2#blocks.5.attn.hook_q.' });
  }
  return { model, hook };
}

export async function loadSourceVectors(spec: string, words: string[], options: SourceOptions, control: RunControl = {}): Promise<SourceVectors> {
  if (spec.trim().startsWith('model:')) {
    const { model, hook } = parseModelSpec(spec);
    // Loaded on demand: it pulls in onnxruntime-node, which vector-only runs never need.
    const { loadModelSourceVectors } = await import('./model-source');
    return loadModelSourceVectors(spec, model, hook, words, options, control);
  }
  const resolved = resolveVectorSpec(spec);
  if (resolved.kind === 'file' && !existsSync(resolved.path)) {
    throw new MechLensError('not-found', 'vector file not found', { input: resolved.path, fix: 'Check the path, or pick the file with Browse….' });
  }
  if (resolved.kind === 'catalog') control.onProgress?.({ message: `Fetching ${resolved.entry.name}` });
  // A packaged set is converted from its npm package on first use, not downloaded.
  const progress = resolved.kind === 'catalog' && resolved.entry.packaged
    ? (done: number, total: number | undefined) => control.onProgress?.({ message: `Reading ${resolved.spec} from the npm package ${resolved.entry.packaged} (first use only)`, fraction: total ? done / total : undefined })
    : downloadProgress(resolved.spec, control);
  const path = await vectorSpecPath(resolved, { cacheDir: options.cacheDir, offline: options.offline, baseUrl: options.catalogBaseUrl, signal: control.signal, onProgress: progress, onStatus: (message) => control.onProgress?.({ message }) });
  control.onProgress?.({ message: `Looking up ${words.length} words in ${basename(path)}` });
  const lookup = await lookupVectors(path, words, control);
  const info: SourceInfo = {
    spec,
    label: resolved.kind === 'catalog' ? resolved.entry.name : basename(path),
    kind: resolved.kind === 'catalog' ? 'catalog' : 'vectors',
    dims: lookup.dims,
    format: lookup.format + (lookup.gzip ? '.gz' : ''),
    ...(lookup.vocabSize !== null ? { vocabSize: lookup.vocabSize } : {}),
    copy: describeVectorCopy(path, resolved.kind === 'catalog' ? resolved.entry.name : undefined),
  };
  return { info, vectors: lookup.vectors, found: lookup.found, lowercased: lookup.lowercased, missing: lookup.missing, warnings: lookup.warnings };
}

function downloadProgress(what: string, control: RunControl): (received: number, total: number | undefined) => void {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return (received, total) => control.onProgress?.({
    message: `Downloading ${what}: ${mb(received)}${total ? ` of ${mb(total)}` : ''} MB`,
    ...(total ? { fraction: received / total } : {}),
  });
}
