// Job 3 in real VS Code: right-click a generated word2vec-format file → Match Vocabularies…, answer
// model B (a generated GPT-2 checkpoint with the real tokenizer), L, leading space and K with the
// notebook's defaults, and check the panel against the CLI's result for the same inputs: the title,
// the table rows, the heatmap cells, the RSA value, a tooltip; then run it again from the panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MatchResult } from '../../src/protocol/result';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { writeMatchVectors } from '../helpers/match-vocabulary';
import { assertShownValue, LONG, runCliJson, sessionForFile } from './harness';

const vectorFile = 'vectors/word2vec-small.txt';
let vectorPath: string;
let modelDir: string;
let cli: MatchResult;

const file = sessionForFile('match', (workspace) => {
  writeMatchVectors(path.join(workspace, 'vectors'));
  vectorPath = path.join(workspace, vectorFile);
  modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 5 });
  cli = runCli(6, 100);
  return { trust: 'trust', settings: { 'mechlens.permutations': 1000, 'mechlens.seed': 0 } };
});

function runCli(length: number, count: number): MatchResult {
  return runCliJson<MatchResult>(['match', '--a', `vectors:${vectorPath}`, '--b', `model:${modelDir}#embed`,
    '--length', String(length), '--count', String(count), '--permutations', '1000', '--seed', '0', '--no-map']);
}

test('Match Vocabularies… on a word2vec file shows the CLI\'s matches, heatmaps and RSA', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu(vectorFile, 'Match Vocabularies…');
    await session.pickQuickItem('Match Vocabularies — model B', /Enter a Hugging Face id/, 'Enter a Hugging Face id');
    await session.answerInputBox('Match Vocabularies — model B', modelDir);
    assert.equal(await session.acceptInputBox('word length'), '6');
    await session.acceptQuickPick('leading space');
    assert.equal(await session.acceptInputBox('number of words'), '100');

    await session.tab(/word2vec-small\.txt ∩ tiny-gpt2|single tokens in tiny-gpt2/).waitFor({ state: 'visible', timeout: LONG });
    const panel = await session.webview('section.ml-card[data-space="b"] svg.ml-heatmap-svg');
    assert.equal((await panel.locator('.ml-header h1').innerText()).trim(), cli.title);
    assert.equal(cli.matches.length, 100);

    const column = async (key: string) => (await panel.locator(`.ml-match-table tbody td[data-column="${key}"]`).allTextContents()).map((s) => s.trim());
    assert.deepEqual(await column('word'), cli.matches.map((m) => m.word));
    assert.deepEqual(await column('indexA'), cli.matches.map((m) => String(m.indexA)));
    assert.deepEqual(await column('tokenIdB'), cli.matches.map((m) => String(m.tokenIdB)));
    assert.deepEqual(await column('token'), cli.matches.map((m) => `␣${m.word}`));

    const n = cli.compare!.items.length;
    for (const space of ['a', 'b'] as const) {
      assert.equal(await panel.locator(`section.ml-card[data-space="${space}"] svg.ml-heatmap-svg rect.cell`).count(), n * n, `heatmap ${space} cells`);
      const ticks = (await panel.locator(`section.ml-card[data-space="${space}"] .y-ticks text.tick-label`).allTextContents()).map((s) => s.trim());
      assert.ok(ticks.length < n, 'every n-th tick label only');
      assert.equal(ticks[0], cli.compare!.items[0]);
    }
    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    assertShownValue(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa!.pearson, 'RSA Pearson r');
    assertShownValue(await rsa.locator('[data-stat="cosine"]').innerText(), cli.rsa!.cosine, 'RSA S_c');
    assert.equal((await rsa.locator('[data-stat="n"]').innerText()).trim(), String((n * (n - 1)) / 2));
    await session.screenshot('match-vscode.png');
  });
});

test('hovering a heatmap cell shows both words and both similarities; hovering a row marks its cell', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const panel = await session.webview('section.ml-card[data-space="a"] svg.ml-heatmap-svg');
    const items = cli.compare!.items;
    const overlay = panel.locator('section.ml-card[data-space="a"] rect.overlay');
    await overlay.scrollIntoViewIfNeeded();
    const box = await overlay.boundingBox();
    assert.ok(box, 'heatmap overlay has no box');
    const cell = box.width / items.length;
    await overlay.hover({ position: { x: (10 + 0.5) * cell, y: (2 + 0.5) * cell } });
    const tooltip = panel.locator('.ml-tooltip:not([hidden])');
    await tooltip.waitFor({ state: 'visible' });
    assert.equal((await tooltip.locator('.ml-tooltip-title').innerText()).trim(), `${items[2]} × ${items[10]}`);
    const text = (await tooltip.innerText()).replace(/\u2212/g, '-');
    const a = cli.compare!.a.similarity[2][10];
    assert.match(text, new RegExp(`^A: word2vec-small\\.txt: ${a.toFixed(3).replace('-', '-?')}$`, 'm'), text);
    assert.match(text, /^B: tiny-gpt2#embed: -?\d\.\d+$/m, text);
    assert.doesNotMatch(text, /within|\(none\)/, `matched words have no categories: ${text}`);
    await session.screenshot('match-vscode-hover.png');
    await panel.locator('.ml-match-table tr[data-index="4"]').hover();
    assert.equal(await panel.locator('section.ml-card[data-space="b"] rect.hover-cell').count(), 1);
  });
});

test('Run again from the panel with K = 30 shows the CLI\'s result for K = 30 in the same tab', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const panel = await session.webview('.ml-match[data-rendered="true"]');
    await panel.locator('[data-param="count"] input').fill('30');
    await panel.locator('.ml-rerun-run').click();
    const expected = runCli(6, 30);
    const frame = await session.webview('.ml-match[data-rendered="true"]');
    await frame.locator('.ml-header h1', { hasText: expected.title }).waitFor({ timeout: LONG });
    assert.equal(await frame.locator('.ml-match-table tbody tr').count(), 30);
    assert.equal(await frame.locator('section.ml-card[data-space="a"] rect.cell').count(), 30 * 30);
    assertShownValue(await frame.locator('section.ml-card[data-card="rsa"] [data-stat="pearson"]').innerText(), expected.rsa!.pearson, 're-run RSA Pearson r');
  });
});

test('Save run writes a .mechlens.json that reopens from the explorer as the same match panel, without Run again', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    const panel = await session.webview('.ml-match[data-rendered="true"]');
    const savedPath = await session.saveRunFromPanel(panel);
    const saved = JSON.parse(readFileSync(savedPath, 'utf8')) as MatchResult;
    assert.equal(saved.job, 'match');
    assert.equal(saved.matches.length, 30);

    await session.closeAllEditors();
    const row = await session.explorerItem(path.relative(workspace, savedPath));
    await row.dblclick();
    const reopened = await session.webview('section.ml-card[data-space="a"] svg.ml-heatmap-svg');
    assert.equal(await reopened.locator('.ml-match-table tbody tr').count(), 30);
    assertShownValue(await reopened.locator('section.ml-card[data-card="rsa"] [data-stat="pearson"]').innerText(), saved.rsa!.pearson, 'reopened RSA Pearson r');
    assert.equal(await reopened.locator('.ml-rerun-run').evaluate((e) => (e as unknown as { disabled: boolean }).disabled), true, 'a saved run cannot run again');
  });
});
