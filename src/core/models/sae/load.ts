// An SAE from a spec: a local folder or file (SAELens's cfg.json + sae_weights.safetensors, or Gemma
// Scope's params.npz), a catalog id `RELEASE/SAE_ID` (catalog.ts), or any hub folder
// `hf:OWNER/REPO/PATH[@REVISION]`. Weights become float32 whatever they were stored as (F32, F16,
// BF16 safetensors; f4/f2 .npy).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceCopy } from '../../../protocol/result';
import { MechLensError } from '../../errors';
import { parseNpy } from '../../io/matrix-files';
import { listZipEntries, readZipEntry } from '../../io/zip';
import type { SaeEncoder } from '../../linalg/sae-encode';
import type { EnsureModelOptions } from '../hub';
import { describeModelCopy } from '../hub-cache';
import { openSafetensors, readTensorF32, type SafetensorsFile } from '../safetensors';
import { findCatalogSae, isCheckedOnHub, SAE_RELEASES, UNCHECKED_NOTE } from './catalog';
import { gemmaScopeConfig, parseSaeLensConfig, type SaeConfig } from './config';
import { ensureHubSae, GEMMA_SCOPE_FILE, SAELENS_FILES, SPARSITY_FILE } from './hub';

export interface LoadedSae {
  spec: string;
  /** Short name for titles: `gpt2-small-res-jb/blocks.8.hook_resid_pre`, or the folder's name. */
  label: string;
  /** The folder or file read. */
  path: string;
  copy: SourceCopy;
  config: SaeConfig;
  encoder: SaeEncoder;
  /** Stored element type of W_enc (F32, F16, BF16; f4/f2 for .npy). */
  dtype: string;
  /** Catalog release and SAE id, when the spec named one. */
  release?: string;
  saeId?: string;
  neuronpediaId?: string;
  neuronpediaNote?: string;
  /** The catalog's model for the release (`gpt2`), to check against the model the SAE is used with. */
  releaseModel?: string;
  /** SAELens's sparsity.safetensors beside the weights: log10 of each feature's density over the release's training tokens. */
  logDensity?: Float32Array;
  warnings: string[];
}

export type SaeSpec =
  | { kind: 'local'; path: string }
  | {
    kind: 'hub'; repo: string; path: string; revision?: string; release?: string; saeId?: string; hook?: string; neuronpediaId?: string; neuronpediaNote?: string; releaseModel?: string;
    /** A catalog id whose hub folder follows the release's pattern but was never seen in the repository. */
    unchecked?: boolean;
  };

const SPEC_FIX = 'Give an SAE folder (cfg.json + sae_weights.safetensors), a params.npz, a catalog id such as gpt2-small-res-jb/blocks.8.hook_resid_pre, or hf:OWNER/REPO/PATH.';

export function parseSaeSpec(spec: string): SaeSpec {
  const s = spec.trim();
  if (!s) throw new MechLensError('bad-argument', 'the SAE spec is empty', { input: 'sae', fix: SPEC_FIX });
  if (s.startsWith('hf:')) {
    const at = s.lastIndexOf('@');
    const body = at > 3 ? s.slice(3, at) : s.slice(3);
    const parts = body.split('/').filter(Boolean);
    if (parts.length < 2 || parts.some((p) => p === '..' || p === '.')) {
      throw new MechLensError('bad-argument', `"${spec}" is not hf:OWNER/REPO/PATH`, { input: spec, fix: 'Example: hf:jbloom/GPT2-Small-SAEs-Reformatted/blocks.8.hook_resid_pre' });
    }
    let folder = parts.slice(2).join('/');
    if (folder.endsWith(`/${GEMMA_SCOPE_FILE}`) || folder === GEMMA_SCOPE_FILE) folder = path.posix.dirname(folder) === '.' ? '' : path.posix.dirname(folder);
    return { kind: 'hub', repo: `${parts[0]}/${parts[1]}`, path: folder, ...(at > 3 ? { revision: s.slice(at + 1) } : {}) };
  }
  const local = path.resolve(s.replace(/^~(?=$|[/\\])/, os.homedir()));
  if (fs.existsSync(local)) return { kind: 'local', path: local };
  const catalog = findCatalogSae(s);
  if (catalog) {
    if (!catalog.entry) {
      throw new MechLensError('not-found', `${catalog.release.name} has no SAE "${catalog.id}"`, { input: spec, fix: `Its SAEs are named like ${catalog.release.examples.slice(0, 3).join(', ')}.` });
    }
    const e = catalog.entry;
    return {
      kind: 'hub', repo: catalog.release.repo, path: e.path, release: catalog.release.name, saeId: catalog.id, hook: e.hook, releaseModel: catalog.release.model,
      ...(isCheckedOnHub(catalog.release, catalog.id) ? {} : { unchecked: true }),
      ...(e.neuronpediaId ? { neuronpediaId: e.neuronpediaId } : {}), ...(e.neuronpediaNote ? { neuronpediaNote: e.neuronpediaNote } : {}),
    };
  }
  throw new MechLensError('not-found', `"${spec}" is neither an SAE file or folder nor a known SAE`, {
    input: spec, fix: `${SPEC_FIX} Catalog releases: ${SAE_RELEASES.map((r) => r.name).join(', ')}.`,
  });
}

export async function loadSae(spec: string, options: EnsureModelOptions = {}): Promise<LoadedSae> {
  const parsed = parseSaeSpec(spec);
  let where: string;
  if (parsed.kind === 'hub') {
    try {
      where = await ensureHubSae({ repo: parsed.repo, path: parsed.path, revision: parsed.revision }, options);
    } catch (err) {
      // The catalog derived this folder from the release's naming pattern; say so rather than blame the hub.
      if (parsed.unchecked && err instanceof MechLensError && err.code === 'not-found' && /HTTP 404/.test(err.message)) {
        throw new MechLensError('not-found', `${err.message}. MechLens's catalog entry ${parsed.release}/${parsed.saeId} is a ${UNCHECKED_NOTE}: its folder ${parsed.path} follows the release's naming, but was never seen in ${parsed.repo}`, {
          input: spec, fix: `Look up the SAE's folder on https://huggingface.co/${parsed.repo} (or in SAELens's pretrained_saes.yaml) and give it as hf:${parsed.repo}/FOLDER.`,
        });
      }
      throw err;
    }
  } else {
    where = parsed.path;
  }
  const sae = readSaeFiles(where, spec);
  if (parsed.kind === 'hub') {
    sae.label = parsed.release ? `${parsed.release}/${parsed.saeId}` : `${parsed.repo}/${parsed.path}`;
    // A catalog entry knows its hook even where the files do not say it (Gemma Scope's npz).
    if (parsed.hook && !sae.config.hookName) sae.config.hookName = parsed.hook;
    if (parsed.release) { sae.release = parsed.release; sae.saeId = parsed.saeId; sae.releaseModel = parsed.releaseModel; }
    if (parsed.neuronpediaId) sae.neuronpediaId = parsed.neuronpediaId;
    if (parsed.neuronpediaNote) sae.neuronpediaNote = parsed.neuronpediaNote;
  }
  return sae;
}

/** The SAE in a folder or file on disk. */
export function readSaeFiles(where: string, spec = where): LoadedSae {
  const stat = fs.statSync(where, { throwIfNoEntry: false });
  if (!stat) throw new MechLensError('not-found', 'SAE file or folder not found', { input: where, fix: SPEC_FIX });
  let npz: string | undefined, folder: string;
  if (stat.isDirectory()) {
    folder = where;
    if (fs.existsSync(path.join(where, GEMMA_SCOPE_FILE))) npz = path.join(where, GEMMA_SCOPE_FILE);
  } else if (where.endsWith('.npz')) {
    npz = where;
    folder = path.dirname(where);
  } else {
    folder = path.dirname(where);
  }
  const sae = npz ? readGemmaScope(npz) : readSaeLens(folder);
  return { ...sae, spec, path: npz ?? folder, label: path.basename(folder), copy: describeModelCopy(folder) };
}

type FileSae = Pick<LoadedSae, 'config' | 'encoder' | 'dtype' | 'warnings' | 'neuronpediaId' | 'logDensity'>;

function readSaeLens(folder: string): FileSae {
  const missing = SAELENS_FILES.filter((f) => !fs.existsSync(path.join(folder, f)));
  if (missing.length) {
    throw new MechLensError('not-found', `not an SAE folder: no ${missing.join(' and ')}${fs.existsSync(folder) ? '' : ' (no such folder)'}`, { input: folder, fix: SPEC_FIX });
  }
  const cfgPath = path.join(folder, 'cfg.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  } catch (err) {
    throw new MechLensError('format', `cfg.json is not JSON (${(err as Error).message})`, { input: cfgPath, fix: 'Save the SAE again with SAELens (sae.save_model(path)).' });
  }
  const config = parseSaeLensConfig(json, cfgPath);
  const file = openSafetensors(path.join(folder, 'sae_weights.safetensors'));
  const read = (name: string, shape: number[]) => readShaped(file, name, shape);
  const { dIn, dSae } = config;
  let threshold: Float32Array | undefined;
  if (config.architecture === 'jumprelu') {
    if (file.tensors.has('threshold')) threshold = read('threshold', [dSae]);
    else if (file.tensors.has('log_threshold')) threshold = read('log_threshold', [dSae]).map(Math.exp);
    else throw new MechLensError('format', 'a jumprelu SAE needs a "threshold" tensor', { input: file.path, fix: 'Save the SAE with SAELens, which stores threshold.' });
  }
  const warnings: string[] = [];
  if (config.normalizeActivations === 'expected_average_only_in' && config.normScalingFactor === undefined) {
    warnings.push('normalize_activations is expected_average_only_in but cfg.json gives no norm_scaling_factor: activations are encoded unscaled, as SAELens does when loading this folder from disk.');
  }
  const logDensity = readSparsity(folder, dSae, warnings);
  return {
    config,
    ...(logDensity ? { logDensity } : {}),
    dtype: file.tensors.get('W_enc')?.dtype ?? 'F32',
    encoder: encoderOf(config, { wEnc: read('W_enc', [dIn, dSae]), bEnc: read('b_enc', [dSae]), wDec: read('W_dec', [dSae, dIn]), bDec: read('b_dec', [dIn]), threshold }),
    warnings,
    ...(config.neuronpediaId ? { neuronpediaId: config.neuronpediaId } : {}),
  };
}

/**
 * sparsity.safetensors' tensor `sparsity` [d_sae] (log10 feature density), when the file is there.
 * A missing file is normal; one that does not fit the SAE is reported and left out.
 */
function readSparsity(folder: string, dSae: number, warnings: string[]): Float32Array | undefined {
  const file = path.join(folder, SPARSITY_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const opened = openSafetensors(file);
    const info = opened.tensors.get('sparsity');
    if (!info || info.shape.reduce((a, b) => a * b, 1) !== dSae) {
      warnings.push(`${SPARSITY_FILE} was not read: it should hold a tensor "sparsity" of ${dSae} values (found ${[...opened.tensors.entries()].map(([n, t]) => `${n} [${t.shape.join(', ')}]`).join(', ') || 'no tensors'}).`);
      return undefined;
    }
    return readTensorF32(opened, 'sparsity');
  } catch (err) {
    warnings.push(`${SPARSITY_FILE} was not read (${(err as Error).message}); the release's feature densities are not shown.`);
    return undefined;
  }
}

function readShaped(file: SafetensorsFile, name: string, shape: number[]): Float32Array {
  const info = file.tensors.get(name);
  if (!info) throw new MechLensError('format', `the SAE has no tensor "${name}"`, { input: file.path, fix: `SAELens stores W_enc, b_enc, W_dec, b_dec (and threshold for jumprelu); found ${[...file.tensors.keys()].join(', ')}.` });
  if (info.shape.join(',') !== shape.join(',')) {
    throw new MechLensError('format', `tensor "${name}" has shape [${info.shape.join(', ')}], but cfg.json's d_in and d_sae need [${shape.join(', ')}]`, { input: file.path, fix: 'cfg.json does not belong to these weights.' });
  }
  return readTensorF32(file, name);
}

function readGemmaScope(npz: string): FileSae {
  const entries = listZipEntries(npz);
  const read = (name: string) => {
    const entry = entries.find((e) => e.name === `${name}.npy`);
    if (!entry) throw new MechLensError('format', `params.npz has no ${name}`, { input: npz, fix: `Gemma Scope's params.npz holds W_enc, W_dec, b_enc, b_dec and threshold; found ${entries.map((e) => e.name).join(', ')}.` });
    return parseNpy(readZipEntry(npz, entry), `${npz}:${name}.npy`);
  };
  const wEnc = read('W_enc');
  const [dIn, dSae] = [wEnc.rows, wEnc.cols];
  const vector = (name: string, length: number) => {
    const m = read(name);
    if (m.rows * m.cols !== length) throw new MechLensError('format', `${name} has ${m.rows * m.cols} values; W_enc [${dIn}, ${dSae}] needs ${length}`, { input: npz, fix: 'The file is damaged or not a Gemma Scope SAE.' });
    return asF32(m.data);
  };
  const wDec = read('W_dec');
  if (wDec.rows !== dSae || wDec.cols !== dIn) throw new MechLensError('format', `W_dec is [${wDec.rows}, ${wDec.cols}]; W_enc [${dIn}, ${dSae}] needs [${dSae}, ${dIn}]`, { input: npz, fix: 'The file is damaged or not a Gemma Scope SAE.' });
  const config = gemmaScopeConfig(dIn, dSae, path.resolve(npz));
  return {
    config,
    dtype: wEnc.data instanceof Float32Array ? 'f4' : 'f8',
    encoder: encoderOf(config, {
      wEnc: asF32(wEnc.data), wDec: asF32(wDec.data),
      bEnc: vector('b_enc', dSae), bDec: vector('b_dec', dIn), threshold: vector('threshold', dSae), jumpWithoutRelu: true,
    }),
    warnings: [],
  };
}

const asF32 = (data: Float32Array | Float64Array): Float32Array => (data instanceof Float32Array ? data : Float32Array.from(data));

function encoderOf(config: SaeConfig, w: Pick<SaeEncoder, 'wEnc' | 'bEnc' | 'wDec' | 'bDec' | 'threshold' | 'jumpWithoutRelu'>): SaeEncoder {
  return {
    dIn: config.dIn, dSae: config.dSae, architecture: config.architecture, ...(config.k !== undefined ? { k: config.k } : {}),
    applyBDecToInput: config.applyBDecToInput, normalize: config.normalizeActivations,
    ...(config.normScalingFactor !== undefined ? { normScalingFactor: config.normScalingFactor } : {}),
    ...w,
  };
}
