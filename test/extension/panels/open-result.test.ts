import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, FakeWebviewPanel, installFakeVscode, recorded } from '../fake-vscode';
import { SCHEMA_VERSION } from '../../../src/protocol/result';
import { RecentList, type MementoLike } from '../../../src/extension/recent';
import type * as OpenModule from '../../../src/extension/panels/open-result';
import type * as LogModule from '../../../src/extension/log';

let openModule: typeof OpenModule;
let logModule: typeof LogModule;

before(async () => {
  installFakeVscode();
  openModule = await import('../../../src/extension/panels/open-result');
  logModule = await import('../../../src/extension/log');
});

class Memory implements MementoLike {
  private readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.store.get(key) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.store.set(key, value); return Promise.resolve(); }
}

const tick = () => new Promise((r) => setImmediate(r));

test('the custom editor opens a saved run as a panel, and refuses a future schema with a clear message', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const space = { source: { spec: 'a', label: 'a', kind: 'catalog', dims: 1 }, similarity: [[1]], selectivity: {}, lowercased: [], missing: [], zeroVectors: [], vectors: [[1]] };
    const good = { schemaVersion: SCHEMA_VERSION, job: 'compare', title: 'saved', items: ['x'], itemCategories: [null], categories: [], missing: [], a: space, b: space,
      rsa: {}, rsaByCategory: [], warnings: [], run: {}, inputs: {} };
    fs.writeFileSync(path.join(dir, 'good.mechlens.json'), JSON.stringify(good));
    fs.writeFileSync(path.join(dir, 'future.mechlens.json'), JSON.stringify({ ...good, schemaVersion: 42 }));
    const recentRuns = new RecentList(new Memory(), 'runs');
    const provider = new openModule.ResultEditorProvider({ extensionUri: FakeUri.file('/ext') as never, log: new logModule.Log(), recentRuns });

    const goodUri = FakeUri.file(path.join(dir, 'good.mechlens.json'));
    const panel = new FakeWebviewPanel('good.mechlens.json');
    await provider.resolveCustomEditor(provider.openCustomDocument(goodUri as never), panel as never);
    panel.send({ type: 'ready' });
    await tick();
    assert.deepEqual(panel.posted, [{ type: 'result', result: good }]);
    assert.deepEqual(recentRuns.items(), [goodUri.toString()]);

    recorded.errors.length = 0;
    recorded.errorButtons.length = 0;
    const future = new FakeWebviewPanel('future.mechlens.json');
    await provider.resolveCustomEditor(provider.openCustomDocument(FakeUri.file(path.join(dir, 'future.mechlens.json')) as never), future as never);
    future.send({ type: 'ready' });
    await tick();
    assert.equal((future.posted[0] as { type: string }).type, 'error');
    assert.match(recorded.errors[0], /future\.mechlens\.json: Saved with result schema version 42, but this MechLens reads version 1\. Update the MechLens extension/);
    assert.deepEqual(recorded.errorButtons[0], ['Open Log', 'Open as Text']);
    assert.deepEqual(recentRuns.items(), [goodUri.toString()], 'a file that failed to open is not added to the recent runs');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
