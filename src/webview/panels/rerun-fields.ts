// Which parameters each job's panel lets the user change and run again with, starting from the
// values the result records (run.options, the map's options), so that Run again with nothing
// changed reproduces the run. The host checks the same limits (extension/commands/rerun-params.ts).
import type { Adjustment, AttentionResult, CompareResult, ContrastResult } from '../../protocol/result';
import { rerunLimits, type AttentionRerunParams, type CompareRerunParams, type ContrastRerunParams } from '../../protocol/rerun';
import type { RerunClient } from '../rerun-client';
import { type FieldValue, rerunControls } from './rerun-controls';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const int = (values: Record<string, FieldValue>, key: string) => values[key] as number;

function adjustedTo(a: Adjustment | undefined): { value: number; why: string } | undefined {
  return a && { value: a.used, why: a.why };
}

/**
 * What a compare run changed from what was asked: its record, or for a result saved before compare kept
 * one, a perplexity the maps ran at below the one asked (t-SNE allows at most (n − 1) / 3 for n points).
 */
export function compareAdjustments(result: CompareResult): NonNullable<CompareResult['adjusted']> {
  const asked = num(((result.run.options.map ?? {}) as Record<string, unknown>).perplexity);
  const used = num((result.a.map?.options ?? result.b.map?.options ?? {}).perplexity);
  const derived = asked !== null && used !== null && Math.abs(asked - used) > 1e-9
    ? { perplexity: { asked, used, why: `at most (n − 1) / 3 for ${result.items.length} words` } } : {};
  return { ...derived, ...result.adjusted };
}

/** Job 1: permutations, and the t-SNE + DBSCAN of both spaces (empty perplexity or eps: automatic). */
export function compareRerunControls(parent: HTMLElement, result: CompareResult, client: RerunClient | undefined): HTMLElement {
  const map = result.a.map?.options ?? result.b.map?.options ?? {};
  const mapOptions = (result.run.options.map ?? {}) as Record<string, unknown>;
  // An eps the job chose from the k-distances is left empty (automatic), so each space gets its own again.
  const epsGiven = map.epsChosen === 'given' || (map.epsChosen === undefined && num(mapOptions.eps) !== null);
  const adjusted = compareAdjustments(result);
  return rerunControls(parent, {
    hint: 'A new eps, min_samples or k re-clusters the maps at once; a new perplexity or permutation count reads both sources and runs t-SNE again.',
    fields: [
      { kind: 'number', key: 'permutations', label: 'Permutations', value: result.rsa.permutations, limit: rerunLimits.permutations,
        title: 'Item permutations for the RSA p-value (0 skips the test)' },
      { kind: 'number', key: 'perplexity', label: 't-SNE perplexity', value: num(mapOptions.perplexity), limit: rerunLimits.perplexity, auto: `auto (${num(map.perplexity) ?? '—'})`,
        title: 'Empty: min(30, (n − 1) / 3) for n words', used: adjustedTo(adjusted.perplexity) },
      { kind: 'number', key: 'eps', label: 'DBSCAN eps', value: epsGiven ? num(map.eps) : null, limit: rerunLimits.eps, auto: 'auto',
        title: 'Neighbourhood radius on the t-SNE map. Empty: 1.5 × the median distance to the (min_samples − 1)-th neighbour' },
      { kind: 'number', key: 'minSamples', label: 'min_samples', value: num(map.minSamples) ?? 3, limit: rerunLimits.minSamples,
        title: 'Points within eps (the point included) that make a core point' },
      // The k asked for, with the k it ran at beside it when the words were fewer.
      { kind: 'number', key: 'k', label: 'k-means k', value: adjusted.k?.asked ?? result.a.map?.kmeans?.k ?? result.b.map?.kmeans?.k ?? null, limit: rerunLimits.k, auto: 'none',
        title: 'k-means on each t-SNE map as well (the notebook runs DBSCAN only). Empty: none', used: adjustedTo(adjusted.k) },
    ],
    toParams: (v): CompareRerunParams => ({
      job: 'compare', permutations: int(v, 'permutations'), perplexity: v.perplexity as number | null, eps: v.eps as number | null, minSamples: int(v, 'minSamples'),
      k: v.k as number | null,
    }),
    client,
  });
}

/** Job 4: layer, prompt template and permutations. */
export function attentionRerunControls(parent: HTMLElement, result: AttentionResult, client: RerunClient | undefined): HTMLElement {
  return rerunControls(parent, {
    hint: 'Running again runs the model again.',
    fields: [
      { kind: 'number', key: 'layer', label: 'Layer', value: result.layer, limit: rerunLimits.layer, title: 'The layer whose Q, K and V are hooked (0 is the first)' },
      { kind: 'text', key: 'template', label: 'Prompt template', value: result.template, wide: true,
        check: (t) => (t.split('{word}').length - 1 === 1 ? undefined : 'needs exactly one {word}'), title: 'Each word is put into this prompt; Q and K are read at its last token' },
      { kind: 'number', key: 'permutations', label: 'Permutations', value: result.rsa.permutations, limit: rerunLimits.permutations,
        title: 'Item permutations for the RSA p-value (0 skips the test)' },
    ],
    toParams: (v): AttentionRerunParams => ({ job: 'attention', layer: int(v, 'layer'), template: String(v.template), permutations: int(v, 'permutations') }),
    client,
  });
}

/** Job 5: hook, test, correction and alpha, then the t-SNE, DBSCAN and k-means of the significant neurons and the label shuffles. */
export function contrastRerunControls(parent: HTMLElement, result: ContrastResult, client: RerunClient | undefined): HTMLElement {
  const o = result.run.options;
  return rerunControls(parent, {
    hint: 'A new eps, min_samples or k re-clusters the map at once; anything else runs the model again.',
    fields: [
      { kind: 'text', key: 'hook', label: 'Hook', value: result.hook, wide: true,
        check: (t) => (/\s/.test(t.trim()) ? 'has no spaces, e.g. blocks.5.mlp.hook_pre' : undefined), title: 'TransformerLens hook name or Hugging Face alias' },
      { kind: 'choice', key: 'test', label: 't-test', value: result.test, choices: [['student', 'Student'], ['welch', 'Welch']] },
      { kind: 'choice', key: 'correction', label: 'Correction', value: result.correction, choices: [['bonferroni', 'Bonferroni'], ['fdr', 'FDR (Benjamini–Hochberg)']] },
      { kind: 'number', key: 'alpha', label: 'alpha', value: result.alpha, limit: rerunLimits.alpha },
      { kind: 'number', key: 'perplexity', label: 't-SNE perplexity', value: num(o.perplexity) ?? 30, limit: rerunLimits.perplexity, used: adjustedTo(result.adjusted?.perplexity) },
      { kind: 'number', key: 'eps', label: 'DBSCAN eps', value: num(o.eps) ?? 1, limit: rerunLimits.eps },
      { kind: 'number', key: 'minSamples', label: 'min_samples', value: num(o.minSamples) ?? 3, limit: rerunLimits.minSamples },
      { kind: 'number', key: 'k', label: 'k-means k', value: num(o.k) ?? result.kmeans?.k ?? 3, limit: rerunLimits.k, used: adjustedTo(result.adjusted?.k) },
      { kind: 'number', key: 'shuffles', label: 'Label shuffles', value: result.labelShuffle.shuffles, limit: rerunLimits.shuffles,
        title: 'Group-label shuffles for the permutation check of the significant count' },
    ],
    toParams: (v): ContrastRerunParams => ({
      job: 'contrast', hook: String(v.hook).trim(), test: v.test === 'welch' ? 'welch' : 'student', correction: v.correction === 'fdr' ? 'fdr' : 'bonferroni',
      alpha: v.alpha as number, perplexity: v.perplexity as number, eps: v.eps as number, minSamples: int(v, 'minSamples'), k: int(v, 'k'), shuffles: int(v, 'shuffles'),
    }),
    client,
  });
}
