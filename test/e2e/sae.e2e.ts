// SAE features in real VS Code: right-click a .txt file → SAE Features…, enter a generated checkpoint
// and the end-to-end SAELens SAE (test/fixtures/sae/e2e/sae), keep the SAE's hook, and check the
// panel's chips against the CLI's result for the same inputs; then hover a chip and take the screenshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SaeResult } from '../../src/protocol/result';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { SAE_FIXTURE_CHECKPOINT } from '../fixtures/sae/dump-activations';
import { repoRoot, runCliJson, sessionForFile } from './harness';

const texts = ['The cat sat on the mat.', 'I saw her at the market'];
let modelDir: string;
let saeDir: string;

const file = sessionForFile('sae', (workspace) => {
  modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  writeRandomGpt2Checkpoint(modelDir, SAE_FIXTURE_CHECKPOINT);
  saeDir = path.join(workspace, 'saes', 'resid-pre-1');
  cpSync(path.join(repoRoot, 'test/fixtures/sae/e2e/sae'), saeDir, { recursive: true });
  writeFileSync(path.join(workspace, 'texts.txt'), `${texts.join('\n')}\n`);
  return { trust: 'trust' };
});

function runCli(): SaeResult {
  return runCliJson<SaeResult>(['sae', '--model', modelDir, '--sae', saeDir, ...texts.flatMap((t) => ['--text', t])]);
}

test('SAE Features… on a .txt file shows the CLI\'s top features under every token', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.explorerContextMenu('texts.txt', 'SAE Features…');
    await session.pickQuickItem('SAE Features — model', /Enter a Hugging Face id or a folder path/);
    await session.answerInputBox('SAE Features — model', modelDir);
    await session.pickQuickItem('SAE Features — SAE', /Enter an SAE spec/);
    await session.answerInputBox('SAE Features — SAE spec', saeDir);
    await session.acceptQuickPick('SAE Features — hook');
    const panel = await session.webview('.ml-sae-token');
    const cli = runCli();
    assert.equal(await panel.locator('.ml-sae-token').count(), cli.texts.reduce((n, x) => n + x.tokens.length, 0));
    for (const [ti, text] of cli.texts.entries()) {
      for (const [i, position] of text.positions.entries()) {
        const shown = await panel.locator(`.ml-sae-token[data-token="${ti}:${i}"] .ml-sae-chip`).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-feature'))));
        assert.deepEqual(shown, position.top.map((x) => x.feature), `text ${ti} token ${i}`);
      }
    }
    const feature = cli.texts[0].positions[2].top[0].feature;
    await panel.locator(`.ml-sae-token[data-token="0:2"] .ml-sae-chip[data-feature="${feature}"]`).hover();
    await panel.locator('[data-hover-feature]').waitFor();
    await session.screenshot('vscode-sae.png');
  });
});
