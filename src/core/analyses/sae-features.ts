// SAE features as activations: what the `sae` job, contrast on features and `model:…@sae:…` word
// sources share. Opens the SAE, settles its hook (the user's, else the SAE's own), captures the
// hook with the SAE's prepend_bos and encodes the rows on the GEMM.
import { basename } from 'node:path';
import type { SaeInfo } from '../../protocol/result';
import { MechLensError } from '../errors';
import { encodeSae, type SaeEncoding } from '../linalg/sae-encode';
import type { Matrix } from '../matrix';
import { captureActivations, type CaptureInput, type CaptureOptions, type CapturePositions, type CaptureResult } from '../models/capture';
import type { LoadedModel } from '../models/capture-model';
import { resolveModelId } from '../models/hub';
import { neuronpediaUrl } from '../models/sae/catalog';
import { loadSae, type LoadedSae } from '../models/sae/load';
import type { RunControl } from '../run-control';

export interface OpenedSae {
  sae: LoadedSae;
  hook: string;
  warnings: string[];
}

/** The SAE of `spec` and the hook to read: `hook` if given (a warning when the SAE names another), else the SAE's. */
export async function openSae(spec: string, hook: string | undefined, modelId: string, options: { cacheDir?: string; offline?: boolean }, control: RunControl = {}): Promise<OpenedSae> {
  control.onProgress?.({ message: `Loading the SAE ${spec}` });
  const sae = await loadSae(spec, {
    cacheDir: options.cacheDir, offline: options.offline, signal: control.signal,
    onStatus: (message) => control.onProgress?.({ message }),
    onProgress: (file, _r, _t, overall, total) => control.onProgress?.({ message: `Downloading the SAE: ${file}`, ...(total ? { fraction: overall / total } : {}) }),
  });
  const warnings = [...sae.warnings];
  const own = sae.config.hookName;
  const chosen = hook ?? own;
  if (!chosen) {
    throw new MechLensError('bad-argument', 'the SAE does not say which hook it reads', {
      input: sae.path, fix: 'Give the hook, e.g. --hook blocks.20.hook_resid_post (Gemma Scope: keep the release folder name, e.g. gemma-scope-2b-pt-res, in the path so the site is known).',
    });
  }
  if (hook && own && hook !== own) warnings.push(`The SAE was trained on ${own}, but ${hook} is read: its features may mean nothing there.`);
  if (sae.releaseModel && basename(modelId) !== sae.releaseModel && resolveModelId(modelId) !== resolveModelId(sae.releaseModel)) {
    warnings.push(`${sae.release} was trained on ${sae.releaseModel}, and this run reads ${modelId}.`);
  }
  return { sae, hook: chosen, warnings };
}

export function saeInfo(sae: LoadedSae): SaeInfo {
  const c = sae.config;
  return {
    spec: sae.spec, label: sae.label, format: c.format, architecture: c.architecture, ...(c.k !== undefined ? { k: c.k } : {}),
    dIn: c.dIn, dSae: c.dSae, hook: c.hookName ?? null, dtype: sae.dtype,
    prependBos: c.prependBos, applyBDecToInput: c.applyBDecToInput, normalizeActivations: c.normalizeActivations,
    ...(sae.release ? { release: sae.release, saeId: sae.saeId } : {}),
    neuronpedia: sae.neuronpediaId ? neuronpediaUrl(sae.neuronpediaId, 0).replace(/\/0$/, '') : null,
    ...(sae.neuronpediaNote ? { neuronpediaNote: sae.neuronpediaNote } : {}),
    copy: sae.copy,
  };
}

export interface SaeCapture {
  captured: CaptureResult;
  /** The hook's activations (rows × dIn). */
  x: Matrix<Float32Array>;
  encoding: SaeEncoding;
  /** Whether the texts start with a BOS because the SAE asked for one (the tokenizer adds none itself). */
  bosFromSae: boolean;
}

/** Captures the SAE's hook at `positions` (with its prepend_bos) and encodes every row. */
export async function captureSaeFeatures(model: LoadedModel, opened: OpenedSae, inputs: readonly CaptureInput[], positions: CapturePositions, options: CaptureOptions & { features?: readonly number[] }): Promise<SaeCapture> {
  const { sae, hook } = opened;
  const tokenizerBos = model.tokenizer?.bosTokenId !== undefined;
  const captured = await captureActivations(model, inputs, [hook], positions, { ...options, prependBos: sae.config.prependBos });
  const tensor = Object.values(captured.activations)[0];
  if (tensor.dims[1] !== sae.config.dIn) {
    throw new MechLensError('bad-argument', `the SAE reads ${sae.config.dIn} values per token, but ${tensor.hook} has ${tensor.dims[1]}`, {
      input: sae.spec, fix: 'Pick the SAE trained on this model and hook (its d_in must equal the hook\'s width).',
    });
  }
  const x: Matrix<Float32Array> = { rows: tensor.dims[0], cols: tensor.dims[1], data: tensor.data };
  options.onProgress?.({ message: `Encoding ${x.rows} tokens through ${options.features ? options.features.length : sae.config.dSae} SAE features` });
  const encoding = encodeSae(x, sae.encoder, options.features);
  return { captured, x, encoding, bosFromSae: sae.config.prependBos && !tokenizerBos && captured.bosAdded };
}

/** Checks a list of feature indices against the SAE's width: integers, in range, no repeats. */
export function checkFeatures(features: readonly number[], dSae: number, input: string): void {
  const seen = new Set<number>();
  for (const f of features) {
    if (!Number.isInteger(f) || f < 0 || f >= dSae) throw new MechLensError('bad-argument', `feature ${f} is not an index of the SAE's ${dSae} features`, { input, fix: `Give integers from 0 to ${dSae - 1}.` });
    if (seen.has(f)) throw new MechLensError('bad-argument', `feature ${f} is listed twice`, { input, fix: 'List each feature once.' });
    seen.add(f);
  }
}
