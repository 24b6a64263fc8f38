// Pinning a panel's chart card to the Pinned Charts side view. A card's pin button posts the chart's
// name and data (charts/spec.ts); the host keeps the pins and tells the panel which of its cards are
// pinned (`pinned`), so the buttons show it, and so a pinned card posts its data again whenever its
// chart is redrawn with other data (a new result, another neuron picked): the side view stays current.
import type { FromWebview } from '../protocol/messages';
import type { Chart } from './charts/common';
import { chartSpec, onChartUpdate, plainSpec } from './charts/spec';

interface Poster { post(message: FromWebview): void }
interface PinnableCard { title: string; chart: () => Chart<never, never> | undefined; host: Poster; button: HTMLButtonElement }

const cards = new Map<string, PinnableCard>();
let pinned = new Set<string>();

function pinMessage(key: string, card: PinnableCard): FromWebview | undefined {
  const spec = chartSpec(card.chart());
  const plain = spec && plainSpec(spec);
  return plain && { type: 'pin', card: key, title: card.title, chart: plain.chart, data: plain.data, options: plain.options };
}

function showState(key: string, card: PinnableCard): void {
  const on = pinned.has(key);
  card.button.setAttribute('aria-pressed', String(on));
  card.button.title = on ? `Unpin ${card.title} from the side panel` : `Show ${card.title} in the side panel (stays visible while you edit)`;
  card.button.querySelector('.codicon')?.setAttribute('class', `codicon codicon-${on ? 'pinned' : 'pin'}`);
  if (card.button.lastChild) card.button.lastChild.textContent = on ? 'Pinned' : 'Pin';
}

/** The pin toggle of a card; `key` names the card within its panel (its export name). */
export function pinButton(key: string, title: string, chart: () => Chart<never, never> | undefined, host: Poster): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'ml-icon-button ml-pin-button';
  button.setAttribute('data-pin', key);
  const glyph = document.createElement('span');
  // showState finds the glyph by this class to swap pin and pinned: without it no icon was ever drawn.
  glyph.className = 'codicon codicon-pin';
  glyph.setAttribute('aria-hidden', 'true');
  button.append(glyph, document.createTextNode('Pin'));
  const card: PinnableCard = { title, chart, host, button };
  cards.set(key, card);
  showState(key, card);
  button.addEventListener('click', () => {
    if (pinned.has(key)) {
      host.post({ type: 'unpin', card: key });
      return;
    }
    const message = pinMessage(key, card);
    if (message) host.post(message);
    else button.title = 'This chart holds too much data to pin (more than 2 million numbers), or has not been drawn yet.';
  });
  return button;
}

/** The host's list of this panel's pinned cards. */
export function setPinnedCards(keys: string[]): void {
  pinned = new Set(keys);
  for (const [key, card] of cards) showState(key, card);
}

/** After a page is drawn: pinned cards send their (new) data, so the side view shows the current result. */
export function repostPinned(): void {
  for (const key of pinned) {
    const card = cards.get(key);
    const message = card && pinMessage(key, card);
    if (card && message) card.host.post(message);
  }
}

/** A page is gone: its cards can no longer be pinned or updated. */
export function forgetPinnableCards(): void {
  cards.clear();
}

// A pinned card's chart drawn with other data: post it again, once per frame at most.
const dirty = new Set<string>();
let frame = 0;
onChartUpdate((chart) => {
  for (const [key, card] of cards) if (pinned.has(key) && card.chart() === chart) dirty.add(key);
  if (!dirty.size || frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    for (const key of dirty) {
      const card = cards.get(key);
      const message = card && pinMessage(key, card);
      if (card && message) card.host.post(message);
    }
    dirty.clear();
  });
});
