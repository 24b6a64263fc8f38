// config.json of the GPT-2 family (gpt2, distilgpt2, gpt2-medium/large/xl and fine-tunes with the
// same architecture), normalised to the names the runtime uses. Anything else is refused here,
// before a single weight is read, with a message that says what was found and what is supported.
import { MechLensError } from '../errors';

export const SUPPORTED_MODEL_TYPES: readonly string[] = Object.freeze(['gpt2']);
/** Hugging Face classes whose weights are a GPT2Model (+ optional head we do not use). */
export const SUPPORTED_ARCHITECTURES: readonly string[] = Object.freeze([
  'GPT2LMHeadModel', 'GPT2Model', 'GPT2DoubleHeadsModel', 'GPT2ForSequenceClassification', 'GPT2ForTokenClassification',
]);
/** `activation_function` values: gelu_new/gelu_pytorch_tanh/gelu_fast are the tanh form; gelu is erf. */
export const SUPPORTED_ACTIVATIONS = Object.freeze(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'gelu', 'relu'] as const);
export type Gpt2Activation = (typeof SUPPORTED_ACTIVATIONS)[number];

export interface Gpt2Config {
  modelType: 'gpt2';
  architecture: string;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** nEmbd / nHead. */
  dHead: number;
  nPositions: number;
  /** MLP width: `n_inner`, or 4 * nEmbd when null/absent. */
  nInner: number;
  vocabSize: number;
  layerNormEpsilon: number;
  activation: Gpt2Activation;
  bosTokenId: number;
  eosTokenId: number;
  /** Divide attention scores by sqrt(dHead) (true in every released GPT-2). */
  scaleAttnWeights: boolean;
  /** Also divide by (layer index + 1); false in every released GPT-2. */
  scaleAttnByInverseLayerIdx: boolean;
}

/** `json` is the parsed config.json; `source` (its path) is named in every error. */
export function parseGpt2Config(json: unknown, source: string): Gpt2Config {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MechLensError('format', 'config.json is not a JSON object', { input: source, fix: 'Download the checkpoint again.' });
  }
  const c = json as Record<string, unknown>;
  const modelType = c.model_type;
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  const hasGpt2Architecture = architectures.some((a) => SUPPORTED_ARCHITECTURES.includes(a));
  const typeOk = modelType === undefined ? hasGpt2Architecture : SUPPORTED_MODEL_TYPES.includes(String(modelType));
  const architecturesOk = architectures.length === 0 || hasGpt2Architecture;
  if (!typeOk || !architecturesOk) {
    const found = [modelType !== undefined ? `model_type "${String(modelType)}"` : 'no model_type', architectures.length ? `architectures ${architectures.join(', ')}` : ''].filter(Boolean).join(' and ');
    throw new MechLensError('unsupported', `Unsupported architecture: found ${found}; MechLens supports model_type ${SUPPORTED_MODEL_TYPES.join(', ')} (${SUPPORTED_ARCHITECTURES.join(', ')}): gpt2, distilgpt2, gpt2-medium, gpt2-large, gpt2-xl and fine-tunes of them`, {
      input: source, fix: 'Pick a GPT-2 family model, or export your model to ONNX and open the .onnx file to hook its tensors by name.',
    });
  }
  const int = (key: string, fallbackKey?: string, fallback?: number): number => {
    const value = c[key] ?? (fallbackKey ? c[fallbackKey] : undefined) ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new MechLensError('format', `config "${key}" is ${JSON.stringify(value)}, expected a positive integer`, {
        input: source, fix: 'Fix config.json or download the checkpoint again.',
      });
    }
    return value as number;
  };
  const nLayer = int('n_layer', 'num_hidden_layers');
  const nHead = int('n_head', 'num_attention_heads');
  const nEmbd = int('n_embd', 'hidden_size');
  const nPositions = int('n_positions', 'n_ctx', 1024);
  const vocabSize = int('vocab_size', undefined, 50257);
  const nInner = c.n_inner === null || c.n_inner === undefined ? 4 * nEmbd : int('n_inner');
  if (nEmbd % nHead !== 0) {
    throw new MechLensError('format', `config n_embd ${nEmbd} is not divisible by n_head ${nHead}`, { input: source, fix: 'Fix config.json.' });
  }
  const activation = (c.activation_function ?? 'gelu_new') as string;
  if (!(SUPPORTED_ACTIVATIONS as readonly string[]).includes(activation)) {
    throw new MechLensError('unsupported', `config activation_function "${activation}" is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`, {
      input: source, fix: 'Use a GPT-2 checkpoint with a standard activation.',
    });
  }
  const epsilon = c.layer_norm_epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0)) {
    throw new MechLensError('format', `config layer_norm_epsilon is ${JSON.stringify(epsilon)}, expected a positive number`, { input: source, fix: 'Fix config.json.' });
  }
  const tokenId = (key: string): number => {
    const v = c[key];
    return Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : 50256;
  };
  return {
    modelType: 'gpt2',
    architecture: architectures.find((a) => SUPPORTED_ARCHITECTURES.includes(a)) ?? 'GPT2LMHeadModel',
    nLayer, nHead, nEmbd, dHead: nEmbd / nHead, nPositions, nInner, vocabSize,
    layerNormEpsilon: epsilon,
    activation: activation as Gpt2Activation,
    bosTokenId: tokenId('bos_token_id'),
    eosTokenId: tokenId('eos_token_id'),
    scaleAttnWeights: c.scale_attn_weights !== false,
    scaleAttnByInverseLayerIdx: c.scale_attn_by_inverse_layer_idx === true,
  };
}

/** A config.json in Hugging Face's format for the given shape (used by the random fixtures). */
export function gpt2ConfigJson(shape: { nLayer: number; nHead: number; nEmbd: number; nPositions: number; vocabSize: number; nInner?: number }): Record<string, unknown> {
  return {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: 50256,
    embd_pdrop: 0.1,
    eos_token_id: 50256,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: shape.nPositions,
    n_embd: shape.nEmbd,
    n_head: shape.nHead,
    n_inner: shape.nInner ?? null,
    n_layer: shape.nLayer,
    n_positions: shape.nPositions,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
    vocab_size: shape.vocabSize,
  };
}
