// "Contrast Sentence Groups…" driven through a fake vscode: the picks, the job input, progress and
// the panel, cancel, and workspace trust for the default model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { commandHarness, byLabel, byPrefix, tick, Memory } from './command-harness';
import type { ContrastResult } from '../../../src/protocol/result';
import { CancelledError } from '../../../src/core/errors';
import type { ContrastInput } from '../../../src/core/analyses/contrast';
import type { RunControl } from '../../../src/core/run-control';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/contrast'));

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'contrast-result.regression.json'), 'utf8')) as ContrastResult;
type Job = (input: ContrastInput, control: RunControl) => Promise<ContrastResult>;

function services(job: Job) {
  const memory = new Memory();
  return {
    ...h.panelServices(memory),
    runContrast: job,
    cachedModelNames: () => new Set<string>(['gpt2']),
    recentModels: new RecentList(memory, 'models'),
    recentHooks: new RecentList(memory, 'hooks'),
    recentSaes: new RecentList(memory, 'saes'),
  };
}

const active = (_items: QuickPickItem[], act: QuickPickItem[]) => act[0];
const sentencesUri = FakeUri.file('/workspace/samples/him-her.sentences');

test('defaults: gpt2-medium and blocks.5.mlp.hook_pre are preselected; the job gets the picks and the result reaches the panel', async () => {
  recorded.quickPickAnswers.push(active, active, active, active);
  const inputs: ContrastInput[] = [];
  const s = services(async (input, control) => {
    inputs.push(input);
    control.onProgress?.({ message: 'Reading the sentences', fraction: 0 });
    control.onProgress?.({ message: 'Capturing', fraction: 0.4 });
    return fixture;
  });
  const out = await h.command.contrastSentences(s as never, { uri: sentencesUri as never });
  assert.equal(out, fixture);
  assert.equal(recorded.quickPicks.length, 4);
  assert.deepEqual(recorded.quickPicks[0].active.map((i) => i.label), ['gpt2-medium']);
  assert.deepEqual(recorded.quickPicks[1].active.map((i) => i.label), ['blocks.5.mlp.hook_pre']);
  assert.ok(recorded.quickPicks[1].items.some((i) => i.label === 'blocks.23.mlp.hook_post'), 'gpt2-medium\'s 24 layers are offered');
  assert.deepEqual(inputs, [{ sentencesPath: '/workspace/samples/him-her.sentences', model: 'gpt2-medium', hook: 'blocks.5.mlp.hook_pre', test: 'student',
    correction: 'bonferroni', cacheDir: undefined, offline: false }]);
  assert.deepEqual(recorded.progress.map((p) => [p.message, p.increment]), [['Reading the sentences', undefined], ['Capturing', 40]]);
  assert.ok(recorded.log.some((l) => l.startsWith('info Contrast finished in') && l.includes(`${fixture.significant.length} of 256 neurons significant`)));
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type), ['capabilities', 'capabilities', 'progress', 'result']);
  assert.deepEqual(s.recentModels.items(), ['gpt2-medium']);
});

test('a typed hook (a Hugging Face alias), Welch/FDR, alpha and seed reach the job', async () => {
  recorded.inspect = { 'contrast.alpha': { defaultValue: 0.05, globalValue: 0.01 }, seed: { defaultValue: 0, globalValue: 4 } };
  recorded.quickPickAnswers.push(byLabel('gpt2'), byPrefix('Type a hook name'), byLabel('Welch t-test'), byLabel('Benjamini–Hochberg FDR'));
  recorded.inputBoxAnswers.push('transformer.h.3.mlp.c_fc');
  const inputs: ContrastInput[] = [];
  await h.command.contrastSentences(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: sentencesUri as never });
  assert.deepEqual(inputs[0], { sentencesPath: '/workspace/samples/him-her.sentences', model: 'gpt2', hook: 'transformer.h.3.mlp.c_fc', test: 'welch',
    correction: 'fdr', alpha: 0.01, seed: 4, cacheDir: undefined, offline: false });
});

test('the hook step\'s "SAE features…" row contrasts an SAE\'s features: the SAE spec reaches the job instead of a hook', async () => {
  recorded.quickPickAnswers.push(byLabel('gpt2'), byPrefix('$(symbol-misc) SAE features'), byPrefix('gpt2-small-res-jb/blocks.8.hook_resid_pre'), byLabel('Welch t-test'), byLabel('Benjamini–Hochberg FDR'));
  const inputs: ContrastInput[] = [];
  const s = services(async (input) => { inputs.push(input); return fixture; });
  await h.command.contrastSentences(s as never, { uri: sentencesUri as never });
  assert.deepEqual(inputs[0], { sentencesPath: '/workspace/samples/him-her.sentences', model: 'gpt2', sae: 'gpt2-small-res-jb/blocks.8.hook_resid_pre', test: 'welch',
    correction: 'fdr', cacheDir: undefined, offline: false });
  assert.deepEqual(s.recentSaes.items(), ['gpt2-small-res-jb/blocks.8.hook_resid_pre']);
});

test('Escape at any step runs nothing; cancelling the progress cancels the job and the panel says so', async () => {
  recorded.quickPickAnswers.push(active, () => undefined);
  let runs = 0;
  assert.equal(await h.command.contrastSentences(services(async () => { runs++; return fixture; }) as never, { uri: sentencesUri as never }), undefined);
  assert.equal(runs, 0);

  recorded.quickPickAnswers.push(active, active, active, active);
  const out = await h.command.contrastSentences(services((_input, control) => new Promise((_resolve, reject) => {
    control.signal?.addEventListener('abort', () => reject(new CancelledError()));
    setImmediate(() => recorded.cancelProgress());
  })) as never, { uri: sentencesUri as never });
  assert.equal(out, undefined);
  const panel = recorded.panels.at(-1);
  assert.ok(panel);
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type).at(-1), 'cancelled');
  assert.ok(recorded.log.includes('info Contrast cancelled'));
});

test('an untrusted workspace cannot pick the default model through its settings', async () => {
  recorded.trusted = false;
  recorded.inspect = { 'contrast.defaultModel': { defaultValue: 'gpt2-medium', workspaceValue: '/workspace/evil-model' } };
  recorded.quickPickAnswers.push(active, active, active, active);
  const inputs: ContrastInput[] = [];
  await h.command.contrastSentences(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: sentencesUri as never });
  assert.equal(inputs[0].model, 'gpt2-medium');
  assert.ok(!JSON.stringify(recorded.quickPicks[0].items).includes('evil-model'));
  assert.ok(recorded.log.some((l) => l.startsWith('warn Workspace is not trusted') && l.includes('mechlens.contrast.defaultModel')));
});

test('every step after the first has Back; Back from step 3 returns to step 2 with its answer kept, and the counters read (1/4)…(4/4)', async () => {
  recorded.quickPickAnswers.push(
    active, byLabel('blocks.23.mlp.hook_post'), byLabel('Welch t-test'),
    // Correction: Back to the t-test (Welch kept), Back again to the hook (hook_post kept), then forward on the kept answers.
    () => 'back', () => 'back', active, active, byLabel('Benjamini–Hochberg FDR'),
  );
  const inputs: ContrastInput[] = [];
  await h.command.contrastSentences(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: sentencesUri as never });
  assert.deepEqual(recorded.steps.map((s) => s.replace(/^MechLens: Contrast — /, '')), [
    'model (1/4)', 'hook point (2/4)', 't-test (3/4)', 'multiple-comparison correction (4/4)',
    't-test (3/4)', 'hook point (2/4)', 't-test (3/4)', 'multiple-comparison correction (4/4)',
  ]);
  assert.deepEqual(recorded.quickPicks.map((q) => q.back), [false, true, true, true, true, true, true, true]);
  assert.deepEqual(recorded.quickPicks[4].active.map((i) => i.label), ['Welch t-test'], 'the t-test answered before Back');
  assert.deepEqual(recorded.quickPicks[5].active.map((i) => i.label), ['blocks.23.mlp.hook_post'], 'the hook answered before Back');
  assert.deepEqual(inputs.map((i) => [i.model, i.hook, i.test, i.correction]), [['gpt2-medium', 'blocks.23.mlp.hook_post', 'welch', 'fdr']]);
});

test('Back from the typed hook name returns to the hook list; Back from the hook list returns to the model, which keeps its answer', async () => {
  recorded.quickPickAnswers.push(byLabel('gpt2'), byPrefix('Type a hook name'), () => 'back', active, byPrefix('Type a hook name'), active, active);
  recorded.inputBoxAnswers.push('\u0000back', 'transformer.h.3.mlp.c_fc');
  const inputs: ContrastInput[] = [];
  await h.command.contrastSentences(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: sentencesUri as never });
  assert.deepEqual(recorded.steps.map((s) => s.replace(/^MechLens: Contrast — /, '')), [
    'model (1/4)', 'hook point (2/4)', 'hook point (2/4)', 'hook point (2/4)', 'model (1/4)', 'hook point (2/4)', 'hook point (2/4)', 't-test (3/4)', 'multiple-comparison correction (4/4)',
  ]);
  assert.deepEqual(recorded.inputBoxes.map((b) => b.back), [true, true], 'the typed hook has Back too');
  assert.deepEqual(recorded.quickPicks[3].active.map((i) => i.label), ['gpt2'], 'the model answered before Back');
  assert.equal(inputs[0].hook, 'transformer.h.3.mlp.c_fc');
});
