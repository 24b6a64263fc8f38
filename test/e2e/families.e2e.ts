// The original jobs in real VS Code on families other than GPT-2, each on a random checkpoint written
// in the hub's layout and tensor names (config.json, model.safetensors, tokenizer.json): Contrast
// Sentence Groups on a Pythia-style gpt_neox model (fused QKV, partial rotary, parallel residual) and
// Compare Attention Q/K on a Llama 3-style model (grouped-query attention, a BOS its tokenizer adds).
// Both models are entered as folders at the model prompt, and each panel is checked against the CLI's
// JSON for the same inputs. Screenshots: vscode-contrast-pythia.png, vscode-attention-llama.png.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomCheckpoint } from '../../src/core/models/random-checkpoint';
import type { AttentionResult, ContrastResult } from '../../src/protocol/result';
import { LONG, makeWorkspace, repoRoot, VsCodeSession } from './harness';

const sentences = 'samples/him-her.sentences';
const wordList = 'samples/space-furniture-fruit.words';
const hook = 'blocks.1.mlp.hook_pre';
let session: VsCodeSession;
let workspace: string;
let pythia: string;
let llama: string;

before(async () => {
  workspace = makeWorkspace();
  pythia = path.join(workspace, 'models', 'tiny-pythia');
  llama = path.join(workspace, 'models', 'tiny-llama');
  // 2 layers, 32 dims: Pythia's MLP is 4 × 32 = 128 neurons; the Llama has 4 query heads over 2 kv heads.
  writeRandomCheckpoint(pythia, { family: 'gpt_neox', nLayer: 2, nEmbd: 32, nHead: 4, seed: 5 });
  writeRandomCheckpoint(llama, { family: 'llama', nLayer: 2, nEmbd: 32, nHead: 4, nKvHead: 2, seed: 4 });
  session = await VsCodeSession.start({ workspace, trust: 'trust', name: 'families' });
  // Activate the extension before the first job: its walkthrough was seen opening on the first
  // activation despite the harness's openOnInstall: false, taking the focus from the model picker.
  const log = await session.waitForLog(/MechLens \S+ activated in/);
  if (/First activation: opening the Get Started/.test(log)) await session.tab(/Walkthrough/).first().waitFor({ state: 'visible', timeout: LONG });
  await session.closeAllEditors();
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const onFailure = (t: TestContext, body: () => Promise<void>): Promise<void> => session.guard(t.name, body);

function runCli<T>(job: string, args: string[]): T {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'mechlens-e2e-families-'));
  try {
    const out = path.join(outDir, `${job}.json`);
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), job, ...args, '--json', out], { encoding: 'utf8' });
    assert.equal(result.status, 0, `CLI failed: ${result.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** A number as the panel shows it equals the CLI's to the digits shown (a leading "<" or "≤" is dropped). */
function assertShown(shown: string, expected: number, what: string): void {
  const text = shown.replace(/\u2212/g, '-').replace(/^[<≤]\s*/, '').trim();
  const value = Number(text);
  assert.ok(Number.isFinite(value), `${what}: "${shown}" is not a number`);
  const mantissa = text.split(/e/i)[0];
  const exponent = /e/i.test(text) ? Number(text.split(/e/i)[1]) : 0;
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  assert.ok(Math.abs(value - expected) <= 0.5 * 10 ** (exponent - decimals) + 1e-12, `${what}: panel shows ${text}, CLI says ${expected}`);
}

async function enterModel(title: string, folder: string): Promise<void> {
  await session.pickQuickItem(title, /Enter a Hugging Face id or a folder path/);
  await session.answerInputBox(title, folder);
}

test('Contrast Sentence Groups… on a Pythia-style (gpt_neox) checkpoint: title, significant neurons, p threshold and shuffle p equal the CLI\'s', async (t) => {
  await onFailure(t, async () => {
    await session.closeAllEditors();
    await session.explorerContextMenu(sentences, 'Contrast Sentence Groups…');
    await enterModel('Contrast — model', pythia);
    await session.pickQuickItem('Contrast — hook point', new RegExp(`^${hook.replace(/\./g, '\\.')}$`), hook);
    await session.acceptQuickPick('Contrast — t-test');
    await session.acceptQuickPick('Contrast — multiple-comparison correction');
    const panel = await session.webview('section.ml-card[data-card="t-plot"] svg');
    const cli = runCli<ContrastResult>('contrast', ['--sentences', path.join(workspace, sentences), '--model', pythia, '--hook', hook,
      '--test', 'student', '--correction', 'bonferroni']);
    assert.equal(cli.t.length, 128, 'blocks.1.mlp.hook_pre of a 32-d Pythia has 4 × 32 neurons');
    assert.equal(cli.bosAdded ?? false, false, 'Pythia\'s tokenizer adds no BOS');
    assert.equal((await panel.locator('header.ml-header h1').innerText()).trim(), cli.title);
    const stats = panel.locator('section.ml-card[data-card="t-plot"] .ml-stats');
    assert.equal((await stats.locator('[data-stat="significant"]').innerText()).trim(), `${cli.significant.length} / ${cli.t.length}`);
    assertShown(await stats.locator('[data-stat="threshold"]').innerText(), cli.threshold, 'p threshold');
    assertShown(await stats.locator('[data-stat="shuffleP"]').innerText(), cli.labelShuffle.pValue, 'label-shuffle p');
    await session.screenshot('vscode-contrast-pythia.png');
  });
});

test('Compare Attention Q/K… on a Llama-style checkpoint (GQA, BOS): title, heatmaps, RSA and every head\'s r equal the CLI\'s', async (t) => {
  await onFailure(t, async () => {
    await session.closeAllEditors();
    await session.explorerContextMenu(wordList, 'Compare Attention Q/K…');
    await enterModel('Attention Q/K — model', llama);
    const template = await session.acceptInputBox('Attention Q/K — prompt template');
    await session.answerInputBox('Attention Q/K — layer', '1');
    await session.pickQuickItem('Attention Q/K — layer sweep', /^Layer 1 only$/);
    await session.acceptQuickPick('Attention Q/K — SAE features');
    const panel = await session.webview('section.ml-card[data-card="rsa"] [data-stat="pearson"]');
    const cli = runCli<AttentionResult>('attention', ['--words', path.join(workspace, wordList), '--model', llama, '--template', template, '--layer', '1']);
    assert.equal(cli.bosAdded, true, 'the Llama tokenizer adds <|begin_of_text|>');
    assert.equal(cli.kvHeads?.nKvHead, 2);
    assert.deepEqual(cli.heads.map((h) => h.kvHead), [0, 0, 1, 1], 'query heads 0–1 read kv head 0, 2–3 kv head 1');
    const n = cli.items.length;
    assert.ok(n >= 3, `too few single-token words: ${cli.items.join(', ')}`);

    await session.tab(cli.title).first().waitFor({ state: 'visible', timeout: LONG });
    assert.equal((await panel.locator('header.ml-header h1').innerText()).trim(), cli.title);
    for (const space of ['q', 'k'] as const) {
      const card = panel.locator(`[data-space="${space}"]`);
      assert.equal(await card.locator('svg.ml-heatmap-svg rect.cell').count(), n * n, `${space} heatmap cells`);
      assert.deepEqual((await card.locator('.y-ticks text.tick-label').allTextContents()).map((s) => s.trim()), cli.items, `${space} row labels`);
    }
    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    assertShown(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa.pearson, 'RSA Q vs K');
    assert.equal((await rsa.locator('[data-stat="n"]').innerText()).trim(), String(cli.rsa.n));
    const cells = panel.locator('[data-card="head-grid"] .ml-head-cell');
    assert.equal(await cells.count(), 4, 'one cell per query head');
    for (const h of cli.heads) {
      const shown = (await cells.nth(h.head).locator('[data-stat="head-rsa"]').innerText()).replace(/^r = /, '');
      assert.ok(h.rsa !== null, `head ${h.head} has no RSA in the CLI`);
      assertShown(shown, h.rsa, `head ${h.head} RSA`);
    }

    // A Q cell's tooltip: both words, and the Q and K similarities the CLI has for them.
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
    await panel.locator('header.ml-header').evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await session.screenshot('vscode-attention-llama.png');
  });
});
