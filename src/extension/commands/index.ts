// The job commands, keyed by JobName like every job table: each builds its own services from the
// shared ones (the job it runs on the worker, its recent-choice lists) and runs its quick picks.
// extension.ts registers each under the command id of the extension's job table (job-table.ts) and
// reports a failure with the job's title (protocol/jobs.ts); a job missing here is a type error.
import type * as vscode from 'vscode';
import type { JobName } from '../../protocol/jobs';
import { runJob } from '../../core/worker/client';
import type { RecentList } from '../recent';
import { compareAttention } from './attention';
import { logitAttribution, type AttributionArgs } from './attribution';
import { compareEmbeddings, type CompareArgs, type CompareServices } from './compare';
import { contrastSentences } from './contrast';
import { attentionHeads, type HeadsArgs } from './heads';
import { matchVocabularies } from './match';
import { saeFeatures } from './sae';
import { mapTokenEmbeddings } from './tokens';
import { logitLens, type LensArgs } from './lens';

/** What every job command uses: the panel services, catalogs, caches and Compare's recent sources. */
export type JobCommandServices = CompareServices & { cachedModelNames: (cacheDir: string | undefined) => ReadonlySet<string> };

export interface CommandContext {
  services: JobCommandServices;
  /** A most-recent-first list kept in globalState under `key`. */
  recent(key: string, max: number): RecentList;
}

/** The lists the model jobs keep, also read by the diagnostics to pick the model used last. */
/**
 * One list for the kind: a model used by one job is a recent model for every job. Each job's own
 * default still comes first when nothing has been used yet. A new model job uses `recentModelsKey`.
 */
const recentModelsKey = 'mechlens.recent.models';
export const recentModelKeys = Object.freeze({
  contrast: recentModelsKey,
  attention: recentModelsKey,
  tokens: recentModelsKey,
  match: recentModelsKey,
  heads: recentModelsKey,
  sae: recentModelsKey,
  attribution: recentModelsKey,
  lens: recentModelsKey,
});

/** SAEs picked before, shared by SAE Features… and Contrast's SAE row. */
const RECENT_SAES_KEY = 'mechlens.recentSaes';

export type JobCommand<J extends JobName> = (context: CommandContext, args: J extends 'compare' ? CompareArgs : J extends 'heads' ? HeadsArgs : J extends 'attribution' ? AttributionArgs : J extends 'lens' ? LensArgs : { uri?: vscode.Uri }) => Promise<unknown>;

export const jobCommands: { readonly [J in JobName]: JobCommand<J> } = Object.freeze({
  compare: ({ services }, args) => compareEmbeddings(services, args),
  tokens: ({ services, recent }, args) => mapTokenEmbeddings({
    ...services,
    runTokens: (input, control) => runJob('tokens', input, control),
    recentModels: recent(recentModelKeys.tokens, 8),
  }, args),
  match: ({ services, recent }, args) => matchVocabularies({
    ...services,
    runMatch: (input, control) => runJob('match', input, control),
    recentSources: recent('mechlens.recentMatchSources', 8),
    recentModels: recent(recentModelKeys.match, 8),
  }, args),
  attention: ({ services, recent }, args) => compareAttention({
    ...services,
    runAttention: (input, control) => runJob('attention', input, control),
    recentModels: recent(recentModelKeys.attention, 8),
    recentSaes: recent(RECENT_SAES_KEY, 8),
  }, args),
  contrast: ({ services, recent }, args) => contrastSentences({
    ...services,
    runContrast: (input, control) => runJob('contrast', input, control),
    recentModels: recent(recentModelKeys.contrast, 8),
    recentHooks: recent('mechlens.recentContrastHooks', 8),
    recentSaes: recent(RECENT_SAES_KEY, 8),
  }, args),
  heads: ({ services, recent }, args) => attentionHeads({
    ...services,
    runHeads: (input, control) => runJob('heads', input, control),
    recentModels: recent(recentModelKeys.heads, 8),
  }, args),
  sae: ({ services, recent }, args) => saeFeatures({
    ...services,
    runSae: (input, control) => runJob('sae', input, control),
    recentModels: recent(recentModelKeys.sae, 8),
    recentSaes: recent(RECENT_SAES_KEY, 8),
  }, args),
  attribution: ({ services, recent }, args) => logitAttribution({
    ...services,
    runAttribution: (input, control) => runJob('attribution', input, control),
    recentModels: recent(recentModelKeys.attribution, 8),
    recentTargets: recent('mechlens.recentAttributionTargets', 8),
  }, args),
  lens: ({ services, recent }, args) => logitLens({
    ...services,
    // The worker forwards the lens's partial results (LensControl.onPartial) to the control given here.
    runLens: (input, control) => runJob('lens', input, control),
    recentModels: recent(recentModelKeys.lens, 8),
    recentTargets: recent('mechlens.recentLensTargets', 8),
  }, args),
});
