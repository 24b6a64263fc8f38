// Issue 20 in real VS Code: local vector files first in the pickers, a word list given a vector
// file refused at the prompt (panel reuse and Run again: test/extension/panels/panel.test.ts).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { LONG, makeWorkspace, VsCodeSession } from './harness';
import { writeVectorFiles, type VectorFiles } from './fixtures';

const wordList = 'samples/space-furniture-fruit.words';
let session: VsCodeSession;
let workspace: string;
let vectors: VectorFiles;

before(async () => {
  workspace = makeWorkspace();
  vectors = writeVectorFiles(workspace, path.join(workspace, wordList));
  session = await VsCodeSession.start({ workspace, trust: 'trust', name: 'flow', settings: { 'mechlens.permutations': 100, 'mechlens.seed': 0 } });
});

after(async () => {
  await session?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

const onFailure = <T>(t: TestContext, body: () => Promise<T>): Promise<T> => session.guard(t.name, body);

test('the workspace\'s vector files are listed in the source picker above Browse… and the catalog', async (t) => {
  await onFailure(t, async () => {
    await session.explorerContextMenu(wordList, 'Compare Embeddings…');
    const labels = await session.quickPickLabels('source A');
    const local = labels.indexOf(path.basename(vectors.a));
    const browse = labels.findIndex((l) => /Browse for a vector file/.test(l));
    assert.ok(local >= 0, `the workspace's vector file is not offered: ${labels.join(' | ')}`);
    assert.ok(local < browse, `the local file comes after Browse…: ${labels.join(' | ')}`);
    await session.page.keyboard.press('Escape');
  });
});

test('a vector file given as the word list is refused at once, with the offer to use it as source A', async (t) => {
  await onFailure(t, async () => {
    await session.closeAllEditors();
    await session.explorerContextMenu(path.relative(workspace, vectors.a).split(path.sep).join('/'), 'Compare Embeddings…');
    await session.notification(/is a vector file \(.*\), not a word list/).first().waitFor({ state: 'visible', timeout: LONG });
  });
});
