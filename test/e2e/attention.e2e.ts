// Job 4 in real VS Code on a generated checkpoint: right-click the sample word list → Compare
// Attention Q/K…, answer model / template / layer / sweep, and check the panel against the CLI's
// result for the same inputs (title, heatmap cells and labels, RSA, a cell's tooltip). Then the
// memory guard: with mechlens.memoryShare set tiny, the same job is refused with the guard's message
// (the setting reaches the already running job thread), and once the setting is removed it runs again.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../src/core/models/random-checkpoint';
import { LONG, makeWorkspace, repoRoot, VsCodeSession, writeWorkspaceSettings } from './harness';

const wordList = 'samples/space-furniture-fruit.words';
let session: VsCodeSession;
let workspace: string;
let modelDir: string;

interface CliAttention {
  title: string;
  items: string[];
  q: { similarity: number[][] };
  k: { similarity: number[][] };
  rsa: { pearson: number; n: number };
}

before(async () => {
  workspace = makeWorkspace();
  modelDir = path.join(workspace, 'models', 'tiny-gpt2');
  // The real GPT-2 tokenizer with random weights: 2 layers, 32 dims, 2 heads.
  writeRandomGpt2Checkpoint(modelDir, { nLayer: 2, nEmbd: 32, nHead: 2, seed: 3 });
  session = await VsCodeSession.start({
    workspace, trust: 'trust', name: 'attention', settings: { 'mechlens.contrast.defaultModel': modelDir },
  });
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const onFailure = (t: TestContext, body: () => Promise<void>): Promise<void> => session.guard(t.name, body);

function runCli(template: string, layer: number): CliAttention {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'mechlens-e2e-cli-'));
  try {
    const out = path.join(outDir, 'attention.json');
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'attention',
      '--words', path.join(workspace, wordList), '--model', modelDir, '--template', template,
      '--layer', String(layer), '--json', out], { encoding: 'utf8' });
    assert.equal(result.status, 0, `CLI failed: ${result.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as CliAttention;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Closes a quick input left open (a save dialog opened by a stray click on a panel's export button was seen once). */
async function dismissQuickInput(): Promise<void> {
  if (!(await session.quickInput().isVisible())) return;
  await session.page.keyboard.press('Escape');
  await session.quickInput().waitFor({ state: 'hidden' });
}

/** Starts the job from the explorer with the default model and template; returns the template. */
async function startAttention(layer: number): Promise<string> {
  await dismissQuickInput();
  await session.closeAllEditors();
  await session.explorerContextMenu(wordList, 'Compare Attention Q/K…');
  await session.acceptQuickPick('Attention Q/K — model');
  const template = await session.acceptInputBox('Attention Q/K — prompt template');
  await session.answerInputBox('Attention Q/K — layer', String(layer));
  await session.pickQuickItem('Attention Q/K — layer sweep', new RegExp(`^Layer ${layer} only$`));
  await session.acceptQuickPick('Attention Q/K — SAE features');
  return template;
}

/** A number as the panel shows it equals the CLI's to the digits shown. */
function assertShown(shown: string, expected: number, what: string): void {
  const text = shown.replace(/\u2212/g, '-').trim();
  const decimals = text.includes('.') ? text.split('.')[1].length : 0;
  assert.ok(Math.abs(Number(text) - expected) <= 0.5 * 10 ** -decimals + 1e-12, `${what}: panel shows ${text}, CLI says ${expected}`);
}

test('Compare Attention Q/K… on the generated checkpoint: title, heatmaps, RSA and tooltip equal the CLI\'s', async (t) => {
  await onFailure(t, async () => {
    const template = await startAttention(1);
    const panel = await session.webview('section.ml-card[data-card="rsa"] [data-stat="pearson"]');
    const cli = runCli(template, 1);
    const n = cli.items.length;
    assert.ok(n >= 3, `too few single-token words: ${cli.items.join(', ')}`);

    await session.tab(cli.title).first().waitFor({ state: 'visible', timeout: LONG });
    assert.equal((await panel.locator('header.ml-header h1').innerText()).trim(), cli.title);
    for (const space of ['q', 'k'] as const) {
      const card = panel.locator(`[data-space="${space}"]`);
      assert.equal(await card.locator('svg.ml-heatmap-svg rect.cell').count(), n * n, `${space} heatmap cells`);
      const rows = (await card.locator('.y-ticks text.tick-label').allTextContents()).map((s) => s.trim());
      assert.deepEqual(rows, cli.items, `${space} heatmap row labels`);
    }
    const rsa = panel.locator('section.ml-card[data-card="rsa"]');
    assertShown(await rsa.locator('[data-stat="pearson"]').innerText(), cli.rsa.pearson, 'RSA Q vs K');
    assert.equal((await rsa.locator('[data-stat="n"]').innerText()).trim(), String(cli.rsa.n));

    // Hover the Q cell of the first and the last word: both words, and Q and K similarity as the CLI has them.
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
    await session.screenshot('vscode-attention.png');
  });
});

test('mechlens.memoryShare reaches the running job thread: a tiny share refuses the model with the guard\'s message, removing it lets the job run', async (t) => {
  await onFailure(t, async () => {
    // No result panel open while the palette is used below.
    await dismissQuickInput();
    await session.closeAllEditors();
    // A workspace setting counts in a trusted workspace; the extension logs the share it now applies.
    writeWorkspaceSettings(workspace, { 'mechlens.memoryShare': 0.000001 });
    await session.waitForLog(/Settings changed: memory share 0\.000001/);
    // Layer 0 (not 1): a result cached from the first test must not answer in place of the job.
    await startAttention(0);
    const toast = session.errorNotification(/mechlens\.memoryShare/);
    await toast.waitFor({ state: 'visible', timeout: LONG });
    const message = await toast.innerText();
    assert.match(message, /tiny-gpt2/, `the refusal does not name the model: ${message}`);
    assert.match(message, /may use 0\.0001% of it/, `the refusal does not state the share: ${message}`);
    const panel = await session.webview('.ml-state-error');
    assert.match(await panel.locator('.ml-state-error').innerText(), /mechlens\.memoryShare/);
    await session.screenshot('vscode-memory-refused.png');

    await dismissQuickInput();
    await session.closeAllEditors();
    writeWorkspaceSettings(workspace, {});
    await session.waitForLog(/Settings changed: memory share 0\.8\b/);
    const template = await startAttention(0);
    const done = await session.webview('section.ml-card[data-card="rsa"] [data-stat="pearson"]');
    assertShown(await done.locator('section.ml-card[data-card="rsa"] [data-stat="pearson"]').innerText(), runCli(template, 0).rsa.pearson, 'RSA Q vs K at layer 0');
  });
});
