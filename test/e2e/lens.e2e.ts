// The logit lens in real VS Code on generated checkpoints with the real GPT-2 tokenizer: a right-
// clicked .sentences file (a header, a comment and {target} braces that are not texts) on GPT-2 with
// a target word, and "Logit Lens on Selection" on a Llama 3-style model (GQA, <|begin_of_text|>).
// Each panel is checked against the CLI's JSON for the same texts: the title, one cell per (layer,
// token) showing the top token, the target row's ranks, and a hover tooltip listing the top k.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { LensResult } from '../../src/protocol/lens';
import { writeRandomCheckpoint, writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { runCliJson, sessionForFile } from './harness';

let gpt2: string;
let llama: string;
const sentences = ['The Eiffel Tower is in the city of', 'I saw {him} at the station'];
const plain = ['The Eiffel Tower is in the city of', 'I saw him at the station'];

const file = sessionForFile('lens', (workspace) => {
  gpt2 = path.join(workspace, 'models', 'tiny-gpt2');
  llama = path.join(workspace, 'models', 'tiny-llama');
  writeRandomGpt2Checkpoint(gpt2, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 3 });
  writeRandomCheckpoint(llama, { family: 'llama', nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, seed: 4 });
  writeFileSync(path.join(workspace, 'probe.sentences'), `# two probes\n[places]\n${sentences[0]}\n\n[people]\n${sentences[1]}\n`);
  writeFileSync(path.join(workspace, 'probe.txt'), `${plain.join('\n')}\n`);
  return { trust: 'trust' };
});

function runCli(model: string, texts: string[], target?: string): LensResult {
  return runCliJson<LensResult>(['lens', '--model', model, ...texts.flatMap((t) => ['--text', t]), ...(target ? ['--target', target] : [])]);
}

const show = (s: string) => s.replace(/ /g, '␣').replace(/\n/g, '⏎');
/** As the panel writes a probability (webview/panels/lens.ts formatProb). */
const prob = (p: number) => (p >= 0.001 || p === 0 ? p.toFixed(4) : p.toExponential(2));

async function assertPanelEqualsCli(panel: FrameLocator, cli: LensResult): Promise<void> {
  const { session } = file;
  const text = cli.texts[0];
  assert.equal((await panel.locator('h1').innerText()).trim(), cli.title);
  assert.equal(await panel.locator('.ml-lens-grid g.cell').count(), cli.nLayer * text.tokens.length, 'one cell per layer and token');
  const heads = await panel.locator('.ml-lens-grid .token-heads text').allTextContents();
  assert.equal(heads.length, text.tokens.length);
  heads.forEach((h, i) => assert.ok(show(text.tokens[i].token).startsWith(h.replace(/…$/, '')), `token ${i}: "${h}"`));
  for (let l = 0; l < cli.nLayer; l++) {
    const last = text.tokens.length - 1;
    const label = (await panel.locator(`.ml-lens-grid g.cell[data-layer="${l}"][data-position="${last}"] text`).textContent()) ?? '';
    assert.ok(show(text.layers[l].positions[last].top[0].token).startsWith(label.replace(/…$/, '')), `layer ${l}: "${label}"`);
  }
  if (cli.target) {
    const ranks = await panel.locator('.ml-lens-grid .target-cell text:nth-of-type(2)').allTextContents();
    assert.deepEqual(ranks, text.layers.map((layer) => String(layer.positions[text.tokens.length - 1].target!.rank)));
  }
  const cell = panel.locator('.ml-lens-grid g.cell[data-layer="1"][data-position="1"] rect');
  await cell.scrollIntoViewIfNeeded();
  const box = await cell.boundingBox();
  assert.ok(box, 'the cell is on screen');
  await session.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = await panel.locator('.ml-tooltip:not([hidden])').innerText();
  for (const c of text.layers[1].positions[1].top) assert.ok(tip.includes(`${show(c.token)}  ${prob(c.prob)}`), `${c.token} in ${tip}`);
}

test('right-click a .sentences file → Logit Lens… on GPT-2 with a target: the panel equals the CLI', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu('probe.sentences', 'Logit Lens…');
    await session.pickQuickItem('Logit Lens — model', /Enter a Hugging Face id or a folder path/);
    await session.answerInputBox('Logit Lens — model', gpt2);
    await session.answerInputBox('Logit Lens — target word', 'Paris');
    const panel = await session.webview('.ml-lens[data-rendered="true"] .ml-lens-grid g.cell');
    await panel.locator('.ml-lens-grid .target-cell').first().waitFor();
    const cli = runCli(gpt2, plain, 'Paris');
    assert.equal(await panel.locator('vscode-single-select[data-control="text"] vscode-option').count(), 2, 'two texts: the header, comment and blank lines are not texts');
    await assertPanelEqualsCli(panel, cli);
    await session.screenshot('vscode-lens.png');
    await session.closeAllEditors();
  });
});

test('Logit Lens on Selection on a Llama-style model: BOS added, the panel equals the CLI', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await (await session.explorerItem('probe.txt')).dblclick();
    await session.page.locator('.monaco-editor .view-lines').first().click();
    await session.page.keyboard.press('Control+Home');
    await session.page.keyboard.press('Shift+End');
    await session.runCommand('MechLens: Logit Lens on Selection');
    await session.pickQuickItem('Logit Lens — model', /Enter a Hugging Face id or a folder path/);
    await session.answerInputBox('Logit Lens — model', llama);
    await session.answerInputBox('Logit Lens — target word', '');
    const panel = await session.webview('.ml-lens[data-rendered="true"] .ml-lens-grid g.cell');
    const cli = runCli(llama, [plain[0]]);
    assert.equal(cli.texts[0].tokens[0].token, '<|begin_of_text|>');
    assert.equal(await panel.locator('vscode-single-select[data-control="text"]').count(), 0, 'one selected line: one text, no selector');
    await assertPanelEqualsCli(panel, cli);
    await session.screenshot('vscode-lens-llama.png');
  });
});
