import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installFakeVscode } from '../fake-vscode';
import type * as RunsModule from '../../../src/extension/views/runs';
import { RunHistory } from '../../../src/extension/views/run-history';
import { RecentList, type MementoLike } from '../../../src/extension/recent';
import type { Result } from '../../../src/protocol/result';

let runsModule: typeof RunsModule;

before(async () => {
  installFakeVscode();
  runsModule = await import('../../../src/extension/views/runs');
});

class Memory implements MementoLike {
  private readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.store.get(key) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.store.set(key, value); return Promise.resolve(); }
}

/** Only what the Runs view reads from a file (job and title): the history writes whatever result it is given. */
function runOf(job: string, title: string): Result {
  return { schemaVersion: 1, job, title } as unknown as Result;
}

test('Runs › Recent lists every finished run of every job, newest first, with its title and job icon', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-history-'));
  try {
    const recent = new RecentList(new Memory(), 'mechlens.recentRuns', 20);
    let changes = 0;
    const history = new RunHistory(folder, recent, () => changes++);
    const when = new Date('2026-12-06T15:00:00Z');
    await history.record(runOf('compare', 'glove vs fasttext'), when);
    await history.record(runOf('compare', 'glove vs fasttext'), when);
    await history.record(runOf('contrast', 'Contrast of tiny'), when);
    await history.record(runOf('tokens', 'Token embeddings of tiny'), when);
    assert.equal(changes, 4, 'each run refreshes the view');

    const provider = new runsModule.RunsTreeProvider(recent);
    const groups = await provider.getChildren();
    assert.deepEqual(groups.map((g) => (provider.getTreeItem(g) as { label?: unknown }).label), ['Recent']);
    const items = (await provider.getChildren(groups[0])).map((n) => provider.getTreeItem(n) as { description?: string; iconPath?: { id: string } });
    // Two runs of the same job with the same title are two entries, not one.
    assert.deepEqual(items.map((i) => i.description), ['Token embeddings of tiny', 'Contrast of tiny', 'glove vs fasttext', 'glove vs fasttext']);
    assert.deepEqual(items.map((i) => i.iconPath?.id), ['symbol-array', 'pulse', 'graph', 'graph']);
    provider.dispose();
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('run history deletes the files of runs that fell off the recent list', async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-history-'));
  try {
    const recent = new RecentList(new Memory(), 'mechlens.recentRuns', 2);
    const history = new RunHistory(folder, recent);
    const first = await history.record(runOf('match', 'first'));
    const second = await history.record(runOf('match', 'second'));
    const third = await history.record(runOf('attention', 'third'));
    assert.equal(fs.existsSync(first), false);
    assert.deepEqual([second, third].map((f) => fs.existsSync(f)), [true, true]);
    assert.equal(JSON.parse(fs.readFileSync(third, 'utf8')).title, 'third');
    assert.equal(recent.items().length, 2);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
