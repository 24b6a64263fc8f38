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

/** Marks the SAE of a feature source: `model:ID#HOOK@sae:SPEC`, or `model:ID#sae:SPEC` for the SAE's own hook. */
const SAE_MARK = '@sae:';

/**
 * `model:ID_OR_DIR#HOOK` split into its parts; the hook defaults to `embed`. A feature source,
 * `model:ID#HOOK@sae:SPEC` or `model:ID#sae:SPEC`, also gives the SAE spec (and its hook, if named).
 */
export function parseModelSpec(spec: string): { model: string; hook: string; sae?: string } {
  let body = spec.trim().slice('model:'.length);
  let sae: string | undefined;
  const mark = body.indexOf(SAE_MARK);
  const ownHook = body.indexOf('#sae:');
  if (mark >= 0) { sae = body.slice(mark + SAE_MARK.length); body = body.slice(0, mark); }
  else if (ownHook >= 0) { sae = body.slice(ownHook + '#sae:'.length); body = body.slice(0, ownHook) + '#'; }
  const hash = body.lastIndexOf('#');
  const model = hash >= 0 ? body.slice(0, hash) : body;
  const hook = hash >= 0 ? body.slice(hash + 1) : sae !== undefined ? '' : 'embed';
  if (!model || (!hook && sae === undefined) || sae === '' || hook === 'embed' && sae !== undefined) {
    throw new MechLensError('bad-argument', sae !== undefined ? 'a feature source needs a model, an SAE and a hook the SAE reads (not embed)' : 'a model source needs a model and a hook', {
      input: spec, fix: 'Write model:gpt2#embed, model:gpt2#blocks.5.attn.hook_q, or for SAE features model:gpt2#blocks.8.hook_resid_pre@sae:gpt2-small-res-jb/blocks.8.hook_resid_pre (model:gpt2#sae:SPEC reads the SAE\'s own hook).',
    });
  }
  return { model, hook, ...(sae !== undefined ? { sae } : {}) };
}

export async function loadSourceVectors(spec: string, words: string[], options: SourceOptions, control: RunControl = {}): Promise<SourceVectors> {
  if (spec.trim().startsWith('model:')) {
    const { model, hook, sae } = parseModelSpec(spec);
    // Loaded on demand: it pulls in onnxruntime-node, which vector-only runs never need.
    const { loadModelSourceVectors } = await import('./model-source');
    return loadModelSourceVectors(spec, model, hook, words, options, control, sae);
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
