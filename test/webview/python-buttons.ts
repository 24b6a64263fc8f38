// The Copy as Python check that every panel test makes: each exportable card has exactly one
// Python button, and the last card's button posts a script that prints its numbers.
import assert from 'node:assert/strict';
import type { WebviewPage } from '../helpers/chromium';

export async function assertPythonButtons(panel: WebviewPage, minCards = 5): Promise<void> {
  const cards = await panel.page.locator('[data-export-name]').evaluateAll((els) => els.map((e) => ({
    name: e.getAttribute('data-export-name'), python: e.querySelectorAll('.ml-card-actions button[data-export="python"]').length,
  })));
  assert.ok(cards.length >= minCards, `${cards.length} exportable cards`);
  for (const c of cards) assert.equal(c.python, 1, `card ${c.name} has one Python button`);
  const name = cards[cards.length - 1].name;
  await panel.page.locator(`[data-export-name="${name}"] button[data-export="python"]`).click();
  const last = (await panel.posted()).at(-1);
  assert.ok(last?.type === 'export' && last.format === 'python' && last.name === `${name}.py`);
  assert.match(last.content, /^# MechLens — /);
  assert.match(last.content, /print\(json\.dumps\(_plain\(numbers\)\)\)/);
}
