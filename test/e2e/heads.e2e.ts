// The heads job in real VS Code. GPT-2 (random weights, the real tokenizer): right-click a .sentences
// file → Attention Heads…, accept the model, and check the panel against the CLI on the same texts
// (braces stripped, one text per line): the three score maps, the top heads, the tokens of the head
// picked, and the token hover. A Llama-style checkpoint (grouped-query attention, a BOS its tokenizer
// adds): the palette's repeat-random probe with N and seed, the model entered as a folder; the panel's
// tokens and scores equal the CLI's probe. Screenshots: vscode-heads.png, vscode-heads-llama.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeRandomCheckpoint, writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import type { HeadsResult } from '../../src/protocol/result';
import { runCliJson, sessionForFile, type VsCodeSession } from './harness';

const textsFile = 'texts/names.sentences';
const texts = ['When Mary and John went to the store, John gave a drink to {Mary}', 'The cat sat on the mat and the cat slept'];
let gpt2: string;
let llama: string;

const file = sessionForFile('heads', (workspace) => {
  gpt2 = path.join(workspace, 'models', 'tiny-gpt2');
  llama = path.join(workspace, 'models', 'tiny-llama');
  writeRandomGpt2Checkpoint(gpt2, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 3 });
  writeRandomCheckpoint(llama, { family: 'llama', nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, seed: 4 });
  mkdirSync(path.join(workspace, 'texts'));
  writeFileSync(path.join(workspace, textsFile), `# two texts with repeated names\n[names]\n${texts.join('\n')}\n\n`);
  return { trust: 'trust', settings: { 'mechlens.contrast.defaultModel': gpt2 } };
});

function runCli(args: string[]): HeadsResult {
  return runCliJson<HeadsResult>(['heads', ...args]);
}

type Frame = Awaited<ReturnType<VsCodeSession['webview']>>;

/** Each map's cells carry their head; the stat row names the top head per detector as the CLI's scores say. */
async function assertPanelMatches(panel: Frame, cli: HeadsResult): Promise<void> {
  for (const d of ['previousToken', 'duplicateToken', 'induction'] as const) {
    assert.equal(await panel.locator(`[data-card="scores-${d}"] rect[data-head]`).count(), cli.nLayer * cli.nHead, d);
    let top = { l: 0, h: 0, v: -Infinity };
    cli.scores[d].forEach((row, l) => row.forEach((v, h) => { if (v > top.v) top = { l, h, v }; }));
    const shown = (await panel.locator('.ml-stats').first().locator(`[data-stat="${d}"]`).innerText()).trim();
    assert.equal(shown, `L${top.l}H${top.h} ${top.v.toFixed(3)}`, `top ${d} head`);
  }
  assert.equal(await panel.locator('[data-card="head-grid"] g[data-head]').count(), cli.nLayer * cli.nHead);
}

test('right-click a .sentences file → Attention Heads…: the maps and top heads equal the CLI\'s on the same texts; a head opens with its tokens', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.closeAllEditors();
    await session.explorerContextMenu(textsFile, 'Attention Heads…');
    await session.acceptQuickPick('Attention Heads — model');
    const panel = await session.webview('.ml-heads[data-rendered] [data-card="head-grid"]');
    const cli = runCli(['--model', gpt2, ...texts.flatMap((x) => ['--text', x.replace(/[{}]/g, '')])]);
    assert.equal(cli.texts.length, 2);
    await assertPanelMatches(panel, cli);
    assert.match(await panel.locator('header.ml-header').innerText(), /2 texts, \d+ tokens/);

    await panel.locator('[data-card="scores-induction"] rect[data-head="L1H1"]').click();
    const detail = panel.locator('[data-card="head-pattern"]');
    const tokens = cli.texts[0].tokens.map((x) => x.token);
    assert.deepEqual((await detail.locator('.ml-token-chip').allTextContents()), tokens);
    const last = tokens.length - 1;
    await detail.locator(`.ml-token-chip[data-token="${last}"]`).hover();
    const title = await detail.locator('.ml-token-chip[data-token="0"]').getAttribute('title');
    assert.ok(title?.startsWith(`${tokens[last]} → ${tokens[0]}: `), `chip title: ${title}`);
    await session.screenshot('vscode-heads.png');
  });
});

test('palette → Attention Heads… → repeated random tokens on a Llama-style checkpoint (GQA, BOS): the panel\'s probe equals the CLI\'s', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.closeAllEditors();
    await session.runCommand('MechLens: Attention Heads…');
    await session.pickQuickItem('Attention Heads — input', /Repeated random tokens/);
    await session.answerInputBox('Attention Heads — random tokens', '12');
    await session.answerInputBox('Attention Heads — seed', '2');
    await session.pickQuickItem('Attention Heads — model', /Enter a Hugging Face id or a folder path/);
    await session.answerInputBox('Attention Heads — model', llama);
    const panel = await session.webview('.ml-heads[data-rendered] [data-card="head-grid"]');
    const cli = runCli(['--model', llama, '--repeat-random', '12', '--seed', '2']);
    assert.equal(cli.texts[0].tokens[0].token, '<|begin_of_text|>');
    assert.equal(cli.texts[0].tokens.length, 25);
    await assertPanelMatches(panel, cli);
    assert.match(await panel.locator('header.ml-header').innerText(), /12 random tokens, repeated \(seed 2\), after <\|begin_of_text\|>/);
    await panel.locator('[data-card="scores-induction"] rect[data-head="L1H3"]').click();
    assert.deepEqual(await panel.locator('[data-card="head-pattern"] .ml-token-chip').allTextContents(), cli.texts[0].tokens.map((x) => x.token));
    await session.screenshot('vscode-heads-llama.png');
  });
});
