// "MechLens: Compare Attention Q/K…" driven through the fake vscode module: the questions it asks
// (model, template, layer, sweep, SAE), the input it hands the job, progress, the panel, cancel and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { checkpointFolder, commandHarness, byLabel, tick, Memory } from './command-harness';
import type { AttentionResult } from '../../../src/protocol/result';
import { CancelledError, MechLensError } from '../../../src/core/errors';
import type { AttentionInput } from '../../../src/core/analyses/attention';
import type { RunControl } from '../../../src/core/run-control';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/attention'));

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'attention-result.regression.json'), 'utf8')) as AttentionResult;
type Job = (input: AttentionInput, control: RunControl) => Promise<AttentionResult>;

function services(job: Job) {
  const memory = new Memory();
  return {
    ...h.panelServices(memory),
    runAttention: job,
    cachedModelNames: () => new Set<string>(),
    recentModels: new RecentList(memory, 'models'),
    recentTemplates: new RecentList(memory, 'templates'),
    recentSaes: new RecentList(memory, 'saes'),
  };
}

const activeItem = (_items: QuickPickItem[], active: QuickPickItem[]) => active[0];
const wordsUri = FakeUri.file('/workspace/samples/next-word.words');

test('asks for model, template, layer, sweep and SAE; runs the job with them and the settings; shows the result', async () => {
  recorded.inspect = { permutations: { defaultValue: 1000, workspaceValue: 200 }, seed: { defaultValue: 0, globalValue: 3 } };
  recorded.quickPickAnswers.push(activeItem, activeItem, activeItem);
  recorded.inputBoxAnswers.push('My word is {word}', '7');
  const inputs: AttentionInput[] = [];
  const s = services(async (input, control) => {
    inputs.push(input);
    control.onProgress?.({ message: 'Loading gpt2-medium', fraction: 0 });
    control.onProgress?.({ message: 'Similarities and RSA', fraction: 0.5 });
    return fixture;
  });
  const out = await h.command.compareAttention(s as never, { uri: wordsUri as never });
  assert.equal(out, fixture);
  assert.deepEqual(recorded.quickPicks[0].active.map((i) => i.label), ['gpt2-medium'], 'gpt2-medium is the default model');
  assert.equal(recorded.quickPicks[1].active[0].label, 'Also sweep every layer');
  assert.equal(recorded.quickPicks[2].active[0].label, 'No SAE', 'no SAE unless asked');
  assert.deepEqual(inputs, [{ wordsPath: '/workspace/samples/next-word.words', model: 'gpt2-medium', template: 'My word is {word}', layer: 7, sweep: true,
    permutations: 200, seed: 3, cacheDir: undefined, offline: false }]);
  assert.deepEqual(recorded.progress.map((p) => [p.message, p.increment]), [['Loading gpt2-medium', undefined], ['Similarities and RSA', 50]]);
  assert.ok(recorded.log.some((l) => l.startsWith('info Attention finished in') && l.includes(`RSA Q–K r = ${fixture.rsa.pearson.toFixed(4)}`)));
  for (const w of fixture.warnings) assert.ok(recorded.log.includes(`warn ${w}`));
  assert.deepEqual(s.recentModels.items(), ['gpt2-medium']);
  assert.deepEqual(s.recentTemplates.items(), ['My word is {word}']);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type), ['capabilities', 'capabilities', 'progress', 'result']);
  assert.equal((panel.posted[3] as { result: AttentionResult }).result.job, 'attention');
});

test('a model folder from Browse…, one layer without the sweep; the layer box knows the catalog model\'s layer count', async () => {
  const browse = (items: QuickPickItem[]) => items.find((i) => i.label.includes('Browse for a model folder'));
  recorded.quickPickAnswers.push(browse, browse, byLabel('Layer 2 only'), activeItem);
  const folder = checkpointFolder('tiny-gpt2');
  // A file where a folder is asked is refused at once, and the dialog opens again.
  recorded.openDialogAnswers.push([FakeUri.file(join(folder, 'config.json'))], [FakeUri.file(folder)]);
  recorded.inputBoxAnswers.push('The next word is {word}', '2');
  const inputs: AttentionInput[] = [];
  await h.command.compareAttention(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: wordsUri as never });
  assert.deepEqual(recorded.warnings, ['MechLens: config.json is a file, not a model folder (config.json and model.safetensors). Choose a folder with config.json and model.safetensors.']);
  assert.equal(inputs[0].model, folder);
  assert.equal(inputs[0].layer, 2);
  assert.equal(inputs[0].sweep, false);
  assert.equal(h.command.validateLayer('23', 24), undefined);
  assert.equal(h.command.validateLayer('24', 24), 'The model has layers 0 to 23.');
  assert.match(h.command.validateLayer('-1', 24) ?? '', /layer number/);
  assert.match(h.command.validateLayer('five', undefined) ?? '', /layer number/);
});

test('the SAE step: "SAE features…" opens the SAE picker (as Contrast\'s hook step does) and the job gets the spec', async () => {
  recorded.quickPickAnswers.push(activeItem, activeItem, byLabel('$(symbol-misc) SAE features…'), byLabel('gpt2-small-res-jb/blocks.5.hook_resid_pre'));
  recorded.inputBoxAnswers.push('The next word is {word}', '5');
  const inputs: AttentionInput[] = [];
  const s = services(async (input) => { inputs.push(input); return fixture; });
  await h.command.compareAttention(s as never, { uri: wordsUri as never });
  assert.equal(inputs[0].sae, 'gpt2-small-res-jb/blocks.5.hook_resid_pre');
  assert.deepEqual(s.recentSaes.items(), ['gpt2-small-res-jb/blocks.5.hook_resid_pre']);
  assert.ok(recorded.steps.some((step) => /SAE \(5\/5\)/.test(step)), recorded.steps.join('; '));
});

test('cancelling the SAE picker runs nothing', async () => {
  recorded.quickPickAnswers.push(activeItem, activeItem, byLabel('$(symbol-misc) SAE features…'));
  recorded.inputBoxAnswers.push('The next word is {word}', '5');
  let ran = false;
  assert.equal(await h.command.compareAttention(services(async () => { ran = true; return fixture; }) as never, { uri: wordsUri as never }), undefined);
  assert.equal(ran, false);
});

test('hiding a question stops without running anything', async () => {
  recorded.quickPickAnswers.push(activeItem);
  recorded.inputBoxAnswers.push(undefined);
  let ran = false;
  const out = await h.command.compareAttention(services(async () => { ran = true; return fixture; }) as never, { uri: wordsUri as never });
  assert.equal(out, undefined);
  assert.equal(ran, false);
  assert.equal(recorded.panels.length, 0);
});

test('cancel aborts the job through its signal and the panel says cancelled', async () => {
  recorded.quickPickAnswers.push(activeItem, activeItem, activeItem);
  recorded.inputBoxAnswers.push('The next word is {word}', '5');
  let aborted = false;
  const job: Job = (_input, control) => new Promise((_resolve, reject) => {
    control.signal?.addEventListener('abort', () => { aborted = true; reject(new CancelledError()); });
    setImmediate(() => recorded.cancelProgress());
  });
  assert.equal(await h.command.compareAttention(services(job) as never, { uri: wordsUri as never }), undefined);
  assert.equal(aborted, true);
  assert.deepEqual(recorded.errors, []);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.at(-1), { type: 'cancelled' });
});

test('an error the user can fix is shown with what failed and the fix, in the panel and a notification', async () => {
  recorded.quickPickAnswers.push(activeItem, activeItem, activeItem);
  recorded.inputBoxAnswers.push('The next word is {word}', '5');
  const job: Job = async () => { throw new MechLensError('bad-argument', 'layer 5 does not exist: the model has layers 0 to 3', { input: 'gpt2-medium', fix: 'Choose a layer from 0 to 3.' }); };
  await h.command.compareAttention(services(job) as never, { uri: wordsUri as never });
  assert.equal(recorded.errors.length, 1);
  assert.match(recorded.errors[0], /layer 5 does not exist/);
  assert.match(recorded.errors[0], /Choose a layer from 0 to 3/);
  assert.deepEqual(recorded.errorButtons[0], ['Open Log', 'Choose Another Word List (replaces next-word.words)']);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.equal((panel.posted.at(-1) as { type: string }).type, 'error');
});

test('every step after the first has Back; Back from step 3 (layer) returns to step 2 with the template kept, and Back from the sweep keeps the layer', async () => {
  recorded.quickPickAnswers.push(activeItem, () => 'back', byLabel('Layer 7 only'), byLabel('No SAE'));
  recorded.inputBoxAnswers.push('My word is {word}', '\u0000back', 'My word is {word}', '7', '7');
  const inputs: AttentionInput[] = [];
  await h.command.compareAttention(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: wordsUri as never });
  assert.deepEqual(recorded.steps.map((s) => s.replace(/^MechLens: Attention Q\/K — /, '')), [
    'model (1/5)', 'prompt template (2/5)', 'layer (3/5)', 'prompt template (2/5)', 'layer (3/5)', 'layer sweep (4/5)', 'layer (3/5)', 'layer sweep (4/5)', 'SAE features (5/5)',
  ]);
  assert.deepEqual(recorded.inputBoxes.map((b) => [b.value, b.back]), [
    ['The next word is {word}', true], ['5', true], ['My word is {word}', true], ['5', true], ['7', true],
  ], 'Back shows the template typed before; the sweep\'s Back shows layer 7');
  assert.deepEqual(recorded.quickPicks.map((q) => q.back), [false, true, true, true]);
  assert.deepEqual(inputs.map((i) => [i.template, i.layer, i.sweep]), [['My word is {word}', 7, false]]);
});
