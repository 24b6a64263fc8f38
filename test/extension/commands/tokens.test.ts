// "Map Token Embeddings…" driven through a fake vscode: the picks (model, tokens, projection), the
// job input for the first N, the whole vocabulary and a right-clicked token list, progress and the
// panel, cancel, and "Run again" from the panel with checked parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { byLabel, byPrefix, commandHarness, Memory, tick } from './command-harness';
import type { TokensResult } from '../../../src/protocol/result';
import { CancelledError } from '../../../src/core/errors';
import type { TokensInput } from '../../../src/core/analyses/tokens';
import type { RunControl } from '../../../src/core/run-control';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/tokens'));

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'tokens-result.regression.json'), 'utf8')) as TokensResult;
type Job = (input: TokensInput, control: RunControl) => Promise<TokensResult>;

function services(job: Job) {
  const memory = new Memory();
  return { ...h.panelServices(memory), runTokens: job, cachedModelNames: () => new Set<string>(['gpt2']), recentModels: new RecentList(memory, 'models') };
}

const active = (_items: QuickPickItem[], act: QuickPickItem[]) => act[0];

test('defaults: gpt2, the first 100 tokens, t-SNE; the job gets them and the result reaches the panel', async () => {
  recorded.quickPickAnswers.push(active, active, active);
  recorded.inputBoxAnswers.push('100');
  const inputs: TokensInput[] = [];
  const s = services(async (input, control) => {
    inputs.push(input);
    control.onProgress?.({ message: 'Reading 100 embedding rows', fraction: 0.05 });
    return fixture;
  });
  const out = await h.command.mapTokenEmbeddings(s as never);
  assert.equal(out, fixture);
  assert.deepEqual(recorded.quickPicks.map((q) => q.active[0]?.label), ['gpt2', 'First 100 tokens', 't-SNE']);
  assert.ok(recorded.quickPicks[1].items.some((i) => i.label === 'The whole vocabulary (50,257 tokens)'), 'the vocabulary size comes from the catalog');
  assert.deepEqual(inputs, [{ model: 'gpt2', first: 100, method: 'tsne', cacheDir: undefined, offline: false }]);
  assert.ok(recorded.log.some((l) => l.startsWith('info Map tokens finished in') && l.includes(`${fixture.clusters.length} groups, ${fixture.ungrouped.indices.length} ungrouped (eps 7, min_samples 3)`)));
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type), ['capabilities', 'capabilities', 'progress', 'result']);
  assert.deepEqual(s.recentModels.items(), ['gpt2']);
});

test('the step counter runs (1/4) to (4/4) with N typed as step 3; a right-clicked list runs (1/3) to (3/3)', async () => {
  recorded.quickPickAnswers.push(active, active, active);
  recorded.inputBoxAnswers.push('100');
  await h.command.mapTokenEmbeddings(services(async () => fixture) as never);
  assert.deepEqual(recorded.steps.map((s) => s.replace(/^.* — /, '')), ['model (1/4)', 'tokens (2/4)', 'number of tokens (3/4)', 'projection (4/4)']);
  recorded.steps.length = 0;
  recorded.quickPickAnswers.push(active, active, active);
  await h.command.mapTokenEmbeddings(services(async () => fixture) as never, { uri: FakeUri.file('/workspace/space.words') as never });
  assert.deepEqual(recorded.steps.map((s) => s.replace(/^.* — /, '')), ['model (1/3)', 'leading space (2/3)', 'projection (3/3)']);
});

test('the whole vocabulary is N = vocabulary size, and PCA is preselected for it', async () => {
  recorded.quickPickAnswers.push(byLabel('gpt2-medium'), byPrefix('The whole vocabulary'), active);
  const inputs: TokensInput[] = [];
  await h.command.mapTokenEmbeddings(services(async (input) => { inputs.push(input); return fixture; }) as never);
  assert.equal(recorded.quickPicks[2].active[0]?.label, 'PCA');
  assert.deepEqual(inputs[0], { model: 'gpt2-medium', first: 50257, method: 'pca', cacheDir: undefined, offline: false });
});

test('a right-clicked token list skips the tokens step; the leading-space choice and the seed reach the job', async () => {
  recorded.inspect = { seed: { defaultValue: 0, globalValue: 4 } };
  recorded.quickPickAnswers.push(active, byLabel('Either'), active);
  const inputs: TokensInput[] = [];
  await h.command.mapTokenEmbeddings(services(async (input) => { inputs.push(input); return fixture; }) as never, { uri: FakeUri.file('/workspace/space.words') as never });
  assert.deepEqual(recorded.quickPicks.map((q) => q.title), ['MechLens: Map Token Embeddings — model', 'MechLens: Map Token Embeddings — leading space', 'MechLens: Map Token Embeddings — projection']);
  assert.deepEqual(inputs[0], { model: 'gpt2', tokensPath: '/workspace/space.words', leadingSpace: 'either', method: 'tsne', seed: 4, cacheDir: undefined, offline: false });
});

test('Escape at any step runs nothing; cancelling the progress cancels the job and the panel says so', async () => {
  recorded.quickPickAnswers.push(active, active);
  recorded.inputBoxAnswers.push(undefined);
  let runs = 0;
  assert.equal(await h.command.mapTokenEmbeddings(services(async () => { runs++; return fixture; }) as never), undefined);
  assert.equal(runs, 0);

  recorded.quickPickAnswers.push(active, active, active);
  recorded.inputBoxAnswers.push('100');
  const out = await h.command.mapTokenEmbeddings(services((_input, control) => new Promise((_resolve, reject) => {
    control.signal?.addEventListener('abort', () => reject(new CancelledError()));
    setImmediate(() => recorded.cancelProgress());
  })) as never);
  assert.equal(out, undefined);
  const panel = recorded.panels.at(-1);
  assert.ok(panel);
  panel.send({ type: 'ready' });
  await tick();
  assert.equal((panel.posted.at(-1) as { type: string }).type, 'cancelled');
  assert.ok(recorded.log.includes('info Map tokens cancelled'));
});

test('"Run again" from the panel re-runs with the new perplexity, eps and N; a bad value is refused without running', async () => {
  recorded.quickPickAnswers.push(active, active, active);
  recorded.inputBoxAnswers.push('100');
  const inputs: TokensInput[] = [];
  await h.command.mapTokenEmbeddings(services(async (input) => { inputs.push(input); return { ...fixture, title: `run ${inputs.length}` }; }) as never);
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  panel.posted.length = 0;
  panel.send({ type: 'request', id: 5, method: 'rerun', params: { job: 'tokens', method: 'tsne', perplexity: 12, eps: 4.5, minSamples: 4, first: 300 } });
  await tick(); await tick();
  assert.equal(inputs.length, 2);
  assert.deepEqual(inputs[1], { model: 'gpt2', first: 300, method: 'tsne', perplexity: 12, eps: 4.5, minSamples: 4, cacheDir: undefined, offline: false });
  assert.deepEqual(panel.posted.map((m) => (m as { type: string }).type), ['result', 'reply']);
  assert.equal(panel.title, 'run 2');

  panel.send({ type: 'request', id: 6, method: 'rerun', params: { job: 'tokens', method: 'tsne', perplexity: 0, eps: null, minSamples: 3, first: 100 } });
  await tick(); await tick();
  assert.equal(inputs.length, 2, 'perplexity 0 does not run');
  const reply = panel.posted.at(-1) as { type: string; id: number; ok: boolean; error?: string };
  assert.equal(reply.id, 6);
  assert.equal(reply.ok, false);
  assert.match(reply.error ?? '', /perplexity = 0/);
});

test('rerun checks: types and ranges of every field, and no N for a token-list run; a null eps drops the first run\'s eps', () => {
  // From the loaded module: importing it statically would load vscode before the fake is installed.
  const { validateTokensRerun, rerunInput, validateTokenCount } = h.command;
  const ok = { job: 'tokens', method: 'pca', perplexity: 5, eps: null, minSamples: 3, first: 50257 };
  assert.deepEqual(validateTokensRerun(ok, false), ok);
  for (const [field, value] of [['method', 'umap'], ['eps', 0], ['eps', '7'], ['minSamples', 2.5], ['first', 0], ['first', 2e6], ['job', 'compare']] as const) {
    assert.throws(() => validateTokensRerun({ ...ok, [field]: value }, false), new RegExp(`${field} = `), `${field} ${String(value)}`);
  }
  assert.throws(() => validateTokensRerun(ok, true), /first = 50257/);
  assert.deepEqual(validateTokensRerun({ ...ok, first: null }, true), { ...ok, first: null });
  assert.deepEqual(rerunInput({ model: 'gpt2', first: 100, eps: 7, method: 'tsne' }, { ...ok, method: 'pca', first: 200 } as never),
    { model: 'gpt2', first: 200, method: 'pca', perplexity: 5, minSamples: 3 });
  assert.equal(validateTokenCount('1,000', 50257), undefined);
  assert.match(validateTokenCount('60000', 50257) ?? '', /50,257 tokens/);
  assert.match(validateTokenCount('0', undefined) ?? '', /whole number/);
});
