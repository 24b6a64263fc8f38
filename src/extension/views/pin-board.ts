// The pinned chart cards, across panels: kept here in the host, shown by the Pinned Charts view,
// and echoed to each panel (`pinned`) so its pin buttons show which of its cards are pinned and so a
// pinned card sends its data again when it is redrawn. No vscode here: the flow is tested under Node.
import type { FromWebview, ToWebview } from '../../protocol/messages';
import type { PinnedChart } from '../../protocol/side-view';

/** What the board needs of a panel. */
export interface PinSource {
  readonly id: number;
  readonly title: string;
  post(message: ToWebview): void;
  reveal(): void;
}

type PinMessage = Extract<FromWebview, { type: 'pin' }>;

export class PinBoard {
  private readonly pins = new Map<string, { pin: PinnedChart; source: PinSource }>();

  /** `onChange` gets every pin, in the order they were first pinned, after each change. */
  constructor(private readonly onChange: (pins: PinnedChart[]) => void) {}

  list(): PinnedChart[] {
    return [...this.pins.values()].map((p) => p.pin);
  }

  /** Pins a card, or replaces its data when it is pinned already (the panel redrew it). */
  pin(source: PinSource, message: PinMessage): void {
    const id = `${source.id}/${message.card}`;
    const known = this.pins.has(id);
    this.pins.set(id, { source, pin: { id, panelTitle: source.title, card: message.card, title: message.title, chart: message.chart, data: message.data, options: message.options } });
    if (!known) this.echo(source);
    this.onChange(this.list());
  }

  /** Unpins by the side view's pin id. */
  unpin(id: string): void {
    const entry = this.pins.get(id);
    if (!entry) return;
    this.pins.delete(id);
    this.echo(entry.source);
    this.onChange(this.list());
  }

  /** Unpins a card from its panel's pin button. */
  unpinCard(source: PinSource, card: string): void {
    this.unpin(`${source.id}/${card}`);
  }

  /** A closed panel's pins go with it. */
  panelClosed(source: PinSource): void {
    const before = this.pins.size;
    for (const [id, entry] of this.pins) if (entry.source.id === source.id) this.pins.delete(id);
    if (this.pins.size !== before) this.onChange(this.list());
  }

  /** Shows the panel a pin came from; false when the pin is gone. */
  reveal(id: string): boolean {
    const entry = this.pins.get(id);
    entry?.source.reveal();
    return entry !== undefined;
  }

  /** Tells a panel which of its cards are pinned (also after its page was rebuilt). */
  echo(source: PinSource): void {
    source.post({ type: 'pinned', cards: [...this.pins.values()].filter((p) => p.source.id === source.id).map((p) => p.pin.card) });
  }
}
