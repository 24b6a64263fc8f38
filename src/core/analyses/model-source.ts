// `model:ID_OR_DIR#embed` and `model:ID_OR_DIR#HOOK` as word sources. Each word is placed in a
// template (default ` {word}` for embeddings, so a word is read as it appears mid-sentence, and
// `The next word is {word}` for hooks, the notebook's prompt). A word that is not a single token
// is left out and reported with its pieces, as the notebook's check does.
import { basename } from 'node:path';
import type { SourceInfo } from '../../protocol/result';
import { MechLensError } from '../errors';
import { assertModelFits } from '../models/weight-memory';
import { captureActivations } from '../models/capture';
import { loadModel, tokenEmbeddings } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import { checkSingleTokens } from '../models/positions';
import type { RunControl } from '../run-control';
import type { SourceOptions, SourceVectors } from './source-vectors';
import { modelLabel } from '../models/model-label';
import { captureSaeFeatures, openSae } from './sae-features';

const DEFAULT_EMBED_TEMPLATE = ' {word}';
export const DEFAULT_HOOK_TEMPLATE = 'The next word is {word}';

/** With `sae`, the words' vectors are that SAE's features at the hook (`hook` '' = the SAE's own hook). */
export async function loadModelSourceVectors(spec: string, modelId: string, hook: string, words: string[], options: SourceOptions, control: RunControl, sae?: string): Promise<SourceVectors> {
  const dir = await ensureModel(modelId, {
    cacheDir: options.cacheDir,
    offline: options.offline,
    signal: control.signal,
    onStatus: (message) => control.onProgress?.({ message }),
    onProgress: (file, _r, _t, overall, total) => control.onProgress?.({ message: `Downloading ${modelId}: ${file}`, ...(total ? { fraction: overall / total } : {}) }),
  });
  const model = await loadModel(dir);
  assertModelFits(model, modelId);
  if (model.kind !== 'gpt2' && hook === 'embed') {
    throw new MechLensError('unsupported', 'token embeddings need a checkpoint folder', { input: spec, fix: 'Use model:DIR#embed with a Hugging Face folder, or hook a tensor of the .onnx file by name.' });
  }
  if (!model.tokenizer) {
    throw new MechLensError('not-found', 'the model has no tokenizer.json next to it', { input: spec, fix: 'Put the tokenizer.json of the model beside the .onnx file.' });
  }
  const embed = hook === 'embed';
  const template = options.template ?? (embed ? DEFAULT_EMBED_TEMPLATE : DEFAULT_HOOK_TEMPLATE);
  const check = checkSingleTokens(model.tokenizer, template, words, 'drop');
  const keptIndex = new Map(check.kept.map((w, i) => [w, i]));

  let rows: Float32Array;
  let dims: number;
  let provider: string | undefined;
  const warnings = [...check.warnings];
  if (embed) {
    const ids = check.checks.filter((c) => c.single).map((c) => c.ids[0]);
    const e = await tokenEmbeddings(model, ids);
    rows = e.data;
    dims = e.dims[1];
  } else {
    if (check.inputs.length === 0) {
      throw new MechLensError('not-found', `none of the ${words.length} words is a single token in "${template}"`, { input: spec, fix: 'Choose another template or word list.' });
    }
    const opened = sae !== undefined ? await openSae(sae, hook || undefined, modelId, options, control) : undefined;
    if (opened) hook = opened.hook;
    control.onProgress?.({ message: `Running ${modelLabel(dir)} to ${hook} on ${check.inputs.length} prompts` });
    const captureOptions = { signal: control.signal, onProgress: control.onProgress };
    const features = opened ? await captureSaeFeatures(model, opened, check.inputs, 'target', captureOptions) : undefined;
    const captured = features?.captured ?? await captureActivations(model, check.inputs, [hook], 'target', captureOptions);
    if (features) {
      rows = features.encoding.acts.data;
      dims = features.encoding.acts.cols;
      warnings.push(...opened!.warnings);
    } else {
      const tensor = Object.values(captured.activations)[0];
      rows = tensor.data;
      dims = tensor.dims[1];
    }
    provider = captured.provider;
    warnings.push(...captured.warnings);
  }

  const vectors = new Float32Array(words.length * dims);
  const found = words.map((w, i) => {
    const k = keptIndex.get(w);
    if (k === undefined) return false;
    vectors.set(rows.subarray(k * dims, (k + 1) * dims), i * dims);
    return true;
  });
  const info: SourceInfo = {
    spec,
    label: `${basename(modelId)}#${hook}${sae !== undefined ? ' SAE features' : ''}`,
    kind: embed ? 'model-embed' : 'model-hook',
    dims,
    vocabSize: model.tokenizer.vocabSize,
    revision: model.revision,
    copy: model.copy,
    ...(provider ? { provider } : {}),
  };
  return { info, vectors: { rows: words.length, cols: dims, data: vectors }, found, lowercased: [], missing: words.filter((_, i) => !found[i]), warnings };
}
