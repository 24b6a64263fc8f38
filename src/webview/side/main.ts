// The side views' page (Inspector and Pinned Charts share it): says `ready`, then draws what the
// host sends: the Inspector's selection (`inspect`) or the pinned chart cards (`pins`), each pin
// drawn by the same chart function as in its panel, from the same data.
import type { FromSideView, PinnedChart, ToSideView } from '../../protocol/side-view';
import { RequestClient } from '../../protocol/ipc';
import type { Chart } from '../charts/common';
import { pinnableCharts } from '../charts/registry';
import { el } from '../panels/cards';
import { actionButton, renderInspector } from './inspector-view';

interface VsCodeApi { postMessage(message: FromSideView): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const host = { post: (m: FromSideView) => vscode.postMessage(m), requests: new RequestClient((m) => vscode.postMessage(m)) };
const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
app.classList.add('ml-app', 'ml-side');
let destroy: () => void = () => undefined;

function renderPins(pins: PinnedChart[]): () => void {
  app.replaceChildren();
  const charts: Chart<never, never>[] = [];
  if (!pins.length) {
    app.appendChild(el('p', 'ml-note', 'No pinned charts. Use the Pin button on a chart card of a MechLens panel to keep that chart here while you edit.'));
    return () => undefined;
  }
  for (const pin of pins) {
    const card = el('section', 'ml-card ml-pinned');
    card.setAttribute('data-pin-id', pin.id);
    const head = el('div', 'ml-card-header');
    head.appendChild(el('div', 'ml-card-title', pin.title));
    const actions = el('div', 'ml-card-actions');
    actions.append(
      actionButton('open', 'Panel', 'go-to-file', `Show the panel "${pin.panelTitle}"`, () => host.post({ type: 'open', id: pin.id })),
      actionButton('unpin', 'Unpin', 'pinned', 'Remove this chart from the side panel', () => host.post({ type: 'unpin', id: pin.id })),
    );
    head.appendChild(actions);
    const body = el('div', 'ml-card-body');
    card.append(head, el('div', 'ml-card-subtitle', pin.panelTitle), body);
    app.appendChild(card);
    const draw = pinnableCharts[pin.chart];
    if (!draw) {
      body.appendChild(el('p', 'ml-note', `This view cannot draw a "${pin.chart}" chart; open the panel instead.`));
      continue;
    }
    try {
      charts.push(draw(body, pin.data as never, pin.options as never));
    } catch (err) {
      body.appendChild(el('p', 'ml-note', `The pinned chart could not be drawn (${String(err)}); open the panel instead.`));
    }
  }
  app.setAttribute('data-rendered', 'true');
  return () => { for (const c of charts) c.destroy(); };
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as ToSideView | undefined;
  if (typeof m !== 'object' || m === null) return;
  if (m.type === 'inspect') {
    destroy();
    destroy = renderInspector(app, m.data, host);
  } else if (m.type === 'pins' && Array.isArray(m.pins)) {
    destroy();
    destroy = renderPins(m.pins);
  } else if (m.type === 'reply') {
    host.requests.handleReply(m);
  }
});
vscode.postMessage({ type: 'ready' });
