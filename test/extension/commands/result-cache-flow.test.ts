// The result cache as the commands use it (extension/result-cache-flow.ts), driven through the fake
// vscode module with real files: the second identical Attention run shows the stored result marked
// "from cache" without running the job and says so; editing the word list, changing an option or
// replacing the model's weights runs it again; a cache provider that returns undefined (setting off)
// always runs; and the settings reader's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { commandHarness, byLabel, tick, Memory } from './command-harness';
import type { AttentionResult } from '../../../src/protocol/result';
import type { AttentionInput } from '../../../src/core/analyses/attention';
import { ResultCache } from '../../../src/core/result-cache/store';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/attention'));
const flow = () => import('../../../src/extension/commands/result-cache-flow');

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'webview', 'fixtures', 'attention-result.regression.json'), 'utf8')) as AttentionResult;

function setUp() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-cache-flow-'));
  const words = path.join(root, 'animals.words');
  fs.writeFileSync(words, '[animals]\ncat\ndog\nhorse\n');
  const model = path.join(root, 'tiny-gpt2');
  fs.mkdirSync(model);
  fs.writeFileSync(path.join(model, 'config.json'), '{"n_layer": 2}');
  fs.writeFileSync(path.join(model, 'model.safetensors'), Buffer.alloc(6 * 1024 * 1024, 7));
  const memory = new Memory();
  const inputs: AttentionInput[] = [];
  let cacheOn = true;
  const services = {
    ...h.panelServices(memory),
    runAttention: async (input: AttentionInput) => { inputs.push(input); return { ...fixture, layer: input.layer ?? 0 }; },
    cachedModelNames: () => new Set<string>(),
    recentModels: new RecentList(memory, 'models'),
    recentSaes: new RecentList(memory, 'saes'),
    resultCache: () => (cacheOn ? new ResultCache(path.join(root, 'results')) : undefined),
  };
  const run = async (layer = '1') => {
    recorded.quickPickAnswers.push((items: QuickPickItem[]) => items.find((i) => i.label.includes('Browse for a model folder')), byLabel(`Layer ${layer} only`), byLabel('No SAE'));
    recorded.openDialogAnswers.push([FakeUri.file(model)]);
    recorded.inputBoxAnswers.push('The next word is {word}', layer);
    return h.command.compareAttention(services as never, { uri: FakeUri.file(words) as never });
  };
  return { root, words, model, inputs, run, setCache: (on: boolean) => { cacheOn = on; } };
}

test('the same run twice: the second comes from the cache, is marked, and the user is told; changes are misses', async () => {
  const s = setUp();
  const first = await s.run();
  assert.equal(s.inputs.length, 1);
  assert.equal(first?.run.fromCache, undefined);
  assert.equal(recorded.infos.length, 0);

  const second = await s.run();
  assert.equal(s.inputs.length, 1, 'the job did not run again');
  assert.ok(second?.run.fromCache, 'marked as from the cache');
  assert.deepEqual({ ...second, run: { ...second!.run, fromCache: undefined } }, { ...first, run: { ...first!.run, fromCache: undefined } });
  assert.match(recorded.infos.at(-1) ?? '', /^MechLens: the attention run on animals\.words came from the result cache \(computed .+\); nothing was run\.$/);
  assert.ok(recorded.log.some((l) => /^info attention: using the cached result stored /.test(l)));
  // The same job on the same input shows in the same panel (mechlens.newPanelPerRun is off).
  assert.equal(recorded.panels.length, 1, 'the second run of the same input opened a panel of its own');
  const panel = recorded.panels.at(-1)!;
  panel.send({ type: 'ready' });
  await tick();
  const shown = [...panel.posted].reverse().find((m) => (m as { type: string }).type === 'result') as { result: AttentionResult };
  assert.ok(shown.result.run.fromCache, 'the panel gets the marker, so its header can say "from cache"');

  await s.run('0');
  assert.equal(s.inputs.length, 2, 'another layer is a miss');
  fs.appendFileSync(s.words, 'cow\n');
  await s.run();
  assert.equal(s.inputs.length, 3, 'an edited word list is a miss');
  await s.run();
  assert.equal(s.inputs.length, 3, 'and then a hit again');
  const weights = path.join(s.model, 'model.safetensors');
  fs.writeFileSync(`${weights}.tmp`, Buffer.alloc(6 * 1024 * 1024, 8));
  fs.renameSync(`${weights}.tmp`, weights);
  await s.run();
  assert.equal(s.inputs.length, 4, 'new weights are a miss');
});

test('with the cache turned off every run runs, and nothing is stored', async () => {
  const s = setUp();
  s.setCache(false);
  await s.run();
  await s.run();
  assert.equal(s.inputs.length, 2);
  assert.equal(fs.existsSync(path.join(s.root, 'results')), false);
  assert.equal(recorded.infos.length, 0);
});

test('lookUpOrRun stores nothing when an input changed during the run, and a failing run stores nothing', async () => {
  const { lookUpOrRun, attentionCacheParts } = await flow();
  const s = setUp();
  const cache = new ResultCache(path.join(s.root, 'results'));
  const parts = attentionCacheParts({ wordsPath: s.words, model: s.model, layer: 1 });
  const log = { info: (m: string) => recorded.log.push(`info ${m}`), warn: (m: string) => recorded.log.push(`warn ${m}`) };
  await lookUpOrRun(cache, parts, async () => { fs.appendFileSync(s.words, 'owl\n'); return fixture; }, log);
  assert.deepEqual((await cache.usage()).entries, 0);
  assert.ok(recorded.log.includes('info attention: result not cached (an input changed during the run)'));
  await assert.rejects(lookUpOrRun(cache, parts, async () => { throw new Error('model failed'); }, log), /model failed/);
  assert.deepEqual((await cache.usage()).entries, 0);
  const ran = await lookUpOrRun(cache, parts, async () => fixture, log);
  assert.equal(ran.fromCache, false);
  const hit = await lookUpOrRun(cache, parts, async () => { throw new Error('must not run'); }, log);
  assert.equal(hit.fromCache, true);
  // A stored value of another job under the same key (impossible unless tampered with) is not shown.
  const wrongJob = await lookUpOrRun(cache, { ...parts, job: 'contrast' }, async () => fixture, log);
  assert.equal(wrongJob.fromCache, false);
});

test('cache keys fill in the job defaults: an option left out and the same option given its default share a key; another value does not', async () => {
  const { attentionCacheParts, contrastCacheParts } = await flow();
  const s = setUp();
  const sentences = path.join(s.root, 'him-her.sentences');
  fs.writeFileSync(sentences, '[him]\nI saw {him}.\nI met {him}.\n[her]\nI saw {her}.\nI met {her}.\n');
  const { resultCacheKey } = await import('../../../src/core/result-cache/key');
  const attention = (extra: object) => resultCacheKey(attentionCacheParts({ wordsPath: s.words, model: s.model, ...extra }));
  assert.equal(await attention({}), await attention({ layer: 5, permutations: 1000, seed: 0, template: 'The next word is {word}' }));
  assert.equal(await attention({ permutations: undefined }), await attention({}));
  assert.notEqual(await attention({ permutations: 999 }), await attention({}));
  const contrast = (extra: object) => resultCacheKey(contrastCacheParts({ sentencesPath: sentences, model: s.model, ...extra }));
  assert.equal(await contrast({ alpha: undefined, test: 'student' }), await contrast({ alpha: 0.05, correction: 'bonferroni' }));
  assert.notEqual(await contrast({ alpha: 0.01 }), await contrast({}));
  assert.equal(await contrast({ offline: true }), await contrast({}));
});

test('settings: on by default with 512 MB; off and a custom size are honoured; nonsense sizes fall back', async () => {
  const { readResultCacheSettings, resultCacheDir } = await flow();
  const read = (values: Record<string, unknown>) => readResultCacheSettings(<T>(key: string) => values[key] as T | undefined);
  assert.deepEqual(read({}), { enabled: true, maxBytes: 512 * 1024 * 1024 });
  assert.deepEqual(read({ 'resultCache.enabled': false, 'resultCache.maxSizeMB': 2 }), { enabled: false, maxBytes: 2 * 1024 * 1024 });
  assert.equal(read({ 'resultCache.maxSizeMB': -5 }).maxBytes, 512 * 1024 * 1024);
  assert.equal(resultCacheDir('/c'), path.join('/c', 'results'));
});

test('Clear Result Cache removes every entry and says how many', async () => {
  const { clearResultCache, resultCacheDir } = await flow();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-cache-clear-'));
  const cache = new ResultCache(resultCacheDir(root));
  await cache.set('1'.repeat(64), { a: 1 });
  await cache.set('2'.repeat(64), { b: 2 });
  const log = new (await import('../../../src/extension/log')).Log();
  await clearResultCache(root, log);
  assert.deepEqual(await cache.usage(), { entries: 0, bytes: 0 });
  assert.match(recorded.infos.at(-1) ?? '', /^MechLens: removed 2 cached results \(0\.0 MB\) from .*results\.$/);
  await clearResultCache(root, log);
  assert.match(recorded.infos.at(-1) ?? '', /was already empty/);
});

test('Run again from the panel goes through the cache too: a setting seen before comes back marked, without running', async () => {
  const s = setUp();
  // The first run leaves permutations to the job's default; the panel sends the number: one key all the same.
  assert.equal(fixture.rsa.permutations, 1000);
  await s.run('1');
  const panel = recorded.panels.at(-1)!;
  panel.send({ type: 'ready' });
  const rerun = (id: number, layer: number) => panel.send({ type: 'request', id, method: 'rerun', params: { job: 'attention', layer, template: 'The next word is {word}', permutations: fixture.rsa.permutations } });
  // The re-run hashes real files: wait for the panel's reply rather than a fixed number of ticks.
  const settle = async (id: number) => {
    for (let i = 0; i < 500 && !panel.posted.some((m) => (m as { type: string; id?: number }).type === 'reply' && (m as { id?: number }).id === id); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  rerun(1, 0);
  await settle(1);
  assert.equal(s.inputs.length, 2, 'layer 0 is new: the job runs');
  rerun(2, 1);
  await settle(2);
  assert.equal(s.inputs.length, 2, 'layer 1 again: from the cache');
  const last = panel.posted.filter((m) => (m as { type: string }).type === 'result').at(-1) as { result: AttentionResult };
  assert.ok(last.result.run.fromCache);
  assert.equal(last.result.layer, 1);
});

test('Compare: the first run and Run again go through the cache; re-clustering the shown maps drops the "from cache" mark', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-cache-compare-'));
  const words = path.join(root, 'space.words');
  fs.writeFileSync(words, '[space]\nmoon\nstar\n');
  for (const f of ['a.txt', 'b.txt']) fs.writeFileSync(path.join(root, f), 'moon 1 0\nstar 0 1\n');
  const compareCommand = await import('../../../src/extension/commands/compare');
  const memory = new Memory();
  const inputs: unknown[] = [];
  const recentA = new RecentList(memory, 'a');
  const recentB = new RecentList(memory, 'b');
  await recentA.push(`vectors:${path.join(root, 'a.txt')}`);
  await recentB.push(`vectors:${path.join(root, 'b.txt')}`);
  const compareFixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'webview', 'fixtures', 'compare-result.json'), 'utf8'));
  const services = {
    ...h.panelServices(memory),
    // The result says how many permutations it ran, as the real job's does (Run again compares against it).
    runCompare: async (input: { permutations?: number }) => {
      inputs.push(input);
      return { ...compareFixture, rsa: { ...compareFixture.rsa, permutations: input.permutations ?? 1000 } };
    },
    catalog: () => [], cachedCatalogNames: () => new Set<string>(),
    recentSources: { a: recentA, b: recentB },
    resultCache: () => new ResultCache(path.join(root, 'results')),
  };
  const run = async () => {
    recorded.quickPickAnswers.push((_items: QuickPickItem[], active: QuickPickItem[]) => active[0], (_items: QuickPickItem[], active: QuickPickItem[]) => active[0]);
    await compareCommand.compareEmbeddings(services as never, { uri: FakeUri.file(words) as never });
  };
  await run();
  await run();
  assert.equal(inputs.length, 1, 'the second identical comparison comes from the cache');
  assert.match(recorded.infos.at(-1) ?? '', /the comparison on space\.words came from the result cache/);
  const panel = recorded.panels.at(-1)!;
  panel.send({ type: 'ready' });
  const settle = async (id: number) => {
    for (let i = 0; i < 500 && !panel.posted.some((m) => (m as { type: string; id?: number }).type === 'reply' && (m as { id?: number }).id === id); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const lastResult = () => (panel.posted.filter((m) => (m as { type: string }).type === 'result').at(-1) as { result: { run: { fromCache?: unknown } } }).result;
  const rerun = (id: number, permutations: number, eps: number | null, minSamples: number) =>
    panel.send({ type: 'request', id, method: 'rerun', params: { job: 'compare', permutations, perplexity: null, eps, minSamples, k: null } });
  rerun(1, 50, null, 3);
  await settle(1);
  assert.equal(inputs.length, 2, 'a new permutation count runs the job');
  rerun(2, 1000, null, 3);
  await settle(2);
  assert.equal(inputs.length, 3);
  rerun(3, 50, null, 3);
  await settle(3);
  assert.equal(inputs.length, 3, 'back to 50 permutations: the stored result, without running');
  assert.ok(lastResult().run.fromCache);
  // Only DBSCAN changed: re-clustered from the maps on screen, now, so not marked as stored.
  rerun(4, 50, 0.5, 2);
  await settle(4);
  assert.equal(inputs.length, 3);
  assert.equal(lastResult().run.fromCache, undefined);
});
