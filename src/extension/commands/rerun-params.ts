// Checks the parameters a panel sends with a `rerun` request. The webview is untrusted (a result
// file can carry anything into it), so every field is checked for type and range before a job runs,
// and a bad one fails with a message that names the field, the value and what is allowed.
import { MechLensError } from '../../core/errors';
import type { HookShapeConfig } from '../../core/models/hooks';
import {
  leadingSpaceChoices, maxRerunTextLength, rerunLimits, type AttentionRerunParams, type AttributionRerunParams, type CompareRerunParams, type ContrastRerunParams, type HeadsRerunParams, type MatchRerunParams, type SaeRerunParams, type NumberLimit,
} from '../../protocol/rerun';
import { tokensLimitProblem, type TokensRerunParams } from '../../protocol/tokens-params';
import { lensTopKLimit, type LensRerunParams } from '../../protocol/lens';
import { validateHook } from './model-hook-picks';
import { validateTemplate } from './prompt-template';

type Fields = Record<string, unknown>;

function bad(field: string, value: unknown, allowed: string): MechLensError {
  const shown = typeof value === 'string' ? `"${value.slice(0, 60)}"` : String(JSON.stringify(value) ?? value).slice(0, 60);
  return new MechLensError('bad-argument', `The panel asked to run again with ${field} = ${shown}`, { input: field, fix: `Use ${allowed}.` });
}

function describeLimit(limit: NumberLimit): string {
  const kind = limit.integer ? 'a whole number' : 'a number';
  return `${kind} ${limit.exclusiveMin ? 'above' : 'from'} ${limit.min}${limit.exclusiveMin ? ' up to' : ' to'} ${limit.max}`;
}

/** A number within `limit`; the range may be narrowed (a model's layer count). */
function checkNumber(fields: Fields, field: keyof typeof rerunLimits, narrower?: Partial<NumberLimit>): number {
  const limit: NumberLimit = { ...rerunLimits[field], ...narrower };
  const value = fields[field];
  const ok = typeof value === 'number' && Number.isFinite(value) && (!limit.integer || Number.isInteger(value)) &&
    (limit.exclusiveMin ? value > limit.min : value >= limit.min) && value <= limit.max;
  if (!ok) throw bad(field, value, describeLimit(limit));
  return value as number;
}

function checkNullableNumber(fields: Fields, field: keyof typeof rerunLimits): number | null {
  return fields[field] === null ? null : checkNumber(fields, field);
}

function checkChoice<T extends string>(fields: Fields, field: string, choices: readonly T[]): T {
  const value = fields[field];
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) throw bad(field, value, choices.join(' or '));
  return value as T;
}

function checkText(fields: Fields, field: string, check: (text: string) => string | undefined): string {
  const value = fields[field];
  if (typeof value !== 'string' || value.length > maxRerunTextLength) throw bad(field, value, `text of at most ${maxRerunTextLength} characters`);
  const problem = check(value);
  if (problem) throw bad(field, value, problem.replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase()));
  return value;
}

function fieldsOf(raw: unknown, job: string): Fields {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MechLensError('bad-argument', 'The panel asked to run again without parameters', { fix: 'Change a setting in the panel and press Run again.' });
  }
  const fields = raw as Fields;
  if (fields.job !== job) {
    throw new MechLensError('bad-argument', `The panel asked to re-run job "${String(fields.job).slice(0, 20)}", but it shows a ${job} result`, {
      fix: 'Reopen the panel from its command.',
    });
  }
  return fields;
}

export function validateCompareRerun(raw: unknown): CompareRerunParams {
  const f = fieldsOf(raw, 'compare');
  return {
    job: 'compare',
    permutations: checkNumber(f, 'permutations'),
    perplexity: checkNullableNumber(f, 'perplexity'),
    eps: checkNullableNumber(f, 'eps'),
    minSamples: checkNumber(f, 'minSamples'),
    // Absent (a panel from before k existed) means no k-means, like null.
    k: f.k === undefined ? null : checkNullableNumber(f, 'k'),
  };
}

/** `nLayer`: the model's layer count when known, so layer 30 of a 12-layer model is refused here. */
export function validateAttentionRerun(raw: unknown, nLayer?: number): AttentionRerunParams {
  const f = fieldsOf(raw, 'attention');
  return {
    job: 'attention',
    layer: checkNumber(f, 'layer', nLayer !== undefined ? { max: nLayer - 1 } : undefined),
    template: checkText(f, 'template', validateTemplate),
    permutations: checkNumber(f, 'permutations'),
  };
}

/** `hookConfig`: the model's shape when known, so a hook it does not have is refused here. */
export function validateContrastRerun(raw: unknown, hookConfig: HookShapeConfig | null = null): ContrastRerunParams {
  const f = fieldsOf(raw, 'contrast');
  return {
    job: 'contrast',
    hook: checkText(f, 'hook', (t) => validateHook(t, hookConfig)).trim(),
    test: checkChoice(f, 'test', ['student', 'welch'] as const),
    correction: checkChoice(f, 'correction', ['bonferroni', 'fdr'] as const),
    alpha: checkNumber(f, 'alpha'),
    perplexity: checkNumber(f, 'perplexity'),
    eps: checkNumber(f, 'eps'),
    minSamples: checkNumber(f, 'minSamples'),
    k: checkNumber(f, 'k'),
    shuffles: checkNumber(f, 'shuffles'),
  };
}

export function validateSaeRerun(raw: unknown): SaeRerunParams {
  return { job: 'sae', top: checkNumber(fieldsOf(raw, 'sae'), 'top') };
}

export function validateMatchRerun(raw: unknown): MatchRerunParams {
  const f = fieldsOf(raw, 'match');
  return { job: 'match', length: checkNumber(f, 'length'), count: checkNumber(f, 'count'), leadingSpace: checkChoice(f, 'leadingSpace', leadingSpaceChoices) };
}

/** The heads probe's N and seed (only a probe run has them to change). */
export function validateHeadsRerun(raw: unknown): HeadsRerunParams {
  const f = fieldsOf(raw, 'heads');
  return { job: 'heads', repeatTokens: checkNumber(f, 'repeatTokens'), seed: checkNumber(f, 'seed') };
}

/**
 * Checks the untrusted params of the panel's "Run again": each field's type and range (the table the
 * panel's fields use), and N only when the run mapped the first N tokens (a list run keeps its list).
 */
export function validateTokensRerun(raw: unknown, listRun: boolean): TokensRerunParams {
  const f = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const bad = (field: string, allowed: string) => new MechLensError('bad-argument',
    `The token panel asked to run again with ${field} = ${String(JSON.stringify(f[field]) ?? f[field]).slice(0, 60)}`, { input: field, fix: `Use ${allowed}.` });
  if (f.job !== 'tokens') throw bad('job', '"tokens" (reopen the panel from Map Token Embeddings…)');
  if (f.method !== 'tsne' && f.method !== 'pca') throw bad('method', 'tsne or pca');
  const number = (field: 'perplexity' | 'eps' | 'minSamples' | 'first', nullable: boolean): number | null => {
    if (nullable && f[field] === null) return null;
    const problem = tokensLimitProblem(field, f[field]);
    if (problem) throw bad(field, problem);
    return f[field] as number;
  };
  // A token-list run keeps its list: N applies only to a first-N run.
  if (listRun && f.first !== null) throw bad('first', 'null for a token-list run');
  return {
    job: 'tokens', method: f.method, perplexity: number('perplexity', false) as number, eps: number('eps', true),
    minSamples: number('minSamples', false) as number, first: listRun ? null : number('first', false),
  };
}

/** One word each (the contrast may be empty: none); whether it is one token is checked by the run against the model's tokenizer. */
export function validateAttributionRerun(raw: unknown): AttributionRerunParams {
  const f = fieldsOf(raw, 'attribution');
  const word = (t: string, required: boolean) => (required && !t.trim() ? 'a target word, e.g. Paris' : /\s/.test(t.trim()) ? 'one word, without spaces inside' : undefined);
  return {
    job: 'attribution',
    target: checkText(f, 'target', (t) => word(t, true)).trim(),
    contrast: checkText(f, 'contrast', (t) => word(t, false)).trim(),
  };
}

/** The logit lens: a target word (empty: none; one word, no spaces inside) and the top k. */
export function validateLensRerun(raw: unknown): LensRerunParams {
  const f = fieldsOf(raw, 'lens');
  const topK = f.topK;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < lensTopKLimit.min || topK > lensTopKLimit.max) throw bad('topK', topK, describeLimit(lensTopKLimit));
  const target = checkText(f, 'target', (t) => (/\S\s+\S/.test(t.trim()) ? 'one word (it is read with a leading space and must be one token)' : undefined));
  return { job: 'lens', target: target.trim(), topK };
}
