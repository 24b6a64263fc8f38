// Job 4 with an SAE (`mechlens attention --sae SPEC`): the words' SAE feature vectors are one more
// representation next to Q and K. Each prompt is read at the SAE's own hook, at the word's token,
// with the SAE's prepend_bos (a second, small forward pass: Q and K keep the job's tokenization),
// and encoded over every feature. Their cosine similarity matrix is compared by RSA with Q's and
// K's at the layer (with the job's permutation p), within each head's slice, and with Q, K and the
// residual stream at every layer of the sweep. A word on which no feature fires has no direction;
// its cosines are 0 (similarity.ts) and it is named in `silent` and the warnings.
import type { AttentionSae, AttentionSpace } from '../../protocol/result';
import { MechLensError } from '../errors';
import type { Matrix } from '../matrix';
import type { CaptureInput, CaptureOptions } from '../models/capture';
import type { LoadedModel } from '../models/capture-model';
import { representationalSimilarity } from '../stats/rsa';
import { cosineSimilarityMatrix } from '../stats/similarity';
import { captureSaeFeatures, saeInfo, type OpenedSae } from './sae-features';

export interface WordFeatures {
  /** words × dSae. */
  acts: Matrix<Float32Array>;
  sim: Matrix;
  silent: number[];
  meanL0: number;
  bosFromSae: boolean;
  warnings: string[];
}

/** The words' SAE features at the word's token, and their cosine similarity matrix. */
export async function wordFeatures(model: LoadedModel, opened: OpenedSae, inputs: readonly CaptureInput[], options: CaptureOptions): Promise<WordFeatures> {
  const f = await captureSaeFeatures(model, opened, inputs, 'target', options);
  const acts = f.encoding.acts;
  let active = 0;
  for (let i = 0; i < acts.data.length; i++) if (acts.data[i] > 0) active++;
  const { similarity, zeroRows } = cosineSimilarityMatrix(acts);
  return { acts, sim: similarity, silent: zeroRows, meanL0: active / acts.rows, bosFromSae: f.bosFromSae, warnings: [...opened.warnings, ...f.captured.warnings] };
}

/** RSA of the features' similarities with another representation's; null where it is undefined (a constant triangle). */
export function featureRsa(features: Matrix, other: Matrix, options: { permutations?: number; seed?: number; signal?: AbortSignal } = { permutations: 0 }): ReturnType<typeof representationalSimilarity> | null {
  try {
    return representationalSimilarity(features, other, options);
  } catch (e) {
    if (e instanceof MechLensError && e.code !== 'cancelled') return null;
    throw e;
  }
}

export function attentionSaeRow(opened: OpenedSae, words: WordFeatures, space: AttentionSpace, items: readonly string[],
  rsaQ: AttentionSae['rsaQ'], rsaK: AttentionSae['rsaK'], heads: AttentionSae['heads']): AttentionSae {
  return {
    info: saeInfo(opened.sae), hook: opened.hook, space, rsaQ, rsaK, meanL0: words.meanL0,
    silent: words.silent.map((i) => items[i]), bosFromSae: words.bosFromSae, heads,
  };
}

/** What the warnings say about words with no active feature. */
export function silentWarning(silent: readonly string[], label: string): string | null {
  if (!silent.length) return null;
  const shown = silent.slice(0, 8).map((w) => `"${w}"`).join(', ');
  return `No feature of ${label} fires on ${silent.length} word${silent.length === 1 ? '' : 's'} (${shown}${silent.length > 8 ? ', …' : ''}): their feature vectors are zero, so their cosine with every other word is undefined and counts as 0 in the SAE's similarity matrix and its RSA.`;
}
