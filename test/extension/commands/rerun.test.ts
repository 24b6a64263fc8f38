// Re-running a job from its panel: the compare command registers the re-run, the webview's
// `rerun` request runs the job again with the checked parameters and the new result goes to the
// same panel; bad parameters, a second request while one runs, cancel from the panel and a panel
// without a registered re-run are answered without running anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUri, recorded, type FakeWebviewPanel } from '../fake-vscode';
import { byLabel, commandHarness, Memory, tick } from './command-harness';
import { SCHEMA_VERSION, type CompareResult } from '../../../src/protocol/result';
import { CancelledError } from '../../../src/core/errors';
import type { CompareInput } from '../../../src/core/analyses/compare';
import type { RunControl } from '../../../src/core/run-control';
import type { CompareRerunParams } from '../../../src/protocol/rerun';
import { RecentList } from '../../../src/extension/recent';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const h = commandHarness(() => import('../../../src/extension/commands/compare'));

function result(title: string, permutations: number): CompareResult {
  const space = { source: { spec: 'a', label: 'a', kind: 'catalog' as const, dims: 1 }, similarity: [[1, 0], [0, 1]],
    selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [[1], [0]] };
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title, items: ['x', 'y'], itemCategories: [null, null], categories: [], missing: [],
    a: space, b: space, rsa: { pearson: 0.5, spearman: 0.4, cosine: 0.9, pValue: 0.3, permutations, n: 1 }, rsaByCategory: [], warnings: [],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words: 'w', seed: 0 } };
}

type Job = (input: CompareInput, control: RunControl) => Promise<CompareResult>;

function services(job: Job) {
  const memory = new Memory();
  return {
    ...h.panelServices(memory), runCompare: job,
    catalog: () => [{ name: 'glove-wiki-gigaword-50', dims: 50 }, { name: 'glove-wiki-gigaword-300', dims: 300 }],
    cachedCatalogNames: () => new Set<string>(),
    recentSources: { a: new RecentList(memory, 'a'), b: new RecentList(memory, 'b') },
  };
}

const params: CompareRerunParams = { job: 'compare', permutations: 50, perplexity: 4, eps: null, minSamples: 2, k: null };

/** Runs the compare command to its first result, with the webview ready. */
async function firstRun(job: Job): Promise<FakeWebviewPanel> {
  recorded.inspect = { 'tsne.perplexity': { defaultValue: null, globalValue: 7 }, 'dbscan.eps': { defaultValue: null, globalValue: 2.5 } };
  recorded.quickPickAnswers.push(byLabel('glove-wiki-gigaword-50'), byLabel('glove-wiki-gigaword-300'));
  await h.command.compareEmbeddings(services(job) as never, { uri: FakeUri.file('/workspace/space.words') as never });
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  panel.posted.length = 0;
  return panel;
}

const replies = (panel: FakeWebviewPanel) => panel.posted.filter((m) => (m as { type: string }).type === 'reply');

test('a rerun request runs the job again with the new parameters and posts the new result to the same panel', async () => {
  const inputs: CompareInput[] = [];
  const panel = await firstRun(async (input, control) => {
    inputs.push(input);
    control.onProgress?.({ message: 't-SNE iteration 100', fraction: 0.5 });
    return result(`run ${inputs.length}`, input.permutations ?? 1000);
  });
  panel.send({ type: 'request', id: 3, method: 'rerun', params });
  await tick(); await tick();
  assert.equal(recorded.panels.length, 1, 'no second panel');
  assert.equal(inputs.length, 2);
  assert.equal(inputs[1].wordsPath, '/workspace/space.words');
  assert.equal(inputs[1].a, 'glove-wiki-gigaword-50');
  assert.equal(inputs[1].permutations, 50);
  // The panel's perplexity replaces the setting's; eps null means automatic even though a setting gave 2.5.
  assert.deepEqual(inputs[1].map, { eps: undefined, perplexity: 4, minSamples: 2 });
  const types = panel.posted.map((m) => (m as { type: string }).type);
  assert.deepEqual(types, ['progress', 'result', 'reply']);
  assert.equal((panel.posted[1] as { result: CompareResult }).result.rsa.permutations, 50);
  assert.deepEqual(panel.posted[2], { type: 'reply', id: 3, ok: true, value: { status: 'done' } });
  assert.equal(panel.title, 'run 2');
  assert.ok(recorded.log.some((l) => l.startsWith('info Compare: running again from the panel with {"job":"compare","permutations":50')));
});

test('bad parameters are refused with a message naming the field, and the job does not run', async () => {
  let runs = 0;
  const panel = await firstRun(async () => { runs++; return result('r', 1); });
  for (const [id, p] of [[4, { ...params, permutations: 1e9 }], [5, { ...params, job: 'contrast' }], [6, 'permutations=5']] as const) {
    panel.send({ type: 'request', id, method: 'rerun', params: p });
    await tick();
  }
  assert.equal(runs, 1, 'only the first run');
  const [r4, r5, r6] = replies(panel) as { id: number; ok: boolean; error: string }[];
  assert.equal(r4.ok, false);
  assert.match(r4.error, /permutations = 1000000000.*whole number from 0 to 100000/);
  assert.match(r5.error, /re-run job "contrast", but it shows a compare result/);
  assert.match(r6.error, /without parameters/);
});

test('Cancel in the panel aborts the re-run, the old result stays, and a second request meanwhile is refused', async () => {
  let calls = 0;
  let aborted = false;
  const panel = await firstRun((_input, control) => {
    calls++;
    if (calls === 1) return Promise.resolve(result('first', 1));
    return new Promise((_resolve, reject) => control.signal?.addEventListener('abort', () => { aborted = true; reject(new CancelledError()); }));
  });
  panel.send({ type: 'request', id: 10, method: 'rerun', params });
  await tick();
  panel.send({ type: 'request', id: 11, method: 'rerun', params });
  await tick();
  panel.send({ type: 'request', id: 12, method: 'cancelRerun' });
  await tick(); await tick();
  assert.equal(aborted, true);
  const byId = Object.fromEntries(replies(panel).map((m) => [(m as { id: number }).id, m]));
  assert.match((byId[11] as { error: string }).error, /already going/);
  assert.deepEqual(byId[12], { type: 'reply', id: 12, ok: true, value: { cancelled: true } });
  assert.deepEqual(byId[10], { type: 'reply', id: 10, ok: true, value: { status: 'cancelled' } });
  assert.ok(!panel.posted.some((m) => (m as { type: string }).type === 'result'), 'no new result');
  assert.equal(panel.title, 'first');
});

test('a failing re-run replies with the error and leaves the panel showing the previous result', async () => {
  let calls = 0;
  const panel = await firstRun(async () => {
    if (++calls === 1) return result('first', 1);
    throw new Error('disk full');
  });
  panel.send({ type: 'request', id: 20, method: 'rerun', params });
  await tick(); await tick();
  const reply = replies(panel)[0] as { ok: boolean; error: string };
  assert.equal(reply.ok, false);
  assert.match(reply.error, /running again failed unexpectedly \(disk full\)/);
  assert.ok(recorded.log.some((l) => l.startsWith('error Re-run from the panel failed')));
  assert.ok(!panel.posted.some((m) => ['result', 'error'].includes((m as { type: string }).type)));
});

test('a panel without a registered re-run (a saved run) says so, and tells the webview it cannot re-run', async () => {
  const panel = h.panel.ResultPanel.create(h.panelServices(new Memory()) as never, 'saved');
  const fake = recorded.panels[0];
  fake.send({ type: 'ready' });
  fake.send({ type: 'request', id: 1, method: 'rerun', params });
  await tick();
  assert.match((fake.posted[0] as { error: string }).error, /opened from a saved run or restored after a reload/);
  panel.setRerunHandler(async () => result('x', 1));
  assert.deepEqual(fake.posted.at(-1), { type: 'capabilities', rerun: true, runAgain: false });
  assert.equal(panel.canRerun, true);
});

test('a re-run that only changes eps or min_samples re-clusters the maps on screen without running the job', async () => {
  const stored = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'compare-result.json'), 'utf8')) as CompareResult;
  let runs = 0;
  const panel = await firstRun(async () => { runs++; return stored; });
  panel.send({ type: 'request', id: 30, method: 'rerun', params: { job: 'compare', permutations: stored.rsa.permutations, perplexity: null, eps: 1e-6, minSamples: 2 } });
  await tick(); await tick();
  assert.equal(runs, 1, 'no second run of the job');
  const shown = (panel.posted.find((m) => (m as { type: string }).type === 'result') as { result: CompareResult }).result;
  assert.ok(shown.a.map?.labels.every((l) => l === -1), 'every word is noise at a tiny eps');
  assert.equal(shown.a.map?.options.minSamples, 2);
  assert.deepEqual(replies(panel).at(-1), { type: 'reply', id: 30, ok: true, value: { status: 'done' } });
  assert.ok(recorded.log.some((l) => l.startsWith('info Compare: re-clustered the existing t-SNE maps with eps 0.000001, min_samples 2')));

  panel.send({ type: 'request', id: 31, method: 'rerun', params: { job: 'compare', permutations: stored.rsa.permutations, perplexity: 3, eps: null, minSamples: 3 } });
  await tick(); await tick();
  assert.equal(runs, 2, 'a new perplexity runs the job');
});
