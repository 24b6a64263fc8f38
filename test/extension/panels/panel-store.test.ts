import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PanelStore, webviewStateItemLimit } from '../../../src/extension/panels/panel-store';
import type { MementoLike } from '../../../src/extension/recent';
import { SCHEMA_VERSION, type CompareResult } from '../../../src/protocol/result';

class Memory implements MementoLike {
  readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.store.get(key) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.store.set(key, JSON.parse(JSON.stringify(value))); return Promise.resolve(); }
}

function result(n: number, title: string): CompareResult {
  const items = Array.from({ length: n }, (_, i) => `w${i}`);
  const similarity = items.map((_, i) => items.map((__, j) => (i === j ? 1 : 0)));
  const space = { source: { spec: 'a', label: 'a', kind: 'catalog' as const, dims: 1 }, similarity, selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: items.map(() => [1]) };
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title, items, itemCategories: items.map(() => null), categories: [], missing: [], a: space, b: space,
    rsa: { pearson: 1, spearman: 1, cosine: 1, pValue: null, permutations: 0, n: 1 }, rsaByCategory: [], warnings: [], run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words: 'w', seed: 0 } };
}

test('results too big for webview state are kept per title, the newest eight, and read back equal', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const folder = path.join(dir, 'panels');
    const store = new PanelStore(new Memory(), folder);
    assert.equal(await store.remember('small', result(webviewStateItemLimit, 'small')), undefined, 'the webview state holds these');
    assert.equal(store.recall('small'), undefined);
    const big = result(webviewStateItemLimit + 1, 'big');
    const file = await store.remember('big', big);
    assert.ok(file && fs.existsSync(file));
    assert.deepEqual(store.recall('big'), big);
    for (let i = 0; i < 8; i++) await store.remember(`other ${i}`, result(webviewStateItemLimit + 1, `other ${i}`));
    assert.equal(store.recall('big'), undefined, 'the oldest is dropped beyond eight');
    assert.equal(fs.existsSync(file!), false, 'with its file');
    assert.equal(fs.readdirSync(folder).length, 8);
    assert.equal(store.recall('other 7')?.title, 'other 7');
    fs.writeFileSync(path.join(folder, 'stray.mechlens.json'), '{}');
    await store.remember('other 7', result(webviewStateItemLimit + 2, 'other 7'));
    assert.equal(fs.existsSync(path.join(folder, 'stray.mechlens.json')), false, 'files the store does not list are pruned');
    const replaced = store.recall('other 7');
    assert.equal(replaced?.job === 'compare' && replaced.items.length, webviewStateItemLimit + 2, 'the same title is replaced');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
