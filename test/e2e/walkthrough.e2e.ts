// Issue 20's walkthrough in real VS Code, as on a new install: the first activation of MechLens
// opens its own walkthrough (the other e2e sessions turn it off), whose steps cover the samples,
// local models and all five jobs, and whose buttons run MechLens's commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LONG, MEDIUM, repoRoot, sessionForFile } from './harness';

interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
}

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  displayName: string;
  contributes: { walkthroughs: { id: string; title: string; description: string; steps: WalkthroughStep[] }[] };
};
const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === 'mechlens.gettingStarted')!;
/** VS Code names the Welcome editor's tab after the extension that contributes the walkthrough. */
const tabTitle = `Walkthrough: ${manifest.displayName}`;

/** All nine jobs, local models and the samples, each with the command its step's button runs. */
const coveredCommands = [
  'mechlens.openSample', 'mechlens.addLocal',
  'mechlens.compareEmbeddings', 'mechlens.contrastSentences', 'mechlens.compareAttention', 'mechlens.mapTokens', 'mechlens.matchVocabularies',
  'mechlens.logitLens', 'mechlens.attentionHeads', 'mechlens.logitAttribution', 'mechlens.saeFeatures',
];

const file = sessionForFile('walkthrough', () => ({ trust: 'trust', walkthrough: true }));

/** The walkthrough's step buttons in the Welcome editor. */
const steps = () => file.session.page.locator('.gettingStartedContainer button.getting-started-step');

test('opening a word list activates MechLens for the first time, and its walkthrough opens', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const row = await session.explorerItem('samples/space-furniture-fruit.words');
    await row.dblclick();
    await session.tab(tabTitle).first().waitFor({ state: 'visible', timeout: LONG });
    await session.page.locator('.gettingStartedContainer', { hasText: walkthrough.title }).waitFor({ state: 'visible', timeout: LONG });
    await steps().first().waitFor({ state: 'visible', timeout: LONG });
    await session.screenshot('vscode-walkthrough.png');
    // The description fits the lines VS Code gives it (it clamps with an ellipsis).
    const description = session.page.locator('.gettingStartedContainer .category-description').first();
    assert.equal((await description.innerText()).trim(), walkthrough.description);
    const clamp = await description.evaluate((el) => [el.scrollHeight, el.clientHeight]);
    assert.ok(clamp[0] <= clamp[1] + 1, `the description is cut off: ${clamp[0]} px of text in ${clamp[1]} px`);
    await session.waitForLog(/First activation: opening the Get Started with MechLens walkthrough/);
  });
});

test('its steps cover the samples, local models and all nine jobs, each with its command', async (t) => {
  await file.onFailure(t, async () => {
    const shown = (await steps().locator('.step-title').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(shown, walkthrough.steps.map((s) => s.title), 'the walkthrough on screen is not the one the extension contributes');
    // Each title fits its line (VS Code cuts a long one off with an ellipsis).
    const cut = await steps().locator('.step-title').evaluateAll((titles) => titles.filter((t) => t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1).map((t) => t.textContent));
    assert.deepEqual(cut, [], 'step titles cut off');
    for (const command of coveredCommands) {
      // A button may pass arguments: command:ID?[...] (the logit lens's names its sample).
      assert.ok(walkthrough.steps.some((s) => s.description.includes(`(command:${command})`) || s.description.includes(`(command:${command}?`)), `no step's button runs ${command}`);
    }
  });
});

test('a step\'s button runs its command: Open Sample Word List offers the samples and opens the one picked', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    const step = steps().filter({ hasText: 'Open a sample word list' }).first();
    await step.click();
    await step.locator('.monaco-button', { hasText: 'Open Sample Word List' }).click();
    const samples = await session.quickPickLabels('MechLens: open a sample');
    assert.deepEqual(samples, ['him-her.sentences', 'next-word.words', 'space-furniture-fruit.words']);
    await session.pickQuickItem('MechLens: open a sample', /^him-her\.sentences$/);
    await session.tab(/him-her\.sentences/).first().waitFor({ state: 'visible', timeout: LONG });
    // The step's completion event is that command: VS Code ticks it.
    await session.tab(tabTitle).first().click();
    await steps().filter({ hasText: 'Open a sample word list' }).and(session.page.locator('[aria-checked="true"]')).first()
      .waitFor({ state: 'visible', timeout: MEDIUM });
  });
});

test('a new step\'s button runs its job on a sample: the logit lens of the sample sentences asks for its model (1/2), and the list stays open as the step is ticked', async (t) => {
  await file.onFailure(t, async () => {
    const { session } = file;
    await session.tab(tabTitle).first().click();
    const step = steps().filter({ hasText: 'Read each layer with the logit lens' }).first();
    await step.click();
    await step.locator('.monaco-button', { hasText: 'Logit Lens on the Sample Sentences' }).click();
    const models = await session.quickPickLabels('Logit Lens — model');
    assert.ok(models.some((m) => /Enter a Hugging Face id/.test(m)), `the model list: ${models.join(', ')}`);
    assert.match(await session.page.locator('.quick-input-widget .quick-input-title').innerText(), /Logit Lens — model/);
    await steps().filter({ hasText: 'Read each layer with the logit lens' }).and(session.page.locator('[aria-checked="true"]')).first()
      .waitFor({ state: 'visible', timeout: MEDIUM });
    // Ticking the step re-rendered the walkthrough: the question is still there to answer.
    assert.ok(await session.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Logit Lens — model' }).isVisible());
    await session.screenshot('vscode-walkthrough-lens.png');
    await session.page.keyboard.press('Escape');
  });
});
