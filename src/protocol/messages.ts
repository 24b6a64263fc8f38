// Messages between the extension host and a panel's webview. One discriminated union per
// direction; the extension posts nothing until the webview has said `ready`.
import type { Result } from './result';
import type { JobName, RerunParamsOf } from './jobs';
import type { RerunOutcome } from './rerun';
import { ipcRequest, isRequestMessage, type ReplyMessage, type RequestMessage } from './ipc';
import { type Focus, isFocus } from './side-view';

/** What a panel may ask its host (protocol/ipc.ts carries them); the host answers each in panels/panel.ts. */
export const panelRequests = Object.freeze({
  /** Run the panel's job again with changed parameters; answered once the run has ended. */
  rerun: ipcRequest<RerunParamsOf<JobName>, RerunOutcome>('rerun'),
  /** Stop the re-run in progress, if any. */
  cancelRerun: ipcRequest<void, { cancelled: boolean }>('cancelRerun'),
  /** Stop the run in progress (the first run or a re-run): the Cancel of the panel's progress box. */
  cancelRun: ipcRequest<void, { cancelled: boolean }>('cancelRun'),
  /** Run the panel's job again with the same inputs and settings (after a cancel or a failure); answered once it has started. */
  runAgain: ipcRequest<void, { started: boolean }>('runAgain'),
});

export type ExportFormat = 'svg' | 'png' | 'csv' | 'npy' | 'json' | 'python';

export type ToWebview =
  /**
   * `partial`: the result so far of a run still streaming (the logit lens, layer by layer): shown,
   * but not kept in the webview's state; the final result, which follows, is.
   */
  | { type: 'result'; result: Result; partial?: boolean }
  | { type: 'progress'; message: string; fraction?: number }
  | { type: 'error'; message: string }
  | { type: 'cancelled' }
  /** The cards of this panel pinned to the Pinned Charts view (by card key), so their pin buttons show it. */
  | { type: 'pinned'; cards: string[] }
  /** Show this selection in the panel (the Inspector's "Open in panel"). */
  | { type: 'focus'; items: string[]; focus?: Focus }
  /**
   * What the host can do for this panel beyond showing it: `rerun` once a job command registered a
   * re-run with changed parameters, `runAgain` when the same run can start again from its inputs.
   */
  | { type: 'capabilities'; rerun: boolean; runAgain?: boolean }
  /** The answer to one of the panel's requests (panelRequests). */
  | ReplyMessage;

export type FromWebview =
  | { type: 'ready' }
  | { type: 'save' }
  /** A chart exported in the browser (svg text, png as base64 data) for the host to write. */
  | { type: 'export'; format: ExportFormat; name: string; content: string; encoding: 'utf8' | 'base64' }
  | { type: 'selection'; items: string[]; focus?: Focus }
  /** A chart card pinned to the side view: its chart function's name and the data it draws (see webview/charts/registry.ts). */
  | { type: 'pin'; card: string; title: string; chart: string; data: unknown; options: unknown }
  | { type: 'unpin'; card: string }
  | { type: 'openLog' }
  /** Opens a page in the user's browser; only Neuroscope neuron pages are accepted. */
  | { type: 'openLink'; url: string }
  /** One of panelRequests; the host answers with a `reply`. */
  | RequestMessage;

const fromWebviewTypes = new Set(['ready', 'save', 'export', 'selection', 'openLog', 'openLink', 'request', 'pin', 'unpin']);

/** The only links a panel may ask the host to open: Neuroscope neuron pages. */
export const allowedLinkPattern = /^https:\/\/neuroscope\.io\/[A-Za-z0-9][A-Za-z0-9._-]*\/\d+\/\d+\.html$/;

/** Messages from a webview are untrusted: check the shape before acting on one. */
export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.type !== 'string' || !fromWebviewTypes.has(m.type)) return false;
  switch (m.type) {
    case 'export':
      return typeof m.format === 'string' && typeof m.name === 'string' && typeof m.content === 'string' &&
        (m.encoding === 'utf8' || m.encoding === 'base64');
    case 'selection':
      return Array.isArray(m.items) && m.items.every((x) => typeof x === 'string') && (m.focus === undefined || isFocus(m.focus));
    case 'pin':
      return typeof m.card === 'string' && m.card.length <= 200 && typeof m.title === 'string' && typeof m.chart === 'string' && 'data' in m;
    case 'unpin':
      return typeof m.card === 'string';
    case 'request':
      return isRequestMessage(m);
    case 'openLink':
      return typeof m.url === 'string' && allowedLinkPattern.test(m.url);
    default:
      return true;
  }
}
