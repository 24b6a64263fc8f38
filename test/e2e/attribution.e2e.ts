// Logit attribution in real VS Code on generated checkpoints with the real GPT-2 tokenizer: right-
// click a .txt file of texts → Logit Attribution…, the model typed as a folder, a target that is
// not one token (the input box says so, naming its pieces), then Paris and the contrast London; the
// panel's check sum is compared with the CLI's JSON for the same text. Then a Gemma-2 checkpoint
// (post-norms, final softcap) from a right-clicked .sentences file: the softcap note and the heads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeRandomCheckpoint, writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { runCliJson, sessionForFile } from './harness';

const models: Record<'gpt2' | 'gemma2', string> = { gpt2: '', gemma2: '' };
const TEXTS = ['The Eiffel Tower is in the city of', '# a comment', '', 'When Mary and John went to the store, John gave a drink to'];

const file = sessionForFile('attribution', (workspace) => {
  models.gpt2 = path.join(workspace, 'models', 'tiny-gpt2');
  models.gemma2 = path.join(workspace, 'models', 'tiny-gemma2');
  writeRandomGpt2Checkpoint(models.gpt2, { nLayer: 2, nEmbd: 32, nHead: 4, seed: 3 });
  writeRandomCheckpoint(models.gemma2, { family: 'gemma2', nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, headDim: 16, seed: 4, config: { final_logit_softcapping: 1 } });
  writeFileSync(path.join(workspace, 'samples', 'capitals.txt'), `${TEXTS.join('\n')}\n`);
  return { trust: 'trust' };
});

function runCli(model: string, text: string): { logitDiff: number; components: { name: string; value: number }[]; heads: number[][] } {
  return runCliJson(['attribution', '--model', model, '--text', text, '--target', 'Paris', '--contrast', 'London']);
}

async function answerModelTargetContrast(model: string): Promise<void> {
  const { session } = file;
  await session.pickQuickItem('Logit Attribution — model', /Enter a Hugging Face id or a folder path/);
  await session.answerInputBox('Logit Attribution — model', model);
  await session.answerInputBox('Logit Attribution — target', 'Paris');
  await session.answerInputBox('Logit Attribution — contrast', 'London');
}

test('GPT-2: right-click a .txt file → Logit Attribution…; a word of several tokens is refused as typed; the check sum equals the CLI\'s', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu('samples/capitals.txt', 'Logit Attribution…');
    await session.pickQuickItem('Logit Attribution — model', /Enter a Hugging Face id or a folder path/);
    await session.answerInputBox('Logit Attribution — model', models.gpt2);
    // The inline check: the tokenizer of the local folder names the pieces while typing.
    const input = session.page.locator('.quick-input-widget .quick-input-box input');
    await session.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Logit Attribution — target' }).waitFor({ state: 'visible' });
    await input.fill('grapefruitz');
    const message = session.page.locator('.quick-input-widget .quick-input-message');
    await session.page.waitForFunction("/not one token/.test(document.querySelector('.quick-input-widget .quick-input-message')?.textContent ?? '')");
    assert.match(await message.innerText(), /"grapefruitz" is not one token with a leading space: it is \d tokens \(␣/);
    await session.answerInputBox('Logit Attribution — target', 'Paris');
    await session.answerInputBox('Logit Attribution — contrast', 'London');
    const panel = await session.webview('section.ml-card[data-card="heads"] svg');
    const cli = runCli(models.gpt2, TEXTS[0]);
    const shown = Number((await panel.locator('[data-card="check-sum"] [data-stat="logit-diff"]').innerText()).trim());
    assert.ok(Math.abs(shown - cli.logitDiff) <= 1e-5 + 1e-4 * Math.abs(cli.logitDiff), `panel ${shown} vs CLI ${cli.logitDiff}`);
    assert.equal(await panel.locator('vscode-single-select.ml-attribution-text-select vscode-option').count(), 2, 'two texts: the comment and the empty line are skipped');
    assert.equal(await panel.locator('.ml-head-value-map rect.cell').count(), 2 * 4);
    assert.ok(cli.components.some((c) => c.name === 'pos_embed'));
    await session.screenshot('vscode-attribution.png');
    await session.closeAllEditors();
  });
});

test('Gemma-2: right-click a .sentences file; the panel says the attribution is to the logit before the softcap', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu('samples/him-her.sentences', 'Logit Attribution…');
    await answerModelTargetContrast(models.gemma2);
    const panel = await session.webview('section.ml-card[data-card="heads"] svg');
    assert.match(await panel.locator('.ml-warnings').innerText(), /attribution is to the logit before the softcap/);
    const first = ((await panel.locator('vscode-single-select.ml-attribution-text-select vscode-option').first().textContent()) ?? '').trim().replace(/^1\. /, '');
    assert.doesNotMatch(first, /[{}]/, 'the {target} braces are removed');
    const cli = runCli(models.gemma2, first);
    const shown = Number((await panel.locator('[data-card="check-sum"] [data-stat="logit-diff"]').innerText()).trim());
    assert.ok(Math.abs(shown - cli.logitDiff) <= 1e-5 + 1e-4 * Math.abs(cli.logitDiff), `panel ${shown} vs CLI ${cli.logitDiff}`);
    assert.equal(cli.components.some((c) => c.name === 'pos_embed'), false, 'no pos_embed for a rotary model');
    await session.screenshot('vscode-attribution-gemma2.png');
  });
});
