// The pin/unpin message flow between panels, the host's PinBoard and the Pinned Charts view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PinBoard, type PinSource } from '../../../src/extension/views/pin-board';
import type { ToWebview } from '../../../src/protocol/messages';
import { isFromWebview } from '../../../src/protocol/messages';
import type { PinnedChart } from '../../../src/protocol/side-view';
import { isFromSideView } from '../../../src/protocol/side-view';

function panel(id: number, title: string): PinSource & { sent: ToWebview[]; revealed: number } {
  return { id, title, sent: [], revealed: 0, post(m) { this.sent.push(m); }, reveal() { this.revealed++; } };
}
const pinMessage = (card: string, data: unknown) => ({ type: 'pin' as const, card, title: `Card ${card}`, chart: 'histogram', data, options: { height: 200 } });

test('pin, update, unpin from the view or the card, and closing the panel: the view and the panel both hear of it', () => {
  const views: PinnedChart[][] = [];
  const board = new PinBoard((pins) => views.push(pins));
  const a = panel(1, 'Compare A');
  const b = panel(2, 'Contrast');

  board.pin(a, pinMessage('similarity-histogram', { series: [1] }));
  assert.deepEqual(views.at(-1), [{ id: '1/similarity-histogram', panelTitle: 'Compare A', card: 'similarity-histogram', title: 'Card similarity-histogram', chart: 'histogram', data: { series: [1] }, options: { height: 200 } }]);
  assert.deepEqual(a.sent.at(-1), { type: 'pinned', cards: ['similarity-histogram'] });

  // The panel redrew the card with a new result: same pin, new data, no second echo.
  const echoes = a.sent.length;
  board.pin(a, pinMessage('similarity-histogram', { series: [2] }));
  assert.equal(views.at(-1)?.length, 1);
  assert.deepEqual(views.at(-1)?.[0].data, { series: [2] });
  assert.equal(a.sent.length, echoes);

  board.pin(b, pinMessage('neuron', { values: [0.5] }));
  board.pin(a, pinMessage('rsa-scatter', { x: [] }));
  assert.deepEqual(board.list().map((p) => p.id), ['1/similarity-histogram', '2/neuron', '1/rsa-scatter']);
  assert.deepEqual(a.sent.at(-1), { type: 'pinned', cards: ['similarity-histogram', 'rsa-scatter'] });

  // Unpin from the side view: the panel's buttons are told.
  board.unpin('1/similarity-histogram');
  assert.deepEqual(a.sent.at(-1), { type: 'pinned', cards: ['rsa-scatter'] });
  assert.deepEqual(views.at(-1)?.map((p) => p.id), ['2/neuron', '1/rsa-scatter']);
  // Unpin from the card's button.
  board.unpinCard(a, 'rsa-scatter');
  assert.deepEqual(a.sent.at(-1), { type: 'pinned', cards: [] });

  assert.equal(board.reveal('2/neuron'), true);
  assert.equal(b.revealed, 1);
  assert.equal(board.reveal('1/rsa-scatter'), false);

  const count = views.length;
  board.panelClosed(a); // nothing of A's left: the view is not told again
  assert.equal(views.length, count);
  board.panelClosed(b);
  assert.deepEqual(views.at(-1), []);
  board.unpin('2/neuron'); // already gone: no-op
  assert.equal(views.length, count + 1);
});

test('pin, unpin and side-view messages are checked before the host acts on them', () => {
  assert.equal(isFromWebview(pinMessage('x', [1])), true);
  assert.equal(isFromWebview({ type: 'pin', card: 'x', title: 'x', chart: 'histogram' }), false, 'no data');
  assert.equal(isFromWebview({ type: 'pin', card: 7, title: 'x', chart: 'histogram', data: 1 }), false);
  assert.equal(isFromWebview({ type: 'unpin', card: 'x' }), true);
  assert.equal(isFromWebview({ type: 'selection', items: ['n3'], focus: { kind: 'neuron', neuron: 3 } }), true);
  assert.equal(isFromWebview({ type: 'selection', items: [], focus: { kind: 'neuron', neuron: 1.5 } }), false);
  assert.equal(isFromWebview({ type: 'selection', items: [], focus: { kind: 'cluster', map: 'a' } }), false);
  assert.equal(isFromSideView({ type: 'unpin', id: '1/x' }), true);
  assert.equal(isFromSideView({ type: 'unpin' }), false);
  assert.equal(isFromSideView({ type: 'open' }), true);
  assert.equal(isFromSideView({ type: 'export', format: 'npy', name: 'x', content: '', encoding: 'utf8' }), false);
  assert.equal(isFromSideView({ type: 'copy', text: 'a\tb' }), true);
  assert.equal(isFromSideView({ type: 'eval', code: '1' }), false);
  assert.equal(isFromSideView({ type: 'request', id: 1, method: 'pairLayers' }), true);
  assert.equal(isFromSideView({ type: 'request', id: '1', method: 'pairLayers' }), false);
});
