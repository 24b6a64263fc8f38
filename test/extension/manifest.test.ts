// The manifest is what VS Code and the end-to-end suite drive: command ids, titles, menus and the
// files the contributions point at must all line up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { extensionJobs } from '../../src/extension/job-table';

const root = path.join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

interface Command { command: string; title: string; category?: string }
interface MenuItem { command: string; when?: string; group?: string }

test('commands have the ids and palette titles the e2e suite and docs use', () => {
  const commands = new Map<string, string>((contributes.commands as Command[]).map((c) => [c.command, `${c.category}: ${c.title}`]));
  assert.equal(commands.get('mechlens.compareEmbeddings'), 'MechLens: Compare Embeddings…');
  assert.equal(commands.get('mechlens.openResult'), 'MechLens: Open Saved Run…');
  assert.equal(commands.get('mechlens.showLog'), 'MechLens: Show Log');
  const registered = fs.readFileSync(path.join(root, 'src/extension/extension.ts'), 'utf8');
  // The job commands are registered in one loop over the job table, under the ids the table gives.
  assert.ok(registered.includes('vscode.commands.registerCommand(extensionJobs[job].command'), 'extension.ts registers every job of the job table');
  const jobCommandIds = Object.values(extensionJobs).map((job) => job.command);
  assert.equal(new Set(jobCommandIds).size, jobCommandIds.length, 'one command per job');
  for (const id of commands.keys()) {
    assert.ok(registered.includes(`registerCommand('${id}'`) || jobCommandIds.includes(id), `${id} is registered in extension.ts`);
  }
  for (const m of registered.matchAll(/registerCommand\('([^']+)'/g)) assert.ok(commands.has(m[1]), `${m[1]} is declared in package.json`);
  for (const id of jobCommandIds) assert.ok(commands.has(id), `${id} (job table) is declared in package.json`);
});

test('word lists get the compare command in the explorer, the editor menu and the editor title', () => {
  const when = 'resourceExtname == .words || resourceExtname == .txt';
  for (const menu of ['explorer/context', 'editor/context', 'editor/title']) {
    const item = (contributes.menus[menu] as MenuItem[]).find((i) => i.command === 'mechlens.compareEmbeddings');
    assert.equal(item?.when, when, menu);
  }
  const declared = new Set((contributes.commands as Command[]).map((c) => c.command));
  for (const [menu, items] of Object.entries(contributes.menus as Record<string, MenuItem[]>)) {
    for (const item of items) assert.ok(declared.has(item.command), `${menu} refers to a declared command: ${item.command}`);
  }
});

test('activation is lazy and every contributed file exists', () => {
  assert.ok(!manifest.activationEvents.includes('*'));
  assert.ok(manifest.activationEvents.includes('onWebviewPanel:mechlens.panel'), 'panels can be restored after a reload');
  const files = [
    manifest.icon,
    ...contributes.languages.map((l: { configuration: string }) => l.configuration),
    ...contributes.grammars.map((g: { path: string }) => g.path),
    ...contributes.viewsContainers.activitybar.map((c: { icon: string }) => c.icon),
    ...contributes.walkthroughs.flatMap((w: { steps: { media: { markdown: string } }[] }) => w.steps.map((s) => s.media.markdown)),
  ];
  for (const f of files) assert.ok(fs.existsSync(path.join(root, f)), `${f} exists`);
  const png = fs.readFileSync(path.join(root, manifest.icon));
  assert.equal(png.readUInt32BE(16), 128);
  assert.equal(png.readUInt32BE(20), 128);
  assert.match(fs.readFileSync(path.join(root, 'media/mechlens.svg'), 'utf8'), /currentColor/);
  const views = contributes.views.mechlens.map((v: { id: string }) => v.id);
  assert.deepEqual(views, ['mechlens.runs', 'mechlens.models', 'mechlens.hooks', 'mechlens.inspector', 'mechlens.pinned']);
});

test('settings are all described, and path settings are restricted in untrusted workspaces', () => {
  const properties = contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string; default?: unknown }>;
  const keys = Object.keys(properties).sort();
  assert.deepEqual(keys, [
    'mechlens.cacheDirectory', 'mechlens.contrast.alpha', 'mechlens.contrast.defaultHook', 'mechlens.contrast.defaultModel', 'mechlens.dbscan.eps', 'mechlens.dbscan.minSamples', 'mechlens.defaultSources.a', 'mechlens.defaultSources.b',
    'mechlens.diagnostics.vocabulary', 'mechlens.executionProvider', 'mechlens.heatmap.canvasThreshold', 'mechlens.heatmap.colorScheme', 'mechlens.memoryShare', 'mechlens.newPanelPerRun', 'mechlens.offline',
    'mechlens.permutations', 'mechlens.resultCache.enabled', 'mechlens.resultCache.maxSizeMB', 'mechlens.seed', 'mechlens.tsne.perplexity',
  ]);
  for (const [key, p] of Object.entries(properties)) {
    assert.ok((p.description ?? p.markdownDescription ?? '').length > 30, `${key} has a real description`);
    assert.ok('default' in p, `${key} has a default`);
  }
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, 'limited');
  assert.deepEqual(trust.restrictedConfigurations, ['mechlens.cacheDirectory', 'mechlens.defaultSources.a', 'mechlens.defaultSources.b', 'mechlens.contrast.defaultModel', 'mechlens.diagnostics.vocabulary']);
});

/** The TextMate patterns here use nothing Oniguruma-specific, so JS RegExp reads them the same. */
function grammar(name: string) {
  const g = JSON.parse(fs.readFileSync(path.join(root, 'media/syntaxes', name), 'utf8'));
  const r = (key: string) => new RegExp(g.repository[key].match);
  return { g, r };
}

test('the word-list grammar marks categories, comments and words', () => {
  const { g, r } = grammar('mechlens-words.tmLanguage.json');
  assert.equal(g.scopeName, 'source.mechlens-words');
  assert.equal(r('category').exec('[space]')?.[2], 'space');
  assert.equal(r('category').exec('  [fruit salad]  # sweet')?.[5], ' sweet');
  assert.equal(r('category').exec('apple'), null);
  assert.equal(r('comment').exec('  # a comment')?.[2], ' a comment');
  assert.equal(r('comment').exec('apple'), null);
  assert.equal(r('word').exec('  spaceship ')?.[1], 'spaceship');
});

test('the sentence grammar marks {target} inside sentences', () => {
  const { g } = grammar('mechlens-sentences.tmLanguage.json');
  assert.equal(g.scopeName, 'source.mechlens-sentences');
  const target = new RegExp(g.repository.target.match, 'g');
  assert.deepEqual([...'I saw {him} and {her}.'.matchAll(target)].map((m) => m[2]), ['him', 'her']);
  const begin = new RegExp(g.repository.sentence.begin);
  assert.ok(begin.test('I saw {him} at the market.'));
  assert.ok(!begin.test('# comment'));
  assert.ok(!begin.test('[him]'));
  assert.ok(!begin.test('   '));
});

test('the walkthrough: a description that fits its two lines, a step with a working command link for every job, local items and the samples', () => {
  const walkthrough = contributes.walkthroughs.find((w: { id: string }) => w.id === 'mechlens.gettingStarted') as {
    description: string; steps: { id: string; title: string; description: string }[];
  };
  // VS Code clamps the description: about two lines where walkthroughs are listed, three narrow ones (about 27 characters each) on the walkthrough page.
  assert.ok(walkthrough.description.length <= 64, `${walkthrough.description.length} characters: "${walkthrough.description}"`);
  // A step's title has one line, about 37 characters wide, before VS Code cuts it off.
  for (const step of walkthrough.steps) assert.ok(step.title.length <= 36, `step title "${step.title}" has ${step.title.length} characters`);
  const declared = new Set((contributes.commands as Command[]).map((c) => c.command));
  const linked: string[] = [];
  for (const step of walkthrough.steps) {
    const links = [...step.description.matchAll(/\]\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
    assert.equal(links.length, 1, `${step.id} has one button`);
    const [, command, query] = links[0];
    assert.ok(declared.has(command) || command.startsWith('workbench.'), `${step.id}: ${command} is a command`);
    if (query) {
      const args = JSON.parse(decodeURIComponent(query)) as unknown[];
      assert.ok(Array.isArray(args), `${step.id}: the arguments are a JSON array`);
      for (const arg of args) {
        const sample = (arg as { sample?: string } | null)?.sample;
        if (sample !== undefined) assert.ok(fs.existsSync(path.join(root, 'samples', sample)), `${step.id}: samples/${sample} exists`);
      }
    }
    linked.push(command);
  }
  for (const command of ['mechlens.openSample', 'mechlens.addLocal', ...Object.values(extensionJobs).map((j) => j.command)]) {
    assert.ok(linked.includes(command), `a step runs ${command}`);
  }
  for (const view of ['logit lens', 'attention heads', 'logit attribution', 'SAE features']) {
    assert.ok(walkthrough.steps.some((s) => `${s.title} ${s.description}`.toLowerCase().includes(view.toLowerCase())), `a step names the ${view}`);
  }
});
