// Job `sae`: texts read through a sparse autoencoder. Every token of every text is captured at the
// SAE's hook and encoded; each token gets its largest active features and L0, each text the
// reconstruction MSE and variance explained (over its tokens, a BOS excluded: GPT-2's BOS
// residual is hundreds of times larger than any other and no SAE is trained to reconstruct it).
import type { SaeFeatureProfile, SaeResult, SaeText } from '../../protocol/result';
import { SCHEMA_VERSION } from '../../protocol/result';
import { MechLensError, throwIfCancelled } from '../errors';
import { decodeSae, largestIndices, reconstructionStats } from '../linalg/sae-encode';
import { loadModel } from '../models/capture-model';
import { ensureModel } from '../models/hub';
import { modelLabel } from '../models/model-label';
import { assertModelFits } from '../models/weight-memory';
import type { RunControl } from '../run-control';
import { VERSION } from '../version';
import { captureSaeFeatures, checkFeatures, openSae, saeInfo } from './sae-features';
import { modelRunTitle, textCount } from './run-title';

export interface SaeInput {
  model: string;
  /** SAE spec: folder, params.npz, `RELEASE/SAE_ID` or `hf:OWNER/REPO/PATH`. */
  sae: string;
  /** Hook to read; default the SAE's own. */
  hook?: string;
  texts: string[];
  /** Features listed per token (default 10). */
  top?: number;
  /** Compute only these features (no reconstruction then). */
  features?: number[];
  cacheDir?: string;
  offline?: boolean;
  provider?: string;
}

export const SAE_DEFAULTS = Object.freeze({ top: 10 });
/** Most features whose whole profile a result carries. */
export const MAX_PROFILES = 256;

export async function runSae(input: SaeInput, control: RunControl = {}): Promise<SaeResult> {
  const started = Date.now();
  const { signal } = control;
  const top = input.top ?? SAE_DEFAULTS.top;
  if (!Number.isInteger(top) || top < 1) throw new MechLensError('bad-argument', `top must be a positive integer, got ${top}`, { input: 'top', fix: 'Give e.g. --top 10.' });
  if (!input.texts.length) throw new MechLensError('bad-argument', 'no texts to read', { input: 'texts', fix: 'Give at least one --text.' });
  const step = (message: string, fraction?: number) => control.onProgress?.({ message, fraction });

  step(`Loading ${input.model}`, 0);
  const dir = await ensureModel(input.model, { cacheDir: input.cacheDir, offline: input.offline, signal, onStatus: (message) => step(message) });
  const model = await loadModel(dir);
  assertModelFits(model, input.model);
  const opened = await openSae(input.sae, input.hook, input.model, input, control);
  const { sae, hook } = opened;
  if (input.features) checkFeatures(input.features, sae.config.dSae, input.sae);
  throwIfCancelled(signal);

  step(`Capturing ${hook} for ${input.texts.length} texts`, 0.1);
  const features = input.features && input.features.length ? input.features : undefined;
  const run = await captureSaeFeatures(model, opened, input.texts, 'all', {
    signal, provider: input.provider, features, onProgress: (p) => step(p.message, 0.1 + 0.5 * (p.fraction ?? 0)),
  });
  const { captured, x, encoding } = run;
  const { acts } = encoding;
  const columnFeature = (j: number) => (encoding.features ? encoding.features[j] : j);
  throwIfCancelled(signal);

  step('Reconstructing', 0.7);
  const xHat = encoding.features ? null : decodeSae(acts, sae.encoder, encoding.normalization);
  const bos = captured.bosAdded ? 1 : 0;
  const rowStart: number[] = [];
  captured.rowInputs.forEach((text, row) => { if (rowStart[text] === undefined) rowStart[text] = row; });

  const positionsOf = (row: number) => {
    const values = acts.data.subarray(row * acts.cols, (row + 1) * acts.cols);
    let l0 = 0;
    for (let j = 0; j < values.length; j++) if (values[j] !== 0) l0++;
    return { top: largestIndices(values, top, true).map((j) => ({ feature: columnFeature(j), value: values[j] })), l0 };
  };
  const texts: SaeText[] = input.texts.map((text, t) => {
    const ids = captured.tokenIds[t];
    const start = rowStart[t];
    const stats = xHat ? reconstructionStats(x.data, xHat, x.cols, start + bos, start + ids.length) : null;
    return {
      text,
      tokens: ids.map((id, i) => ({ id, token: captured.tokens[t][i] })),
      positions: ids.map((_, i) => positionsOf(start + i)),
      mse: stats && Number.isFinite(stats.mse) ? stats.mse : null,
      varianceExplained: stats?.varianceExplained ?? null,
    };
  });

  const counted = texts.reduce((n, t) => n + t.tokens.length - bos, 0);
  const meanL0 = counted ? texts.reduce((s, t) => s + t.positions.slice(bos).reduce((a, p) => a + p.l0, 0), 0) / counted : 0;
  const profiles = featureProfiles(texts, acts.data, acts.cols, rowStart, bos, encoding.features, sae.logDensity);
  const warnings = [...opened.warnings, ...captured.warnings];
  if (encoding.features && sae.config.architecture !== 'topk') warnings.push(`Only ${encoding.features.length} of ${sae.config.dSae} features were computed: L0 counts those, and there is no reconstruction (MSE, variance explained).`);
  if (encoding.features && sae.config.architecture === 'topk') warnings.push(`A topk SAE needs every pre-activation to find its top ${sae.config.k}: all ${sae.config.dSae} were computed, and the ${encoding.features.length} asked for are reported.`);
  const label = modelLabel(dir);
  step('Done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    job: 'sae',
    title: modelRunTitle('SAE features', label, textCount(input.texts.length), ` at ${hook}`),
    model: { spec: `model:${input.model}#${hook}@sae:${input.sae}`, label, kind: 'model-hook', dims: sae.config.dSae, revision: captured.revision, provider: captured.provider, copy: model.copy },
    sae: saeInfo(sae),
    hook,
    dSae: sae.config.dSae,
    top,
    features: encoding.features ? Array.from(encoding.features) : null,
    provider: captured.provider,
    bosPrepended: captured.bosAdded,
    bosFrom: !captured.bosAdded ? null : run.bosFromSae ? 'sae-config' : 'tokenizer',
    texts,
    profiles,
    meanL0,
    warnings,
    run: { createdAt: new Date().toISOString(), version: VERSION, durationMs: Date.now() - started, options: { top, hook, features: input.features ?? null, provider: input.provider ?? 'auto' } },
    inputs: { model: input.model, sae: input.sae, hook: input.hook ?? null, texts: input.texts, top, features: input.features ?? null },
  };
}

/**
 * The features of any token's top list, strongest first, each with its activation on every token of
 * every text. Max, mean when active and density are all over the same tokens: a BOS is left out of
 * each (it is no text's token, and its residual dwarfs the rest), and the order is by that max.
 */
function featureProfiles(texts: SaeText[], acts: Float32Array, cols: number, rowStart: number[], bos: number, features: Int32Array | null, logDensity?: Float32Array): SaeFeatureProfile[] {
  const listed = new Set<number>();
  for (const t of texts) for (const p of t.positions) for (const { feature } of p.top) listed.add(feature);
  const columnOf = new Map<number, number>();
  if (features) features.forEach((f, j) => columnOf.set(f, j));
  const column = (feature: number) => (features ? columnOf.get(feature)! : feature);
  const counted = texts.reduce((n, t) => n + t.tokens.length - bos, 0);
  const stats = [...listed].map((feature) => {
    const j = column(feature);
    let active = 0, sum = 0, max = 0;
    texts.forEach((t, ti) => {
      for (let i = bos; i < t.tokens.length; i++) {
        const v = acts[(rowStart[ti] + i) * cols + j];
        if (v !== 0) { active++; sum += v; }
        if (v > max) max = v;
      }
    });
    return { feature, density: counted ? active / counted : 0, max, meanActive: active ? sum / active : 0 };
  });
  const chosen = stats.sort((a, b) => b.max - a.max || a.feature - b.feature).slice(0, MAX_PROFILES);
  return chosen.map((s) => {
    const j = column(s.feature);
    const activations = texts.map((t, ti) => t.tokens.map((_, i) => acts[(rowStart[ti] + i) * cols + j]));
    // SAELens writes log10(0) = −inf for a feature that never fired, which JSON cannot hold: null.
    const release = logDensity ? { releaseLogDensity: Number.isFinite(logDensity[s.feature]) ? logDensity[s.feature] : null } : {};
    return { feature: s.feature, activations, density: s.density, max: s.max, meanActive: s.meanActive, ...release };
  });
}
