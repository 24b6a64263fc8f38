// Contrast re-run from the panel: a change of only DBSCAN eps/min_samples or k-means k re-clusters the
// map on screen (no model run), any other change runs the job, and both results go to the same panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeUri, recorded, type QuickPickItem } from '../fake-vscode';
import { commandHarness, tick, Memory } from './command-harness';
import type { ContrastResult } from '../../../src/protocol/result';
import type { ContrastRerunParams } from '../../../src/protocol/rerun';
import { RecentList } from '../../../src/extension/recent';

const h = commandHarness(() => import('../../../src/extension/commands/contrast'));
const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'webview', 'fixtures', 'contrast-result.regression.json'), 'utf8')) as ContrastResult;
const active = (_items: QuickPickItem[], act: QuickPickItem[]) => act[0];

test('only k changed: re-clustered without the model; alpha changed: the job runs again; one panel throughout', async () => {
  let runs = 0;
  const memory = new Memory();
  const services = {
    ...h.panelServices(memory), runContrast: async () => { runs++; return fixture; },
    cachedModelNames: () => new Set<string>(), recentModels: new RecentList(memory, 'models'), recentHooks: new RecentList(memory, 'hooks'),
  };
  recorded.quickPickAnswers.push(active, active, active, active);
  await h.command.contrastSentences(services as never, { uri: FakeUri.file('/workspace/him-her.sentences') as never });
  const panel = recorded.panels[0];
  panel.send({ type: 'ready' });
  await tick();
  panel.posted.length = 0;
  const o = fixture.run.options as { perplexity: number; eps: number; minSamples: number };
  const params: ContrastRerunParams = { job: 'contrast', hook: fixture.hook, test: fixture.test, correction: fixture.correction, alpha: fixture.alpha,
    perplexity: o.perplexity, eps: o.eps, minSamples: o.minSamples, k: 2, shuffles: fixture.labelShuffle.shuffles };

  panel.send({ type: 'request', id: 1, method: 'rerun', params });
  await tick(); await tick();
  assert.equal(runs, 1, 'the model did not run again');
  const shown = (panel.posted.find((m) => (m as { type: string }).type === 'result') as { result: ContrastResult }).result;
  assert.equal(shown.kmeans?.k, 2);
  assert.deepEqual(shown.significant, fixture.significant);
  assert.ok(recorded.log.some((l) => l.startsWith('info Contrast: re-clustered the existing t-SNE map with eps 1, min_samples 3, k 2')));

  panel.send({ type: 'request', id: 2, method: 'rerun', params: { ...params, alpha: 0.01 } });
  await tick(); await tick();
  assert.equal(runs, 2, 'a new alpha runs the job');
  assert.equal(recorded.panels.length, 1);
  assert.deepEqual(panel.posted.filter((m) => (m as { type: string }).type === 'reply').map((m) => (m as { ok: boolean }).ok), [true, true]);
});
