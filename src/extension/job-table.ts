// The extension's job table: for every job, the command that starts it, the status-bar line of its
// panel, what the Inspector shows for a selection in that panel, and the check of the parameters its
// panel sends to run it again. No vscode here, so the table (and everything read through it) is
// tested under plain Node; the command functions themselves are in commands/index.ts, keyed the
// same way. A job missing from either table is a type error.
import type { JobName, RerunParamsOf, ResultOf } from '../protocol/jobs';
import type { Result } from '../protocol/result';
import type { Focus, InspectorData } from '../protocol/side-view';
import type { HookShapeConfig } from '../core/models/hooks';
import {
  validateAttentionRerun, validateAttributionRerun, validateCompareRerun, validateContrastRerun, validateHeadsRerun, validateLensRerun, validateMatchRerun, validateSaeRerun, validateTokensRerun,
} from './commands/rerun-params';
import {
  summarizeAttention, summarizeAttribution, summarizeCompare, summarizeContrast, summarizeHeads, summarizeLens, summarizeMatch, summarizeSae, summarizeTokens, type ResultSummary,
} from './panels/result-summary';
import {
  inspectAttention, inspectAttribution, inspectCompare, inspectContrast, inspectHeads, inspectMatch, inspectSae, inspectTokens, nothingToInspect,
} from './views/inspector-data';
import { inspectLens } from './views/inspector-lens';

/** What a job's re-run check knows besides the params: what the first run found out about the model. */
export interface RerunContexts {
  compare: void;
  tokens: { /** The run mapped a token list, so N cannot change. */ listRun: boolean };
  match: void;
  attention: { /** The model's layer count when known. */ nLayer?: number };
  contrast: { /** The model's hook shapes when known. */ hookConfig: HookShapeConfig | null };
  heads: void;
  sae: void;
  attribution: void;
  lens: void;
}

export interface ExtensionJob<J extends JobName> {
  /** The command id in package.json's contributes.commands. */
  command: string;
  /** The status bar's line (and tooltip) while the job's panel is active. */
  summary(result: ResultOf<J>): ResultSummary;
  /** The Inspector's data for a selection in the job's panel; undefined when the selection is not in the result. */
  inspect(result: ResultOf<J>, items: readonly string[], focus: Focus | undefined, k: number): InspectorData | undefined;
  /** Checks the untrusted params of the panel's "Run again"; throws a MechLensError naming the bad field. */
  validateRerun(raw: unknown, context: RerunContexts[J]): RerunParamsOf<J>;
}

export const extensionJobs: { readonly [J in JobName]: ExtensionJob<J> } = Object.freeze({
  compare: {
    command: 'mechlens.compareEmbeddings',
    summary: summarizeCompare,
    inspect: inspectCompare,
    validateRerun: (raw) => validateCompareRerun(raw),
  },
  tokens: {
    command: 'mechlens.mapTokens',
    summary: summarizeTokens,
    inspect: inspectTokens,
    validateRerun: (raw, context) => validateTokensRerun(raw, context.listRun),
  },
  match: {
    command: 'mechlens.matchVocabularies',
    summary: summarizeMatch,
    inspect: inspectMatch,
    validateRerun: (raw) => validateMatchRerun(raw),
  },
  attention: {
    command: 'mechlens.compareAttention',
    summary: summarizeAttention,
    inspect: inspectAttention,
    validateRerun: (raw, context) => validateAttentionRerun(raw, context.nLayer),
  },
  contrast: {
    command: 'mechlens.contrastSentences',
    summary: summarizeContrast,
    inspect: (result, items, focus) => inspectContrast(result, items, focus),
    validateRerun: (raw, context) => validateContrastRerun(raw, context.hookConfig),
  },
  heads: {
    command: 'mechlens.attentionHeads',
    summary: summarizeHeads,
    inspect: (result, items, focus) => inspectHeads(result, items, focus),
    validateRerun: (raw) => validateHeadsRerun(raw),
  },
  sae: {
    command: 'mechlens.saeFeatures',
    summary: summarizeSae,
    inspect: (result, items, focus) => inspectSae(result, items, focus),
    validateRerun: (raw) => validateSaeRerun(raw),
  },
  attribution: {
    command: 'mechlens.logitAttribution',
    summary: summarizeAttribution,
    inspect: (result, items, focus) => inspectAttribution(result, items, focus),
    validateRerun: (raw) => validateAttributionRerun(raw),
  },
  lens: {
    command: 'mechlens.logitLens',
    summary: summarizeLens,
    inspect: inspectLens,
    validateRerun: (raw) => validateLensRerun(raw),
  },
});

/** The table's entry for a result's job (undefined for a job this version does not know). */
function entryOf<J extends JobName>(result: ResultOf<J>): ExtensionJob<J> | undefined {
  return Object.prototype.hasOwnProperty.call(extensionJobs, result.job) ? extensionJobs[result.job as J] : undefined;
}

/** The status bar's line for a result; a job this version does not know shows its title. */
export function summarizeResult(result: Result): ResultSummary {
  return entryOf(result)?.summary(result) ?? { text: String(result.title), tooltip: String(result.title) };
}

/** What the Inspector shows for a selection in a panel showing `result` (or in none). */
export function inspectSelection(result: Result | undefined, items: readonly string[], focus?: Focus, k = 8): InspectorData {
  const data = result ? entryOf(result)?.inspect(result, items, focus, k) : undefined;
  return data ?? nothingToInspect(result, items);
}
