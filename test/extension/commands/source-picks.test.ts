import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSourcePickRows, describeSpec, formatBytes, specForFile, validateSourceSpec } from '../../../src/extension/commands/source-picks';

const catalog = [
  { name: 'glove-wiki-gigaword-50', dims: 50, vocabSize: 400000, sizeBytes: 69_182_535, description: 'GloVe, Wikipedia 2014 + Gigaword 5' },
  { name: 'glove-wiki-gigaword-300', dims: 300, vocabSize: 400000, sizeBytes: 394_362_229 },
  { name: 'word2vec-google-news-300', dims: 300 },
];

test('recent (used) sources first with the last choice preselected, the default labelled as such, local items, then Browse… and Enter…, then the catalogs', () => {
  const rows = buildSourcePickRows({
    catalog,
    recent: ['vectors:/data/my vectors.txt', 'glove-wiki-gigaword-50', 'vectors:/data/my vectors.txt'],
    defaultSpec: 'glove-wiki-gigaword-300',
    cached: new Set(['glove-wiki-gigaword-50']),
    local: [
      { kind: 'vectors', path: '/ws/vec/small.txt', name: 'small.txt', format: 'GloVe text · 50-d', dims: 50 },
      { kind: 'model', path: '/ws/models/tiny', name: 'tiny' },
      // Already recent: listed once, under Recent.
      { kind: 'vectors', path: '/data/my vectors.txt', name: 'my vectors.txt', format: 'GloVe text · 25-d', dims: 25 },
    ],
  });
  const summary = rows.map((r) => (r.kind === 'spec' ? `${r.spec}${r.picked ? '*' : ''}` : `${r.kind}:${r.label}`));
  assert.deepEqual(summary, [
    'separator:Recent',
    'vectors:/data/my vectors.txt*',
    'glove-wiki-gigaword-50',
    'separator:Default',
    'glove-wiki-gigaword-300',
    'separator:On this machine',
    'vectors:/ws/vec/small.txt',
    'model:/ws/models/tiny#embed',
    'separator:Other sources',
    'browse:$(folder-opened) Browse for a vector file…',
    'enter:$(edit) Enter a source spec…',
    'separator:Word vector catalog',
    'word2vec-google-news-300',
  ]);
  const file = rows[1];
  assert.ok(file.kind === 'spec');
  assert.equal(file.label, 'my vectors.txt');
  const cached = rows.find((r) => r.kind === 'spec' && r.spec === 'glove-wiki-gigaword-50');
  assert.ok(cached?.kind === 'spec');
  assert.equal(cached.description, '50-d · 400,000 words · cached');
  assert.equal(cached.detail, 'GloVe, Wikipedia 2014 + Gigaword 5');
  const byDefault = rows.find((r) => r.kind === 'spec' && r.spec === 'glove-wiki-gigaword-300');
  assert.ok(byDefault?.kind === 'spec');
  assert.equal(byDefault.description, 'default · 300-d · 400,000 words · download 394 MB');
  const local = rows.find((r) => r.kind === 'spec' && r.spec === 'vectors:/ws/vec/small.txt');
  assert.ok(local?.kind === 'spec');
  assert.deepEqual([local.label, local.description, local.detail], ['small.txt', 'GloVe text · 50-d', '/ws/vec/small.txt']);
  // `last` (this side's own last choice) wins over the first recent one (the other side's).
  const sideB = buildSourcePickRows({ catalog, recent: ['glove-wiki-gigaword-50', 'word2vec-google-news-300'], last: 'word2vec-google-news-300' });
  assert.deepEqual(sideB.filter((r) => r.kind === 'spec' && r.picked).map((r) => r.kind === 'spec' && r.spec), ['word2vec-google-news-300']);
});

test('model catalog entries are offered as token-embedding sources, unless already listed as recent', () => {
  const rows = buildSourcePickRows({
    catalog: [], recent: ['model:gpt2#embed'],
    models: [{ name: 'gpt2', dModel: 768, sizeBytes: 548_105_171 }, { name: 'distilgpt2', dModel: 768, sizeBytes: 352_824_413, description: 'DistilGPT-2' }, { name: 'gpt2-xl', dModel: 1600 }],
    cachedModels: new Set(['distilgpt2']),
  });
  assert.deepEqual(rows.map((r) => (r.kind === 'spec' ? [r.spec, r.label, r.description] : r.kind === 'separator' ? r.label : r.kind)), [
    'Recent',
    ['model:gpt2#embed', 'gpt2 · token embeddings', 'model'],
    'Other sources', 'browse', 'enter',
    'Model token embeddings',
    ['model:distilgpt2#embed', 'distilgpt2 · token embeddings', '768-d · cached'],
    ['model:gpt2-xl#embed', 'gpt2-xl · token embeddings', '1600-d · download on first use'],
  ]);
});

test('with no history the default is preselected and labelled "Default", never "Recent"; with no default either, only the actions and catalog remain', () => {
  const withDefault = buildSourcePickRows({ catalog, recent: [], defaultSpec: 'glove-wiki-gigaword-50' });
  assert.deepEqual(withDefault.slice(0, 2).map((r) => r.kind === 'spec' ? [r.spec, r.picked] : r.label), ['Default', ['glove-wiki-gigaword-50', true]]);
  assert.ok(!withDefault.some((r) => r.kind === 'separator' && r.label === 'Recent'));
  const bare = buildSourcePickRows({ catalog: [], recent: [] });
  assert.deepEqual(bare.map((r) => r.kind), ['separator', 'browse', 'enter']);
});

test('hand-typed specs are checked the way the engine reads them', () => {
  const names = catalog.map((e) => e.name);
  assert.equal(validateSourceSpec('glove-wiki-gigaword-50', names), undefined);
  assert.equal(validateSourceSpec(' model:gpt2#embed ', names), undefined);
  assert.equal(validateSourceSpec('model:gpt2', names), undefined);
  assert.equal(validateSourceSpec('model:/models/my#model#blocks.5.attn.hook_q', names), undefined);
  assert.equal(validateSourceSpec('vectors:/tmp/v.txt', names), undefined);
  assert.match(validateSourceSpec('', names) ?? '', /Enter a catalog name/);
  assert.match(validateSourceSpec('vectors:', names) ?? '', /file path/);
  assert.match(validateSourceSpec('model:#embed', names) ?? '', /Hugging Face id/);
  assert.match(validateSourceSpec('model:gpt2#', names) ?? '', /Name a hook/);
  assert.match(validateSourceSpec('glove-50', names) ?? '', /not in the vector catalog/);
});

test('specs get short labels for pickers and trees', () => {
  assert.deepEqual(describeSpec('vectors:/a/b/glove.6B.50d.txt.gz'), { label: 'glove.6B.50d.txt.gz', description: 'vector file · /a/b/glove.6B.50d.txt.gz' });
  assert.deepEqual(describeSpec('model:gpt2#embed'), { label: 'gpt2 · token embeddings', description: 'model' });
  assert.deepEqual(describeSpec('model:gpt2'), { label: 'gpt2 · token embeddings', description: 'model' });
  assert.deepEqual(describeSpec('model:gpt2#blocks.5.attn.hook_q'), { label: 'gpt2 · blocks.5.attn.hook_q', description: 'model' });
  assert.equal(describeSpec('glove-wiki-gigaword-50').label, 'glove-wiki-gigaword-50');
  assert.equal(specForFile('/x/y.vec'), 'vectors:/x/y.vec');
  assert.deepEqual([formatBytes(999), formatBytes(1000), formatBytes(69_182_535), formatBytes(1.66e9)], ['999 B', '1.0 KB', '69.2 MB', '1.7 GB']);
});
