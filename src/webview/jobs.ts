// The webview's job table: for every job, the renderer that draws its Result into the panel and the
// key under which the panel keeps its UI choices (selected neuron, scheme, …) in the webview state.
// main.ts draws any Result through this table; a job missing here is a type error. The Python cards
// of each job are the other webview table (python-cards.ts).
import type { JobName, ResultOf } from '../protocol/jobs';
import type { Result } from '../protocol/result';
import type { FromWebview } from '../protocol/messages';
import type { RerunClient } from './rerun-client';
import { renderAttention, type AttentionUiState } from './panels/attention';
import { renderAttribution, type AttributionUiState } from './panels/attribution';
import { renderCompare, type CompareUiState, type PanelView } from './panels/compare';
import { renderContrast, type ContrastUiState } from './panels/contrast';
import { renderHeads, type HeadsUiState } from './panels/heads';
import { renderMatch, type MatchUiState } from './panels/match';
import { renderSae, type SaeUiState } from './panels/sae';
import { renderTokens, type TokensUiState } from './panels/tokens';
import { renderLens, type LensUiState } from './panels/lens';

export type { PanelView } from './panels/compare';

/** Each job's UI choices, as its panel keeps them. */
export interface UiStates {
  compare: CompareUiState;
  tokens: TokensUiState;
  match: MatchUiState;
  attention: AttentionUiState;
  contrast: ContrastUiState;
  heads: HeadsUiState;
  sae: SaeUiState;
  attribution: AttributionUiState;
  lens: LensUiState;
}

/** The webview state: the last Result and each job's UI choices under its own key. */
export interface SavedState {
  result?: Result;
  ui?: CompareUiState;
  tokensUi?: TokensUiState;
  matchUi?: MatchUiState;
  attentionUi?: AttentionUiState;
  contrastUi?: ContrastUiState;
  headsUi?: HeadsUiState;
  saeUi?: SaeUiState;
  attributionUi?: AttributionUiState;
  lensUi?: LensUiState;
}

export interface RendererHost<U> {
  post(message: FromWebview): void;
  /** Runs the job again from the panel's controls (its strip above the panel shows progress and Cancel). */
  rerun: RerunClient;
  ui: U;
  saveUi(ui: U): void;
}

export interface WebviewJob<J extends JobName> {
  /** Where the job's UI choices live in the webview state (names kept from before the table, so reloads keep them). */
  stateKey: Exclude<keyof SavedState, 'result'>;
  /**
   * The panel reads its big matrices by index only, so they stay row views over the packed
   * Float64Arrays (packed-matrices.ts) instead of being copied into nested arrays.
   */
  rowViews?: boolean;
  render(root: HTMLElement, result: ResultOf<J>, host: RendererHost<UiStates[J]>): PanelView;
}

export const webviewJobs: { readonly [J in JobName]: WebviewJob<J> } = Object.freeze({
  compare: { stateKey: 'ui', rowViews: true, render: renderCompare },
  tokens: {
    stateKey: 'tokensUi',
    render: (root, result, host) => renderTokens(root, result, {
      post: host.post, ui: host.ui, saveUi: host.saveUi,
      // Only a panel whose command registered a re-run can run again (not a saved file's editor).
      rerun: host.rerun.available ? (params) => void host.rerun.run(params) : undefined,
    }),
  },
  match: { stateKey: 'matchUi', rowViews: true, render: renderMatch },
  attention: { stateKey: 'attentionUi', render: renderAttention },
  contrast: { stateKey: 'contrastUi', render: renderContrast },
  heads: { stateKey: 'headsUi', render: renderHeads },
  sae: {
    stateKey: 'saeUi',
    render: (root, result, host) => renderSae(root, result, {
      post: host.post, ui: host.ui, saveUi: host.saveUi, ...(host.rerun.available ? { rerun: host.rerun } : {}),
    }),
  },
  attribution: { stateKey: 'attributionUi', render: renderAttribution },
  lens: { stateKey: 'lensUi', render: renderLens },
});

export function isRenderable(result: Result): boolean {
  return Object.prototype.hasOwnProperty.call(webviewJobs, result.job);
}

/** Whether a result message for `job` keeps its packed matrices as row views (see WebviewJob.rowViews). */
export function keepsRowViews(job: unknown): boolean {
  return typeof job === 'string' && Object.prototype.hasOwnProperty.call(webviewJobs, job) && webviewJobs[job as JobName].rowViews === true;
}

/**
 * Draws `result` with its job's renderer, reading and saving that job's UI choices in `state`.
 * Generic in J so that TypeScript ties the table's entry to the result.
 */
export function renderResult<J extends JobName>(root: HTMLElement, result: ResultOf<J>, o: {
  state: () => SavedState;
  saveState: (state: SavedState) => void;
  post(message: FromWebview): void;
  rerun: RerunClient;
}): PanelView {
  const job = webviewJobs[result.job as J];
  const key = job.stateKey;
  // Each key holds its own job's UI choices (the table pairs them); the state itself is untyped JSON.
  return job.render(root, result, {
    post: o.post,
    rerun: o.rerun,
    ui: (o.state()[key] ?? {}) as UiStates[J],
    saveUi: (ui) => o.saveState({ ...o.state(), [key]: ui }),
  });
}
