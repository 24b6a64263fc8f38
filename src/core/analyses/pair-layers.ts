// Two words' similarity at every layer of a model, for the Inspector's word pair: each word goes
// into the prompt template, and Q, K, V and the residual stream after each block are read at its
// token (as the attention job reads them at one layer); the cosine of the two rows is the pair's
// similarity there. One forward pass for both prompts captures every layer at once.
import { MechLensError } from '../errors';
import { captureActivations } from '../models/capture';
import { loadModel } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import { checkSingleTokens } from '../models/positions';
import type { RunControl } from '../run-control';
import { cosineBetween } from '../stats/similarity';
import { DEFAULT_HOOK_TEMPLATE } from './model-source';

export interface PairLayersInput {
  /** Hub id or local folder of a checkpoint of a supported family. */
  model: string;
  words: [string, string];
  /** With one {word}; default the attention job's. */
  template?: string;
  cacheDir?: string;
  offline?: boolean;
  provider?: string;
}

export interface PairLayers {
  layers: number[];
  /** One series per hook kind; null where a vector is all zeros. */
  series: { name: string; values: (number | null)[] }[];
  /** Words read at their last piece because they are not one token in the template. */
  warnings: string[];
}

const kinds = [['Q', 'attn.hook_q'], ['K', 'attn.hook_k'], ['V', 'attn.hook_v'], ['resid', 'hook_resid_post']] as const;

export async function pairAcrossLayers(input: PairLayersInput, control: RunControl = {}): Promise<PairLayers> {
  const { signal } = control;
  const template = input.template ?? DEFAULT_HOOK_TEMPLATE;
  control.onProgress?.({ message: `Loading ${input.model}`, fraction: 0 });
  const model = await loadModel(await ensureModel(input.model, { cacheDir: input.cacheDir, offline: input.offline, signal, onStatus: (message) => control.onProgress?.({ message }) }));
  if (model.kind !== 'gpt2') {
    throw new MechLensError('unsupported', 'similarity across layers needs a Hugging Face checkpoint folder', { input: input.model, fix: 'Use a checkpoint folder or hub id of a supported family (GPT-2, Pythia, Llama, Qwen, Gemma).' });
  }
  const check = checkSingleTokens(model.tokenizer, template, input.words, 'last-piece');
  const layers = Array.from({ length: model.checkpoint.config.nLayer }, (_, l) => l);
  const hooks = layers.flatMap((l) => kinds.map(([, hook]) => `blocks.${l}.${hook}`));
  const captured = await captureActivations(model, check.inputs, hooks, 'target', {
    signal, provider: input.provider, onProgress: (p) => control.onProgress?.({ message: p.message, fraction: 0.1 + 0.9 * (p.fraction ?? 0) }),
  });
  const pairCosine = (hook: string) => {
    const t = captured.activations[hook];
    const width = t.dims[1];
    return cosineBetween(t.data.subarray(0, width), t.data.subarray(width, 2 * width));
  };
  return {
    layers,
    series: kinds.map(([name, hook]) => ({ name, values: layers.map((l) => pairCosine(`blocks.${l}.${hook}`)) })),
    warnings: check.warnings,
  };
}
