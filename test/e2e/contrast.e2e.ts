// Job 5 in real VS Code on a generated checkpoint: right-click the sample sentence set →
// Contrast Sentence Groups…, answer model / hook / test / correction, and check the panel
// against the CLI's result for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { runCliJson, sessionForFile } from './harness';

const sentences = 'samples/him-her.sentences';
const hook = 'blocks.1.mlp.hook_pre';
let modelDir: string;

const file = sessionForFile('contrast', (workspace) => {
  modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  // The real GPT-2 tokenizer with random weights: 2 layers, 32 dims, 128 MLP neurons.
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 3 });
  return { trust: 'trust', settings: { 'mechlens.contrast.defaultModel': modelDir } };
});

function runCli(): { significant: number[]; t: number[] } {
  return runCliJson(['contrast', '--sentences', path.join(file.workspace, sentences), '--model', modelDir, '--hook', hook,
    '--test', 'student', '--correction', 'bonferroni']);
}

test('Contrast Sentence Groups… on a generated checkpoint shows the CLI\'s significant neurons', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu(sentences, 'Contrast Sentence Groups…');
    await session.acceptQuickPick('Contrast — model');
    await session.pickQuickItem('Contrast — hook point', new RegExp(`^${hook.replace(/\./g, '\\.')}$`), hook);
    await session.acceptQuickPick('Contrast — t-test');
    await session.acceptQuickPick('Contrast — multiple-comparison correction');
    const panel = await session.webview('section.ml-card[data-card="t-plot"] svg');
    const cli = runCli();
    const shown = (await panel.locator('section.ml-card[data-card="t-plot"] [data-stat="significant"]').innerText()).trim();
    assert.equal(shown, `${cli.significant.length} / ${cli.t.length}`, `panel shows ${shown}`);
    assert.equal(cli.t.length, 128, 'blocks.1.mlp.hook_pre of a 32-d model has 128 neurons');
    await session.screenshot('vscode-contrast.png');
  });
});

// Job 4 (attention) has its own file: test/e2e/attention.e2e.ts.
