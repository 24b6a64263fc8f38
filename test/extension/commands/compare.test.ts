import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { BACK_ANSWER, FakeUri, recorded } from '../fake-vscode';
import { commandHarness, byLabel, byPrefix, tick, Memory } from './command-harness';
import { SCHEMA_VERSION, type CompareResult } from '../../../src/protocol/result';
import { CancelledError, MechLensError } from '../../../src/core/errors';
import type { CompareInput } from '../../../src/core/analyses/compare';
import type { RunControl } from '../../../src/core/run-control';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/compare'));

function result(): CompareResult {
  const space = { source: { spec: 'a', label: 'a', kind: 'catalog' as const, dims: 1 }, similarity: [[1, 0], [0, 1]],
    selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [[1], [0]] };
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title: 't', items: ['x', 'y'], itemCategories: [null, null], categories: [], missing: ['z'],
    a: space, b: space, rsa: { pearson: 0.5, spearman: 0.4, cosine: 0.9, pValue: 0.3, permutations: 10, n: 1 }, rsaByCategory: [], warnings: ['a warning'],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words: 'w', seed: 0 } };
}

type Job = (input: CompareInput, control: RunControl) => Promise<CompareResult>;

function services(job: Job) {
  const memory = new Memory();
  return {
    ...h.panelServices(memory),
    runCompare: job,
    catalog: () => [{ name: 'glove-wiki-gigaword-50', dims: 50 }, { name: 'glove-wiki-gigaword-300', dims: 300 }],
    cachedCatalogNames: () => new Set<string>(),
    recentSources: { a: new RecentList(memory, 'a'), b: new RecentList(memory, 'b') },
  };
}

const wordsUri = FakeUri.file('/workspace/samples/space.words');

test('the compare flow asks for two sources, runs the job with the settings, and shows the result in a panel', async () => {
  recorded.inspect = {
    'defaultSources.a': { defaultValue: 'glove-wiki-gigaword-50' },
    permutations: { defaultValue: 1000, workspaceValue: 200 },
    'tsne.perplexity': { defaultValue: null, globalValue: 4 },
  };
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-300'), byPrefix('Enter a source spec'));
  recorded.inputBoxAnswers.push('model:gpt2#embed');
  const inputs: CompareInput[] = [];
  const s = services(async (input, control) => {
    inputs.push(input);
    control.onProgress?.({ message: 'Reading the word list', fraction: 0 });
    control.onProgress?.({ message: 't-SNE iteration 100', fraction: 0.5 });
    control.onProgress?.({ message: 't-SNE iteration 200', fraction: 0.6 });
    return result();
  });
  const out = await h.command.compareEmbeddings(s as never, { uri: wordsUri as never });
  assert.deepEqual(out, result());
  assert.equal(recorded.quickPicks.length, 2);
  assert.deepEqual(recorded.quickPicks[0].active.map((i) => i.label), ['glove-wiki-gigaword-50'], 'the default source is preselected');
  assert.deepEqual(inputs, [{ wordsPath: '/workspace/samples/space.words', a: 'glove-wiki-gigaword-300', b: 'model:gpt2#embed', permutations: 200, seed: undefined,
    cacheDir: undefined, offline: false, map: { perplexity: 4 } }]);
  assert.deepEqual(recorded.progress.map((p) => [p.message, p.increment]), [['Reading the word list', undefined], ['t-SNE iteration 100', 50], ['t-SNE iteration 200', 10]]);
  assert.ok(recorded.log.some((l) => /^info Reading the word list — \d+ ms$/.test(l)), 'each step is logged with its time');
  assert.ok(recorded.log.some((l) => l.startsWith('info Compare finished in') && l.includes('2 words, 1 missing')));
  assert.ok(recorded.log.includes('warn a warning'));
  assert.deepEqual(s.recentSources.a.items(), ['glove-wiki-gigaword-300']);
  assert.deepEqual(s.recentSources.b.items(), ['model:gpt2#embed']);

  const panel = recorded.panels[0];
  assert.equal(panel.title, 't');
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type), ['capabilities', 'capabilities', 'progress', 'result']);

  // The next run remembers the last choices.
  recorded.quickPickAnswers.push((_items, active) => active[0], (_items, active) => active[0]);
  await h.command.compareEmbeddings(s as never, { uri: wordsUri as never });
  assert.deepEqual([inputs[1].a, inputs[1].b], ['glove-wiki-gigaword-300', 'model:gpt2#embed']);
});

test('an untrusted workspace cannot choose the sources or the cache folder through its settings', async () => {
  recorded.trusted = false;
  recorded.inspect = {
    'defaultSources.a': { defaultValue: 'glove-wiki-gigaword-50', workspaceValue: 'vectors:/workspace/evil.bin' },
    cacheDirectory: { defaultValue: '', workspaceValue: '/workspace/.cache' },
  };
  recorded.quickPickAnswers.push((_items, active) => active[0], byLabel('glove-wiki-gigaword-300'));
  const inputs: CompareInput[] = [];
  await h.command.compareEmbeddings(services(async (input) => { inputs.push(input); return result(); }) as never, { uri: wordsUri as never });
  assert.equal(inputs[0].a, 'glove-wiki-gigaword-50');
  assert.equal(inputs[0].cacheDir, undefined);
  assert.ok(!JSON.stringify(recorded.quickPicks[0].items).includes('evil.bin'));
  assert.ok(recorded.log.some((l) => l.startsWith('warn Workspace is not trusted') && l.includes('mechlens.defaultSources.a') && l.includes('mechlens.cacheDirectory')));
});

test('in Restricted Mode, where VS Code hides the workspace values, the settings file still tells what was ignored', async () => {
  const fsMod = await import('node:fs');
  const osMod = await import('node:os');
  const pathMod = await import('node:path');
  const dir = fsMod.mkdtempSync(pathMod.join(osMod.tmpdir(), 'mechlens-'));
  const fake = (await import('../fake-vscode')).fakeVscode;
  const saved = fake.workspace.workspaceFolders;
  try {
    fsMod.mkdirSync(pathMod.join(dir, '.vscode'));
    fsMod.writeFileSync(pathMod.join(dir, '.vscode', 'settings.json'), '{ "mechlens.defaultSources.b": "vectors:./x.bin" }');
    fake.workspace.workspaceFolders = [{ uri: FakeUri.file(dir) }];
    recorded.trusted = false;
    recorded.inspect = { 'defaultSources.a': { defaultValue: 'glove-wiki-gigaword-50' } };
    recorded.quickPickAnswers.push((_items, active) => active[0], byLabel('glove-wiki-gigaword-300'));
    await h.command.compareEmbeddings(services(async () => result()) as never, { uri: wordsUri as never });
    assert.ok(recorded.log.some((l) => l.startsWith('warn Workspace is not trusted: ignoring the workspace values of mechlens.defaultSources.b')), recorded.log.join('\n'));
  } finally {
    fake.workspace.workspaceFolders = saved;
    fsMod.rmSync(dir, { recursive: true, force: true });
  }
});

test('cancel aborts the job through its signal and the panel says cancelled', async () => {
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  let aborted = false;
  const job: Job = (_input, control) => new Promise((_resolve, reject) => {
    control.signal?.addEventListener('abort', () => { aborted = true; reject(new CancelledError()); });
    setImmediate(() => recorded.cancelProgress());
  });
  const out = await h.command.compareEmbeddings(services(job) as never, { uri: wordsUri as never });
  assert.equal(out, undefined);
  assert.equal(aborted, true);
  assert.deepEqual(recorded.infos, ['MechLens: comparison cancelled.']);
  assert.deepEqual(recorded.errors, []);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.at(-1), { type: 'cancelled' });
});

test('closing the panel during a run cancels it, and the late end of the run touches no disposed webview', { timeout: 10_000 }, async () => {
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  let aborted = false;
  const job: Job = (_input, control) => new Promise((_resolve, reject) => {
    control.signal?.addEventListener('abort', () => { aborted = true; setImmediate(() => reject(new CancelledError())); });
    setImmediate(() => {
      const panel = recorded.panels[0];
      panel.send({ type: 'ready' });
      setImmediate(() => panel.dispose());
    });
  });
  const out = await h.command.compareEmbeddings(services(job) as never, { uri: wordsUri as never });
  assert.equal(out, undefined);
  assert.equal(aborted, true);
  assert.ok(recorded.log.includes('info Panel closed during the run: cancelling'));
  assert.deepEqual(recorded.errors, []);
});

test('a MechLensError reaches the user as its one-line message with actions, and the log keeps the detail', async () => {
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  const err = new MechLensError('not-found', 'only 2 of 20 words are in both sources', { input: '/workspace/samples/space.words', fix: 'Check the spelling.' });
  await h.command.compareEmbeddings(services(async () => { throw err; }) as never, { uri: wordsUri as never });
  assert.deepEqual(recorded.errors, ['/workspace/samples/space.words: only 2 of 20 words are in both sources. Check the spelling.']);
  assert.deepEqual(recorded.errorButtons, [['Open Log', 'Choose Another Word List (replaces space.words)']]);
  assert.ok(recorded.log.some((l) => l.startsWith('error Compare failed: [not-found]') && l.includes('compare.test.ts')), 'stack in the log');
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.equal((panel.posted.at(-1) as { type: string }).type, 'error');

  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  await h.command.compareEmbeddings(services(async () => { throw new TypeError('x is undefined'); }) as never, { uri: wordsUri as never });
  assert.match(recorded.errors[1], /failed unexpectedly \(x is undefined\)\. The log has the details\./);

  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  const rowError = new MechLensError('format', 'Row has 2 values, expected 3', { input: '/workspace/vectors/broken.txt', line: 3, fix: 'Fix the row.' });
  await h.command.compareEmbeddings(services(async () => { throw rowError; }) as never, { uri: wordsUri as never });
  assert.equal(recorded.errors[2], '/workspace/vectors/broken.txt, line 3: Row has 2 values, expected 3. Fix the row.');
});

test('a hook source asks for a prompt template, remembers it, and passes it to the job', async () => {
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byPrefix('Enter a source spec'));
  recorded.inputBoxAnswers.push('model:gpt2#blocks.5.attn.hook_q', 'My word is {word}');
  const inputs: CompareInput[] = [];
  const s = { ...services(async (input) => { inputs.push(input); return result(); }), recentTemplates: new RecentList(new Memory(), 't') };
  await h.command.compareEmbeddings(s as never, { uri: wordsUri as never });
  assert.equal(inputs[0].template, 'My word is {word}');
  assert.deepEqual(s.recentTemplates.items(), ['My word is {word}']);
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  await h.command.compareEmbeddings(s as never, { uri: wordsUri as never });
  assert.equal('template' in inputs[1], false, 'static vectors need no template');
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byPrefix('Enter a source spec'));
  recorded.inputBoxAnswers.push('model:gpt2#blocks.0.hook_resid_post', undefined);
  assert.equal(await h.command.compareEmbeddings(s as never, { uri: wordsUri as never }), undefined, 'dismissing the template prompt stops the run');
  assert.equal(inputs.length, 2);
});

test('closing a picker stops the flow before any job runs', async () => {
  let ran = false;
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), () => undefined);
  const out = await h.command.compareEmbeddings(services(async () => { ran = true; return result(); }) as never, { uri: wordsUri as never });
  assert.equal(out, undefined);
  assert.equal(ran, false);
  assert.equal(recorded.panels.length, 0);
  recorded.openDialogAnswers.push(undefined);
  assert.equal(await h.command.compareEmbeddings(services(async () => result()) as never, {}), undefined, 'no word list chosen');
});

test('a vector file given as the word list is said to be one at once, and becomes source A on request; Back in source B returns to source A', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mechlens-compare-'));
  const vectors = path.join(root, 'glove.txt');
  writeFileSync(vectors, `apple ${Array.from({ length: 40 }, (_, k) => (k / 7).toFixed(5)).join(' ')}\npear ${Array.from({ length: 40 }, (_, k) => (k / 3).toFixed(5)).join(' ')}\n`);
  const words = path.join(root, 'fruit.words');
  writeFileSync(words, 'apple\npear\n');
  recorded.warningActions.push('Use as Source A');
  recorded.openDialogAnswers.push([FakeUri.file(words)]);
  // Source A is preselected as the vector file; B: Back, then A again (the same row), then B.
  recorded.quickPickAnswers.push((_items, active) => active[0], () => 'back', (_items, active) => active[0], byLabel('glove-wiki-gigaword-300'));
  const inputs: CompareInput[] = [];
  await h.command.compareEmbeddings(services(async (input) => { inputs.push(input); return result(); }) as never, { uri: FakeUri.file(vectors) as never });
  assert.deepEqual(recorded.warnings, ['MechLens: glove.txt is a vector file (GloVe text, 40-d), not a word list.']);
  assert.deepEqual(recorded.quickPicks.map((q) => [q.title, q.back]), [
    ['MechLens: Compare Embeddings — source A', false], ['MechLens: Compare Embeddings — source B', true],
    ['MechLens: Compare Embeddings — source A', false], ['MechLens: Compare Embeddings — source B', true],
  ]);
  assert.deepEqual(inputs.map((i) => [i.wordsPath, i.a, i.b]), [[words, `vectors:${vectors}`, 'glove-wiki-gigaword-300']]);
});

test('a source\'s Browse… refuses a file that is not a vector file and shows the list again; the dialog starts in the last folder; Enter a spec has Back to the list', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mechlens-compare-browse-'));
  const vectors = path.join(root, 'glove.txt');
  writeFileSync(vectors, `apple ${Array.from({ length: 40 }, (_, k) => (k / 7).toFixed(5)).join(' ')}\npear ${Array.from({ length: 40 }, (_, k) => (k / 3).toFixed(5)).join(' ')}\n`);
  const words = path.join(root, 'fruit.words');
  writeFileSync(words, '[fruit]\napple\npear\n');
  let lastFolder = '/workspace/previous';
  const local = { items: async () => [], browseStart: () => FakeUri.file(lastFolder), rememberBrowsed: async (p: string) => { lastFolder = path.dirname(p); } };
  // A: Browse → a word list (refused) → the list again → Browse → the vector file. B: Enter a spec → Back → a catalog row.
  recorded.quickPickAnswers.push(byPrefix('Browse for a vector file'), byPrefix('Browse for a vector file'), byPrefix('Enter a source spec'), byLabel('glove-wiki-gigaword-300'));
  recorded.openDialogAnswers.push([FakeUri.file(words)], [FakeUri.file(vectors)]);
  recorded.inputBoxAnswers.push(BACK_ANSWER);
  const inputs: CompareInput[] = [];
  await h.command.compareEmbeddings({ ...services(async (input) => { inputs.push(input); return result(); }), local } as never, { uri: wordsUri as never });
  assert.equal(recorded.warnings.length, 1);
  assert.match(recorded.warnings[0], /^MechLens: .*fruit\.words/);
  assert.ok(recorded.warnings[0].length < 200, 'a short message, with no file content');
  assert.deepEqual(recorded.openDialogs.map((d) => [d.defaultUri?.fsPath, d.title, d.openLabel, Object.keys(d.filters ?? {})]), [
    ['/workspace/previous', 'MechLens: vector file for source A', 'Use as source A', ['Vector files', 'All files']],
    [root, 'MechLens: vector file for source A', 'Use as source A', ['Vector files', 'All files']],
  ]);
  assert.deepEqual(recorded.quickPicks.map((q) => [q.title, q.back]), [
    ['MechLens: Compare Embeddings — source A', false], ['MechLens: Compare Embeddings — source A', false],
    ['MechLens: Compare Embeddings — source B', true], ['MechLens: Compare Embeddings — source B', true],
  ]);
  assert.deepEqual(recorded.inputBoxes.map((b) => [b.title, b.back, b.value]), [['MechLens: Compare Embeddings — source B', true, '']]);
  assert.deepEqual(inputs.map((i) => [i.a, i.b]), [[`vectors:${vectors}`, 'glove-wiki-gigaword-300']]);
});
