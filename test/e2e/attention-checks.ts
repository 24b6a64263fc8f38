// What both attention e2e files (attention.e2e.ts on GPT-2, families.e2e.ts on a Llama) check in
// the Attention Q/K panel against the CLI's JSON for the same inputs.
import assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import type { AttentionResult } from '../../src/protocol/result';
import { assertShownValue, LONG, type VsCodeSession } from './harness';

/**
 * The panel's tab and title, both heatmaps' n × n cells and row labels, RSA Q vs K and its n, and
 * the tooltip of the Q cell of the first and the last word: both words, and the Q and K similarity
 * the CLI has for them.
 */
export async function assertAttentionPanelIsCli(session: VsCodeSession, panel: FrameLocator, cli: AttentionResult): Promise<void> {
  const n = cli.items.length;
  assert.ok(n >= 3, `too few single-token words: ${cli.items.join(', ')}`);
  await session.tab(cli.title).first().waitFor({ state: 'visible', timeout: LONG });
  assert.equal((await panel.locator('header.ml-header h1').innerText()).trim(), cli.title);
  for (const space of ['q', 'k'] as const) {
    const card = panel.locator(`[data-space="${space}"]`);
    assert.equal(await card.locator('svg.ml-heatmap-svg rect.cell').count(), n * n, `${space} heatmap cells`);
    assert.deepEqual((await card.locator('.y-ticks text.tick-label').allTextContents()).map((s) => s.trim()), cli.items, `${space} heatmap row labels`);
  }
  const rsa = panel.locator('section.ml-card[data-card="rsa"]');
  assertShownValue(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa.pearson, 'RSA Q vs K');
  assert.equal((await rsa.locator('[data-stat="n"]').innerText()).trim(), String(cli.rsa.n));

  const overlay = panel.locator('[data-space="q"] rect.overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  assert.ok(box, 'the Q heatmap has no hover layer');
  const [i, j] = [0, n - 1];
  await overlay.hover({ position: { x: ((j + 0.5) * box.width) / n, y: ((i + 0.5) * box.height) / n } });
  const tooltip = panel.locator('.ml-tooltip:not([hidden])');
  await tooltip.waitFor({ state: 'visible' });
  const tip = (await tooltip.innerText()).replace(/\u2212/g, '-');
  assert.ok(tip.startsWith(`${cli.items[i]} × ${cli.items[j]}`), `tooltip: ${tip}`);
  assert.ok(tip.includes(cli.q.similarity[i][j].toFixed(3)), `tooltip lacks Q similarity ${cli.q.similarity[i][j].toFixed(3)}: ${tip}`);
  assert.ok(tip.includes(cli.k.similarity[i][j].toFixed(3)), `tooltip lacks K similarity ${cli.k.similarity[i][j].toFixed(3)}: ${tip}`);
}
