// What an SAE is, read from the two formats users download: SAELens's cfg.json (old and new
// layouts: `hook_point` / `hook_name` / `meta.hook_name`, `activation_fn_str: topk` / `architecture`)
// and Gemma Scope's folder names (`layer_20/width_16k/average_l0_71` under a `gemma-scope-…-res`
// release). Field meanings are SAELens's (sae_lens/saes/sae.py, SAEConfig).
import { MechLensError } from '../../errors';

export type SaeArchitecture = 'standard' | 'jumprelu' | 'topk';
export type SaeNormalization = 'none' | 'expected_average_only_in' | 'constant_norm_rescale' | 'layer_norm';
export type SaeFormat = 'saelens' | 'gemma-scope';

export interface SaeConfig {
  format: SaeFormat;
  architecture: SaeArchitecture;
  dIn: number;
  dSae: number;
  /** TransformerLens hook the SAE reads; undefined when neither the file nor the path says. */
  hookName?: string;
  /** Whether the SAE was trained on texts that start with a BOS token (TransformerLens prepend_bos). */
  prependBos: boolean;
  /** Subtract b_dec from the input before encoding (SAELens; Gemma Scope never does). */
  applyBDecToInput: boolean;
  normalizeActivations: SaeNormalization;
  /** expected_average_only_in: the factor SAELens folds in from its release table (x·s in, x̂/s out). */
  normScalingFactor?: number;
  /** topk: features kept per token. */
  k?: number;
  /** The model the SAE was trained on, as its config names it (gpt2-small, gemma-2-2b). */
  modelName?: string;
  /** Neuronpedia's id of the SAE's feature set (`gpt2-small/8-res-jb`), when the config has one. */
  neuronpediaId?: string;
}

const NORMALIZATIONS: readonly SaeNormalization[] = ['none', 'expected_average_only_in', 'constant_norm_rescale', 'layer_norm'];

/** SAELens's cfg.json as a config; `input` names the file in errors. */
export function parseSaeLensConfig(json: unknown, input: string): SaeConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MechLensError('format', 'cfg.json is not a JSON object', { input, fix: 'Point --sae at a folder saved by SAELens (cfg.json + sae_weights.safetensors).' });
  }
  const cfg = json as Record<string, unknown>;
  const meta = (typeof cfg.meta === 'object' && cfg.meta !== null ? cfg.meta : {}) as Record<string, unknown>;
  const integer = (name: string): number => {
    const v = cfg[name];
    if (!Number.isSafeInteger(v) || (v as number) <= 0) {
      throw new MechLensError('format', `cfg.json has no positive integer "${name}" (found ${JSON.stringify(v)})`, { input, fix: 'The folder is not an SAELens SAE, or its cfg.json is damaged.' });
    }
    return v as number;
  };
  const activation = String(cfg.activation_fn_str ?? cfg.activation_fn ?? '');
  const architecture = String(cfg.architecture ?? (activation === 'topk' ? 'topk' : 'standard'));
  if (architecture !== 'standard' && architecture !== 'jumprelu' && architecture !== 'topk') {
    throw new MechLensError('unsupported', `SAE architecture "${architecture}" is not supported`, { input, fix: 'MechLens reads standard, jumprelu and topk SAEs.' });
  }
  if (activation && !['relu', 'topk', ''].includes(activation) && architecture === 'standard') {
    throw new MechLensError('unsupported', `SAE activation "${activation}" is not supported`, { input, fix: 'MechLens reads ReLU (standard), JumpReLU and TopK SAEs.' });
  }
  if (cfg.finetuning_scaling_factor === true) {
    throw new MechLensError('unsupported', 'SAEs with a finetuning scaling factor are not supported', { input, fix: 'Fold the factor into W_dec with SAELens and save the SAE again.' });
  }
  const kwargs = (typeof cfg.activation_fn_kwargs === 'object' && cfg.activation_fn_kwargs !== null ? cfg.activation_fn_kwargs : {}) as Record<string, unknown>;
  const k = architecture === 'topk' ? Number(cfg.k ?? kwargs.k) : undefined;
  if (architecture === 'topk' && !(Number.isInteger(k) && k! > 0)) {
    throw new MechLensError('format', 'a topk SAE needs a positive integer "k" in cfg.json', { input, fix: 'Add "k" (or activation_fn_kwargs.k) to cfg.json.' });
  }
  const normalizeActivations = normalization(cfg.normalize_activations, input);
  const hook = cfg.hook_name ?? meta.hook_name ?? cfg.hook_point;
  const prependBos = cfg.prepend_bos ?? meta.prepend_bos;
  const modelName = cfg.model_name ?? meta.model_name;
  const neuronpediaId = cfg.neuronpedia_id ?? meta.neuronpedia_id;
  const scaling = cfg.norm_scaling_factor;
  return {
    format: 'saelens',
    architecture,
    dIn: integer('d_in'),
    dSae: integer('d_sae'),
    ...(typeof hook === 'string' && hook ? { hookName: hook } : {}),
    prependBos: typeof prependBos === 'boolean' ? prependBos : true,
    applyBDecToInput: typeof cfg.apply_b_dec_to_input === 'boolean' ? cfg.apply_b_dec_to_input : true,
    normalizeActivations,
    ...(typeof scaling === 'number' && Number.isFinite(scaling) && scaling > 0 ? { normScalingFactor: scaling } : {}),
    ...(k !== undefined ? { k } : {}),
    ...(typeof modelName === 'string' ? { modelName } : {}),
    ...(typeof neuronpediaId === 'string' ? { neuronpediaId } : {}),
  };
}

/** SAELens's values, with its old boolean (true = expected_average_only_in) and null (none). */
function normalization(value: unknown, input: string): SaeNormalization {
  if (value === undefined || value === null || value === false) return 'none';
  if (value === true) return 'expected_average_only_in';
  if (typeof value === 'string' && (NORMALIZATIONS as readonly string[]).includes(value)) return value as SaeNormalization;
  throw new MechLensError('unsupported', `normalize_activations ${JSON.stringify(value)} is not one SAELens defines`, { input, fix: `Use one of ${NORMALIZATIONS.join(', ')}.` });
}

const GEMMA_SCOPE_SITES: Record<string, (layer: number) => string> = {
  res: (l) => `blocks.${l}.hook_resid_post`,
  mlp: (l) => `blocks.${l}.hook_mlp_out`,
  att: (l) => `blocks.${l}.attn.hook_z`,
};

/** Layer, width and L0 from a Gemma Scope path (`…/gemma-scope-2b-pt-res/layer_20/width_16k/average_l0_71`). */
export function parseGemmaScopePath(p: string): { layer: number; width?: string; averageL0?: number; site?: 'res' | 'mlp' | 'att'; release?: string } | undefined {
  const normalized = p.replace(/\\/g, '/');
  const layer = /(?:^|\/)layer_(\d+)(?:\/|$)/.exec(normalized);
  if (!layer) return undefined;
  const width = /(?:^|\/)width_(\w+?)(?:\/|$)/.exec(normalized)?.[1];
  const l0 = /(?:^|\/)average_l0_(\d+)(?:\/|$)/.exec(normalized)?.[1];
  const release = /(?:^|[/_-])(gemma-scope-[\w.-]*?-(res|mlp|att))(?:-canonical)?(?:\/|$)/.exec(normalized.replace(/models--google--/, 'google/'));
  return {
    layer: Number(layer[1]),
    ...(width ? { width } : {}),
    ...(l0 ? { averageL0: Number(l0) } : {}),
    ...(release ? { site: release[2] as 'res' | 'mlp' | 'att', release: release[1] } : {}),
  };
}

/** The hook a Gemma Scope SAE at this path reads, or undefined when the path does not say the site. */
export function gemmaScopeHook(p: string): string | undefined {
  const parsed = parseGemmaScopePath(p);
  return parsed?.site ? GEMMA_SCOPE_SITES[parsed.site](parsed.layer) : undefined;
}

/** Gemma Scope's params.npz: JumpReLU, pre = x·W_enc + b_enc with no b_dec subtracted, no normalization. */
export function gemmaScopeConfig(dIn: number, dSae: number, where: string): SaeConfig {
  const hookName = gemmaScopeHook(where);
  return {
    format: 'gemma-scope', architecture: 'jumprelu', dIn, dSae,
    ...(hookName ? { hookName } : {}),
    prependBos: true, applyBDecToInput: false, normalizeActivations: 'none',
  };
}
