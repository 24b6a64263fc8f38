// "MechLens: Match Vocabularies…" driven through the fake vscode module: the questions it asks
// (source A, model B, L, leading space, K), the input it hands the job, progress, the panel, the
// in-panel re-run with another L/K/leading space, cancel and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BACK_ANSWER, FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { byLabel, checkpointFolder, commandHarness, Memory, tick } from './command-harness';
import type { MatchResult } from '../../../src/protocol/result';
import { CancelledError, MechLensError } from '../../../src/core/errors';
import type { MatchInput } from '../../../src/core/analyses/match';
import type { RunControl } from '../../../src/core/run-control';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/match'));

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'match-result.regression.json'), 'utf8')) as MatchResult;
type Job = (input: MatchInput, control: RunControl) => Promise<MatchResult>;

function services(job: Job) {
  const memory = new Memory();
  return {
    ...h.panelServices(memory),
    runMatch: job,
    catalog: () => [{ name: 'word2vec-google-news-300', dims: 300 }, { name: 'glove-wiki-gigaword-50', dims: 50 }],
    cachedCatalogNames: () => new Set<string>(),
    cachedModelNames: () => new Set<string>(),
    recentSources: new RecentList(memory, 'sources'),
    recentModels: new RecentList(memory, 'models'),
  };
}

const activeItem = (_items: QuickPickItem[], active: QuickPickItem[]) => active[0];
const byPart = (part: string) => (items: QuickPickItem[]) => items.find((i) => i.label.includes(part));

test('asks for A, model, L, leading space and K; runs the job with them and the settings; shows the result', async () => {
  recorded.inspect = { permutations: { defaultValue: 1000, globalValue: 200 }, seed: { defaultValue: 0, globalValue: 3 } };
  recorded.quickPickAnswers.push(byLabel('word2vec-google-news-300'), activeItem, byLabel('Either'));
  recorded.inputBoxAnswers.push('7', '50');
  const inputs: MatchInput[] = [];
  const s = services(async (input, control) => {
    inputs.push(input);
    control.onProgress?.({ message: 'Walking the vocabulary', fraction: 0.05 });
    control.onProgress?.({ message: 'Comparing 50 matched words', fraction: 0.5 });
    return fixture;
  });
  const out = await h.command.matchVocabularies(s as never);
  assert.equal(out, fixture);
  assert.deepEqual(recorded.quickPicks.map((q) => q.title), ['MechLens: Match Vocabularies — source A', 'MechLens: Match Vocabularies — model B', 'MechLens: Match Vocabularies — leading space']);
  assert.ok(!recorded.quickPicks[0].items.some((i) => i.label.includes('token embeddings')), 'source A offers no model token embeddings');
  assert.equal(recorded.quickPicks[1].active[0].label, 'gpt2', 'GPT-2 is the default model');
  assert.equal(recorded.quickPicks[2].active[0].label, 'With a leading space', 'the notebook\'s form is the default');
  assert.deepEqual(inputs, [{ a: 'word2vec-google-news-300', b: 'model:gpt2#embed', length: 7, count: 50, leadingSpace: 'either',
    permutations: 200, seed: 3, map: {}, cacheDir: undefined, offline: false }]);
  assert.deepEqual(recorded.progress.map((p) => [p.message, p.increment]), [['Walking the vocabulary', 5], ['Comparing 50 matched words', 45]]);
  assert.ok(recorded.log.some((l) => l.startsWith('info Match finished in') && l.includes(`RSA r = ${fixture.rsa!.pearson.toFixed(4)}`)));
  assert.deepEqual(s.recentSources.items(), ['word2vec-google-news-300']);
  assert.deepEqual(s.recentModels.items(), ['gpt2']);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type), ['capabilities', 'progress', 'result', 'capabilities']);
  assert.deepEqual(panel.posted[3], { type: 'capabilities', rerun: true, runAgain: true });
});

test('every step is numbered, the typed L and K too: (1/5) to (5/5)', async () => {
  recorded.quickPickAnswers.push(byLabel('word2vec-google-news-300'), activeItem, activeItem);
  recorded.inputBoxAnswers.push('6', '100');
  await h.command.matchVocabularies(services(async () => fixture) as never);
  assert.deepEqual(recorded.steps.map((s) => s.replace(/^.* — /, '')), ['source A (1/5)', 'model B (2/5)', 'word length (3/5)', 'leading space (4/5)', 'number of words (5/5)']);
});

test('right-click on a vector file makes it source A; the default L and K are the notebook\'s 6 and 100', async () => {
  recorded.quickPickAnswers.push(byPart('Enter a Hugging Face id'), activeItem);
  const folder = checkpointFolder('tiny-gpt2');
  recorded.inputBoxAnswers.push(folder, '6', '100');
  const inputs: MatchInput[] = [];
  await h.command.matchVocabularies(services(async (input) => { inputs.push(input); return fixture; }) as never,
    { uri: FakeUri.file('/workspace/vectors/word2vec-small.txt') as never });
  assert.equal(recorded.quickPicks[0].title, 'MechLens: Match Vocabularies — model B');
  assert.equal(inputs[0].a, 'vectors:/workspace/vectors/word2vec-small.txt');
  assert.equal(inputs[0].b, `model:${folder}#embed`);
  assert.deepEqual([inputs[0].length, inputs[0].count, inputs[0].leadingSpace], [6, 100, 'with']);
});

test('input checks: L and K are whole numbers in range; a typed source A must not be a model', () => {
  assert.equal(h.command.validateWholeNumber('6', 1, 64, 'the word length'), undefined);
  assert.match(h.command.validateWholeNumber('0', 1, 64, 'the word length') ?? '', /from 1 to 64/);
  assert.match(h.command.validateWholeNumber('6.5', 1, 64, 'the word length') ?? '', /whole number/);
  assert.match(h.command.validateWholeNumber('20000', 1, 10_000, 'the number of words') ?? '', /10,000/);
  assert.match(h.command.validateVectorSpec('model:gpt2#embed', ['glove-wiki-gigaword-50']) ?? '', /must be a vector set/);
  assert.equal(h.command.validateVectorSpec('vectors:/x/w2v.bin', []), undefined);
});

test('Run again in the panel re-runs with the new L, K and leading space, everything else as before', async () => {
  recorded.quickPickAnswers.push(byLabel('word2vec-google-news-300'), activeItem, activeItem);
  recorded.inputBoxAnswers.push('6', '100');
  const inputs: MatchInput[] = [];
  await h.command.matchVocabularies(services(async (input) => { inputs.push(input); return fixture; }) as never);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  panel.send({ type: 'request', id: 1, method: 'rerun', params: { job: 'match', length: 5, count: 20, leadingSpace: 'without' } });
  for (let i = 0; i < 5 && inputs.length < 2; i++) await tick();
  await tick();
  assert.deepEqual({ ...inputs[1] }, { ...inputs[0], length: 5, count: 20, leadingSpace: 'without' });
  assert.deepEqual(panel.posted.at(-1), { type: 'reply', id: 1, ok: true, value: { status: 'done' } });
  // Untrusted params are checked before anything runs.
  panel.send({ type: 'request', id: 2, method: 'rerun', params: { job: 'match', length: 0, count: 20, leadingSpace: 'without' } });
  await tick();
  await tick();
  const reply = panel.posted.at(-1) as { type: string; ok: boolean; error: string };
  assert.equal(reply.ok, false);
  assert.match(reply.error, /length = 0.*whole number from 1 to 64/);
  assert.equal(inputs.length, 2);
});

test('cancel aborts the job through its signal and the panel says cancelled', async () => {
  recorded.quickPickAnswers.push(byLabel('word2vec-google-news-300'), activeItem, activeItem);
  recorded.inputBoxAnswers.push('6', '100');
  let aborted = false;
  const job: Job = (_input, control) => new Promise((_resolve, reject) => {
    control.signal?.addEventListener('abort', () => { aborted = true; reject(new CancelledError()); });
    setImmediate(() => recorded.cancelProgress());
  });
  assert.equal(await h.command.matchVocabularies(services(job) as never), undefined);
  assert.equal(aborted, true);
  assert.deepEqual(recorded.errors, []);
  assert.deepEqual(recorded.infos, ['MechLens: vocabulary matching cancelled.']);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.at(-1), { type: 'cancelled' });
});

test('an error names what failed and the fix, in the panel and a notification; hiding a question runs nothing', async () => {
  recorded.quickPickAnswers.push(byLabel('word2vec-google-news-300'), activeItem, activeItem);
  recorded.inputBoxAnswers.push('6', '100');
  const job: Job = async () => { throw new MechLensError('not-found', 'vector file not found', { input: '/x/w2v.bin', fix: 'Check the path after vectors:.' }); };
  await h.command.matchVocabularies(services(job) as never);
  assert.equal(recorded.errors.length, 1);
  assert.match(recorded.errors[0], /w2v\.bin/);
  assert.match(recorded.errors[0], /Check the path after vectors:/);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.equal((panel.posted.at(-1) as { type: string }).type, 'error');

  recorded.panels.length = 0;
  recorded.quickPickAnswers.push(byLabel('word2vec-google-news-300'), activeItem);
  recorded.inputBoxAnswers.push(undefined);
  let ran = false;
  assert.equal(await h.command.matchVocabularies(services(async () => { ran = true; return fixture; }) as never), undefined);
  assert.equal(ran, false);
  assert.equal(recorded.panels.length, 0);
});

test('source A\'s Enter a spec has Back to the list; Browse… refuses a word list, then takes a vector file from the dialog that starts in the last folder', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mechlens-match-browse-'));
  const vectors = join(root, 'small.vec');
  writeFileSync(vectors, `2 40\napple ${Array.from({ length: 40 }, (_, k) => (k / 7).toFixed(5)).join(' ')}\npear ${Array.from({ length: 40 }, (_, k) => (k / 3).toFixed(5)).join(' ')}\n`);
  const words = join(root, 'fruit.words');
  writeFileSync(words, '[fruit]\napple\npear\n');
  let lastFolder = '/workspace/previous';
  const local = { items: async () => [], browseStart: () => FakeUri.file(lastFolder), rememberBrowsed: async (p: string) => { lastFolder = dirname(p); } };
  recorded.quickPickAnswers.push(byPart('Enter a source spec'), byPart('Browse for a vector file'), byPart('Browse for a vector file'), activeItem, activeItem);
  recorded.inputBoxAnswers.push(BACK_ANSWER, '6', '100');
  recorded.openDialogAnswers.push([FakeUri.file(words)], [FakeUri.file(vectors)]);
  const inputs: MatchInput[] = [];
  await h.command.matchVocabularies({ ...services(async (input) => { inputs.push(input); return fixture; }), local } as never);
  assert.deepEqual(recorded.quickPicks.slice(0, 3).map((q) => [q.title, q.back]), Array(3).fill(['MechLens: Match Vocabularies — source A', false]));
  assert.deepEqual(recorded.inputBoxes[0], { title: 'MechLens: Match Vocabularies — source A', value: '', back: true, validation: undefined });
  assert.equal(recorded.warnings.length, 1);
  assert.match(recorded.warnings[0], /^MechLens: .*fruit\.words/);
  assert.deepEqual(recorded.openDialogs.map((d) => [d.defaultUri?.fsPath, d.openLabel, Object.keys(d.filters ?? {})]), [
    ['/workspace/previous', 'Use as source A', ['Vector files', 'All files']], [root, 'Use as source A', ['Vector files', 'All files']],
  ]);
  assert.equal(inputs[0].a, `vectors:${vectors}`);
});
