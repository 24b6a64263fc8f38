// What the side views (Inspector, Pinned Charts) and the panels say to each other through the host:
// what the user picked in a panel (Focus), what the Inspector shows for it (InspectorData), and a
// chart pinned from a panel card (PinnedChart).
import { ipcRequest, isRequestMessage, type ReplyMessage, type RequestMessage } from './ipc';

/** What the user picked in a panel, beyond a list of words. */
export type Focus =
  | { kind: 'neuron'; neuron: number }
  /** A cluster of a 2-D map: `map` is the compare space ('a' | 'b') or the contrast clustering ('dbscan' | 'kmeans'). */
  | { kind: 'cluster'; map: string; label: number }
  /** A point of a layer sweep. */
  | { kind: 'layer'; layer: number }
  /** One token (or word) of the result, by its row. */
  | { kind: 'token'; index: number }
  /** One attention head (the heads job). */
  | { kind: 'head'; layer: number; head: number };

export interface Neighbour { word: string; similarity: number }
export interface GroupSummary { name: string; n: number; mean: number; sd: number }

export type InspectorData =
  | { kind: 'empty'; message: string }
  /** One word or token: its nearest neighbours in each space of the result. */
  | { kind: 'token'; word: string; category: string | null; spaces: { label: string; neighbours: Neighbour[] }[] }
  /**
   * Two words: their similarity in each space. `layerSource` when a model is involved: the host can run it
   * (on the user's request) for the pair's similarity at every layer, which then arrives as `layers`.
   */
  | {
    kind: 'pair'; words: [string, string]; spaces: { label: string; similarity: number | null }[];
    layerSource?: { model: string; template: string }; layers?: { layers: number[]; series: { name: string; values: (number | null)[] }[] };
  }
  /** One neuron of a contrast: its activation in every sentence, the two groups, and the test. */
  | {
    kind: 'neuron'; neuron: number; hook: string; values: number[]; sentences: string[]; split: number; groups: [GroupSummary, GroupSummary];
    t: number; p: number; pAdjusted: number; df: number; cohenD: number; significant: boolean; test: 'student' | 'welch';
  }
  /** A cluster: its members and its centroid profile (over dimensions, or over sentences for neurons). */
  | { kind: 'cluster'; map: string; label: number; title: string; members: string[]; profile: number[]; profileLabel: string; sentences?: string[]; split?: number; groupNames?: [string, string] }
  /** A layer of a sweep: every statistic the sweep recorded there. */
  | { kind: 'layer'; layer: number; current: number; values: { name: string; value: number | null }[]; series: { name: string; values: (number | null)[] }[]; layers: number[] }
  /** One attention head: its detector scores, the same head index's scores at every layer, and each text's scores. */
  | {
    kind: 'head'; layer: number; head: number; scores: { name: string; value: number }[];
    series: { name: string; values: number[] }[]; layers: number[]; texts: { text: string; values: number[] }[];
  }
  /** A cell of the logit lens: one token's probabilities at every layer (series), and the numbers at the clicked layer. */
  | { kind: 'lensCell'; token: string; position: number; layer: number; values: { name: string; value: number | null }[]; series: { name: string; values: (number | null)[] }[]; layers: number[] };

/** A chart card of a panel, pinned to the Pinned Charts view: enough to draw it again there. */
export interface PinnedChart {
  /** Unique among pins: the panel's id and the card's key. */
  id: string;
  panelTitle: string;
  card: string;
  title: string;
  /** A chart function's name in webview/charts/registry.ts. */
  chart: string;
  data: unknown;
  options: unknown;
}

export type ToSideView =
  | { type: 'inspect'; data: InspectorData }
  | { type: 'pins'; pins: PinnedChart[] }
  /** The answer to one of the view's requests (inspectorRequests). */
  | ReplyMessage;

/** What the Inspector view may ask its host (protocol/ipc.ts carries them); answered in extension/views/inspector.ts. */
export const inspectorRequests = Object.freeze({
  /**
   * Run the model for the inspected pair's similarity at every layer. Answered when the run has
   * ended; the layers themselves arrive as the next `inspect`.
   */
  pairLayers: ipcRequest<void, void>('pairLayers'),
});

/** The Pinned Charts view asks nothing of its host; it only posts. */
export const pinnedRequests = Object.freeze({});

export type FromSideView =
  | { type: 'ready' }
  | { type: 'unpin'; id: string }
  /** Reveals the panel a pin or the inspected selection came from. */
  | { type: 'open'; id?: string }
  | { type: 'copy'; text: string }
  /** One of inspectorRequests; the host answers with a `reply`. */
  | RequestMessage
  | { type: 'export'; format: 'svg' | 'png' | 'csv'; name: string; content: string; encoding: 'utf8' | 'base64' };

/** Messages from a side view are untrusted too: the shape is checked before the host acts. */
export function isFromSideView(value: unknown): value is FromSideView {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready': return true;
    case 'request': return isRequestMessage(m);
    case 'unpin': return typeof m.id === 'string';
    case 'open': return m.id === undefined || typeof m.id === 'string';
    case 'copy': return typeof m.text === 'string' && m.text.length <= 5_000_000;
    case 'export':
      return (m.format === 'svg' || m.format === 'png' || m.format === 'csv') && typeof m.name === 'string' && typeof m.content === 'string' &&
        (m.encoding === 'utf8' || m.encoding === 'base64');
    default: return false;
  }
}

export function isFocus(value: unknown): value is Focus {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  const whole = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= -1;
  switch (f.kind) {
    case 'neuron': return whole(f.neuron);
    case 'cluster': return typeof f.map === 'string' && f.map.length <= 40 && whole(f.label);
    case 'layer': return whole(f.layer);
    case 'token': return whole(f.index);
    case 'head': return whole(f.layer) && whole(f.head);
    default: return false;
  }
}
