// Cancelling a long run from the progress notification: the run stops (its worker is
// terminated), the panel says so, and nothing is shown as a result.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { LONG, makeWorkspace, VsCodeSession } from './harness';
import { writeLargeInputs } from './fixtures';

let session: VsCodeSession;
let workspace: string;
let inputs: ReturnType<typeof writeLargeInputs>;

before(async () => {
  workspace = makeWorkspace();
  // 600 words: 179,700 pairs × 100,000 permutations is minutes of work, far longer than the test.
  inputs = writeLargeInputs(workspace, 200);
  session = await VsCodeSession.start({
    workspace, trust: 'trust', name: 'cancel', settings: { 'mechlens.permutations': 100000 },
  });
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

async function onFailure(t: TestContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    await session.captureFailure(t.name);
    throw err;
  }
}

async function startLargeRun(): Promise<void> {
  await session.closeAllEditors();
  await session.explorerContextMenu('large.words', 'Compare Embeddings…');
  for (const [side, file] of [['A', inputs.a], ['B', inputs.b]] as const) {
    await session.pickQuickItem(`source ${side}`, /Enter a source spec/, 'Enter a source spec');
    await session.answerInputBox(`source ${side}`, `vectors:${file}`);
  }
}

test('Cancel in the progress notification stops a long comparison', async (t) => {
  await onFailure(t, async () => {
    await startLargeRun();
    const progress = session.notification(/MechLens: comparing large\.words/).first();
    await progress.waitFor({ state: 'visible', timeout: LONG });
    // Cancel once the run is inside the permutation test, the long step.
    await session.notification(/permutation/i).first().waitFor({ state: 'visible', timeout: LONG });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await session.notification(/MechLens: comparison cancelled/).first().waitFor({ state: 'visible', timeout: LONG });
    const panel = await session.webview('.ml-state-cancelled');
    assert.equal(await panel.locator('svg.ml-heatmap-svg').count(), 0, 'a cancelled run still drew heatmaps');
    await session.waitForLog(/Compare cancelled/);
  });
});

test('closing the panel during a run cancels it', async (t) => {
  await onFailure(t, async () => {
    await startLargeRun();
    await session.notification(/permutation/i).first().waitFor({ state: 'visible', timeout: LONG });
    const tab = session.tab(/large\.words/).first();
    await tab.hover();
    await tab.locator('.codicon-close, .tab-actions a').first().click();
    await session.notification(/MechLens: comparing large\.words/).first().waitFor({ state: 'hidden', timeout: LONG });
    const log = await session.waitForLog(/Compare cancelled[\s\S]*Compare cancelled/);
    assert.doesNotMatch(log, /Compare finished/, 'a cancelled run finished anyway');
  });
});
