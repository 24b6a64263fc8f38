import { test, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeUri, installFakeVscode, recorded, type FakeWebviewPanel } from '../fake-vscode';
import { SCHEMA_VERSION, type CompareResult } from '../../../src/protocol/result';
import type * as PanelModule from '../../../src/extension/panels/panel';
import type * as LogModule from '../../../src/extension/log';
import { RecentList, type MementoLike } from '../../../src/extension/recent';
import { PanelStore, webviewStateItemLimit } from '../../../src/extension/panels/panel-store';
import { PinBoard } from '../../../src/extension/views/pin-board';
import { isPackedMatrix, unpackMatrices } from '../../../src/protocol/packed-matrices';

let panelModule: typeof PanelModule;
let logModule: typeof LogModule;

before(async () => {
  installFakeVscode();
  panelModule = await import('../../../src/extension/panels/panel');
  logModule = await import('../../../src/extension/log');
});

class Memory implements MementoLike {
  private readonly store = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.store.get(key) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.store.set(key, value); return Promise.resolve(); }
}

function services() {
  return { extensionUri: FakeUri.file('/ext') as never, log: new logModule.Log(), recentRuns: new RecentList(new Memory(), 'runs') };
}

function result(title = 'A vs B'): CompareResult {
  const space = { source: { spec: 'a', label: 'a', kind: 'catalog' as const, dims: 1 }, similarity: [[1, 0], [0, 1]],
    selectivity: { index: null, within: null, between: null, perCategory: [] }, lowercased: [], missing: [], zeroVectors: [], vectors: [[1], [0]] };
  return { schemaVersion: SCHEMA_VERSION, job: 'compare', title, items: ['x', 'y'], itemCategories: [null, null], categories: [], missing: [],
    a: space, b: space, rsa: { pearson: 1, spearman: 1, cosine: 1, pValue: null, permutations: 0, n: 1 }, rsaByCategory: [], warnings: [],
    run: { createdAt: '', version: '0', durationMs: 0, options: {} }, inputs: { words: 'w', seed: 0 } };
}

const tick = () => new Promise((r) => setImmediate(r));

beforeEach(() => {
  panelModule?.ResultPanel.disposeAll();
  recorded.panels.length = 0;
  recorded.written.clear();
  recorded.saveDialogs.length = 0;
  recorded.errors.length = 0;
  recorded.log.length = 0;
  recorded.nextSaveTarget = undefined;
});

test('nothing is posted before the webview says ready; then the queue is delivered in order, latest progress only', async () => {
  const panel = panelModule.ResultPanel.create(services(), 'Compare');
  const fake = recorded.panels[0];
  assert.match(fake.webview.html, /Content-Security-Policy/);
  panel.showProgress('Reading', 0.1);
  panel.showProgress('t-SNE iteration 50', 0.5);
  panel.showResult(result('Glove vs GPT-2'));
  assert.deepEqual(fake.posted, []);
  fake.send({ type: 'ready' });
  await tick();
  assert.deepEqual(fake.posted.map((m) => (m as { type: string }).type), ['progress', 'result']);
  assert.equal((fake.posted[0] as { message: string }).message, 't-SNE iteration 50');
  assert.equal(fake.title, 'Glove vs GPT-2');
  panel.showError('boom');
  assert.deepEqual(fake.posted.at(-1), { type: 'error', message: 'boom' });
});

test('malformed or unknown messages are ignored and logged, never acted on', async () => {
  panelModule.ResultPanel.create(services(), 'Compare');
  const fake = recorded.panels[0];
  fake.send({ type: 'executeCommand', command: 'rm' });
  fake.send({ type: 'export', format: 'svg' });
  fake.send('ready');
  await tick();
  assert.equal(recorded.saveDialogs.length, 0);
  assert.equal(recorded.log.filter((l) => l.startsWith('warn Ignored a malformed message')).length, 3);
  fake.send({ type: 'ready' });
  fake.send({ type: 'request', id: 7, method: 'settings' });
  fake.send({ type: 'request', id: 8, method: 'deleteEverything' });
  await tick();
  // No page asks for `settings` (they arrive in the page's data-settings): the request was removed.
  assert.deepEqual(fake.posted[0], { type: 'reply', id: 7, ok: false, error: 'Unknown request "settings"' });
  assert.deepEqual(fake.posted[1], { type: 'reply', id: 8, ok: false, error: 'Unknown request "deleteEverything"' });
});

test('openLink opens a Neuroscope neuron page in the browser; any other link is refused and never opened', async () => {
  panelModule.ResultPanel.create(services(), 'Contrast');
  const fake = recorded.panels[0];
  recorded.opened.length = 0;
  fake.send({ type: 'ready' });
  fake.send({ type: 'openLink', url: 'https://neuroscope.io/gpt2-small/5/123.html' });
  fake.send({ type: 'openLink', url: 'https://evil.example/gpt2-small/5/123.html' });
  fake.send({ type: 'openLink', url: 'javascript:alert(1)' });
  await tick();
  assert.deepEqual(recorded.opened, ['https://neuroscope.io/gpt2-small/5/123.html']);
  assert.ok(recorded.log.includes('info Opening https://neuroscope.io/gpt2-small/5/123.html'), recorded.log.join('\n'));
  assert.equal(recorded.log.filter((l) => l.startsWith('warn Ignored a malformed message')).length, 2);
});

test('save writes the result as *.mechlens.json where the user chose; export writes the decoded bytes', async () => {
  // Local files are written by core's atomic writer (temporary file, then rename), so they land on disk.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-save-'));
  const panel = panelModule.ResultPanel.create(services(), 'Compare');
  const fake: FakeWebviewPanel = recorded.panels[0];
  fake.send({ type: 'ready' });
  panel.showResult(result('glove vs gpt2'));
  recorded.nextSaveTarget = FakeUri.file(path.join(dir, 'run.mechlens.json'));
  fake.send({ type: 'save' });
  await until(() => fs.existsSync(path.join(dir, 'run.mechlens.json')));
  const dialog = recorded.saveDialogs[0] as { defaultUri: FakeUri; title: string };
  assert.equal(dialog.defaultUri.path, '/workspace/glove-vs-gpt2.mechlens.json', 'the default name has spaces');
  assert.equal(dialog.title, 'MechLens: save this run (*.mechlens.json)');
  const text = fs.readFileSync(path.join(dir, 'run.mechlens.json'), 'utf8');
  assert.equal(text, `${JSON.stringify(result('glove vs gpt2'))}\n`);

  recorded.nextSaveTarget = FakeUri.file(path.join(dir, 'heat.png'));
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  fake.send({ type: 'export', format: 'png', name: '../heat', content: png.toString('base64'), encoding: 'base64' });
  await until(() => fs.existsSync(path.join(dir, 'heat.png')));
  assert.equal((recorded.saveDialogs[1] as { defaultUri: FakeUri }).defaultUri.path, path.join(dir, 'heat.png'), 'next to the saved run, no folder escape');
  assert.deepEqual(fs.readFileSync(path.join(dir, 'heat.png')), png);

  fake.send({ type: 'export', format: 'png', name: 'x', content: Buffer.from('GIF8').toString('base64'), encoding: 'base64' });
  await until(() => recorded.errors.length > 0);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['heat.png', 'run.mechlens.json'], 'a corrupt export writes nothing, and no temporary file is left');
  assert.match(recorded.errors[0], /PNG signature/);
});

test('a remote save target (not file:) is written through VS Code\'s file system', async () => {
  const panel = panelModule.ResultPanel.create(services(), 'Compare');
  const fake: FakeWebviewPanel = recorded.panels[0];
  fake.send({ type: 'ready' });
  panel.showResult(result('remote'));
  recorded.nextSaveTarget = FakeUri.parse('vscode-remote:/remote/run.mechlens.json');
  fake.send({ type: 'save' });
  await until(() => recorded.written.has('/remote/run.mechlens.json'));
  assert.equal(new TextDecoder().decode(recorded.written.get('/remote/run.mechlens.json')), `${JSON.stringify(result('remote'))}\n`);
});

/** Waits for something the panel does asynchronously (no fixed sleep). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await tick();
}

test('panels come back after a reload from the state their webview kept, or say why not', async () => {
  const serializer = new panelModule.ResultPanelSerializer(services());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const file = path.join(dir, 'saved.mechlens.json');
    fs.writeFileSync(file, JSON.stringify(result('from disk')));
    const cases: [unknown, string][] = [[{ result: result('kept') }, 'kept'], [result('bare'), 'bare'], [{ path: file }, 'from disk']];
    for (const [state, title] of cases) {
      const { FakeWebviewPanel } = await import('../fake-vscode');
      const fake = new FakeWebviewPanel('restored');
      await serializer.deserializeWebviewPanel(fake as never, state);
      fake.send({ type: 'ready' });
      await tick();
      assert.deepEqual(fake.posted.map((m) => (m as { type: string }).type), ['result'], title);
      assert.equal(fake.title, title);
    }
    fs.writeFileSync(file, JSON.stringify({ ...result(), schemaVersion: 99 }));
    const { FakeWebviewPanel } = await import('../fake-vscode');
    for (const state of [{ path: file }, undefined, { result: { job: 'compare' } }]) {
      const fake = new FakeWebviewPanel('restored');
      await serializer.deserializeWebviewPanel(fake as never, state);
      fake.send({ type: 'ready' });
      await tick();
      assert.equal((fake.posted[0] as { type: string }).type, 'error');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a large result, which the webview does not keep in its state, comes back from the panel store by title', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const store = new PanelStore(new Memory(), path.join(dir, 'panels'));
    const big = result('big run');
    big.items = Array.from({ length: webviewStateItemLimit + 1 }, (_, i) => `w${i}`);
    big.itemCategories = big.items.map(() => null);
    const square = big.items.map(() => big.items.map(() => 0));
    big.a = { ...big.a, similarity: square, vectors: big.items.map(() => [0]) };
    big.b = big.a;
    const panel = panelModule.ResultPanel.create({ ...services(), panelStore: store }, 'Compare');
    panel.showResult(big);
    await tick(); await tick();
    const { FakeWebviewPanel } = await import('../fake-vscode');
    const restored = new FakeWebviewPanel('big run');
    await new panelModule.ResultPanelSerializer({ ...services(), panelStore: store }).deserializeWebviewPanel(restored as never, { ui: { colorMax: 1 } });
    restored.send({ type: 'ready' });
    await tick();
    // 401 × 401 = 160,801 cells: the similarity matrices travel packed as Float64Arrays (VS Code sends
    // typed arrays beside the message text); the webview unpacks them into the same result.
    const posted = restored.posted as Array<{ type: string; result: { a: { similarity: unknown } } }>;
    assert.equal(posted.length, 1);
    assert.ok(isPackedMatrix(posted[0].result.a.similarity));
    assert.deepEqual(unpackMatrices(posted[0]), { type: 'result', result: big });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a streaming result (the logit lens\'s partials) is drawn each time but kept for a reload only once, when final', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const folder = path.join(dir, 'panels');
    const store = new PanelStore(new Memory(), folder);
    const writes: string[] = [];
    const remember = store.remember.bind(store);
    store.remember = async (title, r) => { writes.push(title); return remember(title, r); };
    // Large enough that the store writes it to disk (the webview's state would not hold it).
    const big = (title: string) => {
      const r = result(title);
      r.items = Array.from({ length: webviewStateItemLimit + 1 }, (_, i) => `w${i}`);
      return r;
    };
    const panel = panelModule.ResultPanel.create({ ...services(), panelStore: store }, 'Logit lens');
    const fake = recorded.panels[0];
    for (let layer = 1; layer <= 3; layer++) panel.showPartialResult(big(`layer ${layer}`));
    await tick();
    assert.deepEqual(writes, []);
    assert.equal(fs.existsSync(folder), false);
    // Before the webview is ready, only the latest partial waits in the queue.
    fake.send({ type: 'ready' });
    await tick();
    const results = () => (fake.posted as Array<{ type: string; partial?: boolean; result?: { title: string } }>).filter((m) => m.type === 'result');
    assert.deepEqual(results().map((m) => [m.result?.title, m.partial]), [['layer 3', true]]);
    panel.showPartialResult(big('layer 4'));
    panel.showResult(big('final'));
    await tick(); await tick();
    assert.deepEqual(results().map((m) => [m.result?.title, m.partial]), [['layer 3', true], ['layer 4', true], ['final', undefined]]);
    assert.deepEqual(writes, ['final']);
    const files = fs.readdirSync(folder);
    assert.equal(files.length, 1);
    assert.equal((JSON.parse(fs.readFileSync(path.join(folder, files[0]), 'utf8')) as { title: string }).title, 'final');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('closing a panel with pins fires its dispose event (which cancels its run) and drops its pins', async () => {
  const changes: number[] = [];
  const board = new PinBoard((pins) => changes.push(pins.length));
  const panel = panelModule.ResultPanel.create({ ...services(), pins: { board, revealView: () => {} } }, 'Compare');
  let closed = 0;
  panel.onDidDispose(() => closed++);
  recorded.panels[0].send({ type: 'pin', card: 'rdm', title: 'RDM', chart: 'heatmap', data: {}, options: {} });
  await tick();
  assert.equal(board.list().length, 1);
  recorded.panels[0].dispose();
  assert.equal(closed, 1);
  assert.equal(panel.isDisposed, true);
  assert.deepEqual(changes, [1, 0], 'the pin went with its panel');
});

test('a second Save while the save dialog is open opens no second dialog', async () => {
  const panel = panelModule.ResultPanel.create(services(), 'Compare');
  const fake = recorded.panels[0];
  fake.send({ type: 'ready' });
  panel.showResult(result('twice'));
  recorded.nextSaveTarget = FakeUri.file('/workspace/twice.mechlens.json');
  fake.send({ type: 'save' });
  fake.send({ type: 'save' });
  await tick(); await tick();
  assert.equal(recorded.saveDialogs.length, 1);
  fake.send({ type: 'save' });
  await tick(); await tick();
  assert.equal(recorded.saveDialogs.length, 2, 'once the dialog closed, Save works again');
});

test('a run of the same job and input shows in the open panel; another input, a running panel or newPanelPerRun opens a new one', async () => {
  const s = services();
  const key = JSON.stringify(['compare', '/w/a.words', 'x', 'y']);
  const first = panelModule.ResultPanel.create(s, 'first', key);
  recorded.panels[0].send({ type: 'ready' });
  await tick();
  first.showResult(result('first result'));
  first.setRunAgain(() => undefined);
  const again = panelModule.ResultPanel.create(s, 'second', key);
  assert.equal(again, first, 'the same job and input did not reuse the panel');
  assert.equal(recorded.panels.length, 1);
  assert.equal(recorded.panels[0].title, 'second');
  assert.equal(again.currentResult, undefined, 'the reused panel still claims the old result');
  const posted = recorded.panels[0].posted as { type: string; runAgain?: boolean; message?: string }[];
  assert.deepEqual(posted.slice(-2).map((m) => m.type), ['capabilities', 'progress'], 'the reused panel was not reset to a fresh run');
  assert.equal(posted.at(-2)?.runAgain, false, 'the previous run\'s Run again survived the reuse');

  assert.notEqual(panelModule.ResultPanel.create(s, 'other', JSON.stringify(['compare', '/w/b.words', 'x', 'y'])), first);
  const running = new AbortController();
  const tracked = first.trackRun(running);
  assert.notEqual(panelModule.ResultPanel.create(s, 'while running', key), first, 'a running panel was taken over');
  tracked.dispose();
  recorded.config['newPanelPerRun'] = true;
  try {
    assert.notEqual(panelModule.ResultPanel.create(s, 'per run', key), first, 'mechlens.newPanelPerRun was ignored');
  } finally {
    delete recorded.config['newPanelPerRun'];
  }
  first.dispose();
  assert.notEqual(panelModule.ResultPanel.create(s, 'after close', key), first);
});

test('the Cancel of the progress box aborts the run the panel shows; Run again starts the same run once it has ended', async () => {
  const panel = panelModule.ResultPanel.create(services(), 'Compare');
  const fake = recorded.panels[0];
  fake.send({ type: 'ready' });
  await tick();
  let started = 0;
  panel.setRunAgain(() => { started++; });
  assert.deepEqual(fake.posted.at(-1), { type: 'capabilities', rerun: false, runAgain: true });
  const run = new AbortController();
  const tracked = panel.trackRun(run);
  fake.send({ type: 'request', id: 1, method: 'runAgain' });
  await tick();
  assert.deepEqual(fake.posted.at(-1), { type: 'reply', id: 1, ok: true, value: { started: false } }, 'Run again started a second run beside the running one');
  fake.send({ type: 'request', id: 2, method: 'cancelRun' });
  await tick();
  assert.equal(run.signal.aborted, true);
  assert.deepEqual(fake.posted.at(-1), { type: 'reply', id: 2, ok: true, value: { cancelled: true } });
  tracked.dispose();
  fake.send({ type: 'request', id: 3, method: 'runAgain' });
  await tick();
  assert.equal(started, 1);
  assert.deepEqual(fake.posted.at(-1), { type: 'reply', id: 3, ok: true, value: { started: true } });
});
