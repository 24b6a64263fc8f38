// The original jobs in real VS Code on families other than GPT-2, each on a random checkpoint written
// in the hub's layout and tensor names (config.json, model.safetensors, tokenizer.json): Contrast
// Sentence Groups on a Pythia-style gpt_neox model (fused QKV, partial rotary, parallel residual) and
// Compare Attention Q/K on a Llama 3-style model (grouped-query attention, a BOS its tokenizer adds).
// Both models are entered as folders at the model prompt, and each panel is checked against the CLI's
// JSON for the same inputs. Screenshots: vscode-contrast-pythia.png, vscode-attention-llama.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeRandomCheckpoint } from '../../src/core/models/random-checkpoint';
import type { AttentionResult, ContrastResult } from '../../src/protocol/result';
import { assertShownP, assertShownValue, LONG, runCliJson, sessionForFile } from './harness';
import { assertAttentionPanelIsCli } from './attention-checks';

const sentences = 'samples/him-her.sentences';
const wordList = 'samples/space-furniture-fruit.words';
const hook = 'blocks.1.mlp.hook_pre';
let pythia: string;
let llama: string;

const file = sessionForFile('families', (workspace) => {
  pythia = path.join(workspace, 'models', 'tiny-pythia');
  llama = path.join(workspace, 'models', 'tiny-llama');
  // 2 layers, 32 dims: Pythia's MLP is 4 × 32 = 128 neurons; the Llama has 4 query heads over 2 kv heads.
  writeRandomCheckpoint(pythia, { family: 'gpt_neox', nLayer: 2, nEmbd: 32, nHead: 4, seed: 5 });
  writeRandomCheckpoint(llama, { family: 'llama', nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, seed: 4 });
  return { trust: 'trust' };
}, async (session) => {
  // Activate the extension before the first job: its walkthrough was seen opening on the first
  // activation despite the harness's openOnInstall: false, taking the focus from the model picker.
  const log = await session.waitForLog(/MechLens \S+ activated in/);
  if (/First activation: opening the Get Started/.test(log)) await session.tab(/Walkthrough/).first().waitFor({ state: 'visible', timeout: LONG });
  await session.closeAllEditors();
});

async function enterModel(title: string, folder: string): Promise<void> {
  const { session } = file;
  await session.pickQuickItem(title, /Enter a Hugging Face id or a folder path/);
  await session.answerInputBox(title, folder);
}

test('Contrast Sentence Groups… on a Pythia-style (gpt_neox) checkpoint: title, significant neurons, p threshold and shuffle p equal the CLI\'s', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    await session.closeAllEditors();
    await session.explorerContextMenu(sentences, 'Contrast Sentence Groups…');
    await enterModel('Contrast — model', pythia);
    await session.pickQuickItem('Contrast — hook point', new RegExp(`^${hook.replace(/\./g, '\\.')}$`), hook);
    await session.acceptQuickPick('Contrast — t-test');
    await session.acceptQuickPick('Contrast — multiple-comparison correction');
    const panel = await session.webview('section.ml-card[data-card="t-plot"] svg');
    const cli = runCliJson<ContrastResult>(['contrast', '--sentences', path.join(workspace, sentences), '--model', pythia, '--hook', hook,
      '--test', 'student', '--correction', 'bonferroni']);
    assert.equal(cli.t.length, 128, 'blocks.1.mlp.hook_pre of a 32-d Pythia has 4 × 32 neurons');
    assert.equal(cli.bosAdded ?? false, false, 'Pythia\'s tokenizer adds no BOS');
    assert.equal((await panel.locator('header.ml-header h1').innerText()).trim(), cli.title);
    const stats = panel.locator('section.ml-card[data-card="t-plot"] .ml-stats');
    assert.equal((await stats.locator('[data-stat="significant"]').innerText()).trim(), `${cli.significant.length} / ${cli.t.length}`);
    assertShownP(await stats.locator('[data-stat="threshold"]').innerText(), cli.threshold, 'p threshold');
    assertShownP(await stats.locator('[data-stat="shuffleP"]').innerText(), cli.labelShuffle.pValue, 'label-shuffle p');
    await session.screenshot('vscode-contrast-pythia.png');
  });
});

test('Compare Attention Q/K… on a Llama-style checkpoint (GQA, BOS): title, heatmaps, RSA and every head\'s r equal the CLI\'s', async (t) => {
  await file.onFailure(t, async () => {
    const { session, workspace } = file;
    await session.closeAllEditors();
    await session.explorerContextMenu(wordList, 'Compare Attention Q/K…');
    await enterModel('Attention Q/K — model', llama);
    const template = await session.acceptInputBox('Attention Q/K — prompt template');
    await session.answerInputBox('Attention Q/K — layer', '1');
    await session.pickQuickItem('Attention Q/K — layer sweep', /^Layer 1 only$/);
    await session.acceptQuickPick('Attention Q/K — SAE features');
    const panel = await session.webview('section.ml-card[data-card="rsa"] [data-stat="pearson"]');
    const cli = runCliJson<AttentionResult>(['attention', '--words', path.join(workspace, wordList), '--model', llama, '--template', template, '--layer', '1']);
    assert.equal(cli.bosAdded, true, 'the Llama tokenizer adds <|begin_of_text|>');
    assert.equal(cli.kvHeads?.nKvHead, 2);
    assert.deepEqual(cli.heads.map((h) => h.kvHead), [0, 0, 1, 1], 'query heads 0–1 read kv head 0, 2–3 kv head 1');
    await assertAttentionPanelIsCli(session, panel, cli);
    const cells = panel.locator('[data-card="head-grid"] .ml-head-cell');
    assert.equal(await cells.count(), 4, 'one cell per query head');
    for (const h of cli.heads) {
      const shown = (await cells.nth(h.head).locator('[data-stat="head-rsa"]').innerText()).replace(/^r = /, '');
      assert.ok(h.rsa !== null, `head ${h.head} has no RSA in the CLI`);
      assertShownValue(shown, h.rsa, `head ${h.head} RSA`);
    }

    await panel.locator('header.ml-header').evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await session.screenshot('vscode-attention-llama.png');
  });
});
