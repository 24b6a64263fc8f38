// The pure side of "Contrast Sentence Groups…": model and hook quick-pick rows, hook validation
// against a model's hook points, and the settings it reads (path settings honour workspace trust).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeRandomGpt2Checkpoint } from '../../../src/core/models/random-checkpoint';
import { buildHookPickRows, buildModelPickRows, contrastDefaults, contrastTitle, defaultHookFor, hookConfigFor, readContrastSettings, validateHook } from '../../../src/extension/commands/model-hook-picks';
import type { Inspect, InspectedSetting } from '../../../src/extension/settings';

test('model rows: recent (used) models first, the last one picked; the default labelled; local folders; then Browse… and Enter…; then the catalog', () => {
  const rows = buildModelPickRows({
    defaultModel: 'gpt2-medium', recent: ['/models/mine', 'gpt2'], cached: new Set(['gpt2']),
    local: [{ kind: 'model', path: '/ws/tiny', name: 'tiny' }, { kind: 'model', path: '/models/mine', name: 'mine' }],
  });
  const summary = rows.slice(0, 11).map((r) => (r.kind === 'model' ? `${r.model}${r.picked ? '*' : ''}` : r.kind === 'separator' ? `-${r.label}` : r.kind));
  assert.deepEqual(summary, ['-Recent', '/models/mine*', 'gpt2', '-Default', 'gpt2-medium', '-On this machine', '/ws/tiny', '-Other', 'browse', 'enter', '-Hugging Face models (downloaded once, then cached)']);
  const models = rows.filter((r) => r.kind === 'model');
  assert.equal(new Set(models.map((r) => r.kind === 'model' && r.model)).size, models.length, 'no model twice');
  const gpt2 = models.find((r) => r.kind === 'model' && r.model === 'gpt2');
  assert.match(gpt2?.kind === 'model' ? gpt2.description ?? '' : '', /cached/);
  const medium = models.find((r) => r.kind === 'model' && r.model === 'gpt2-medium');
  assert.match(medium?.kind === 'model' ? medium.description ?? '' : '', /^default · 24 layers · 1024 d · download 1\.5 GB/);
  assert.equal(models[0].kind === 'model' && models[0].label, 'mine');
  assert.equal(rows[rows.length - 1].kind, 'model', 'the catalog comes last');
  // Nothing used yet: the default is picked (Enter takes it), and no row says "Recent".
  const fresh = buildModelPickRows({ defaultModel: 'gpt2-medium', recent: [], cached: new Set() });
  assert.deepEqual(fresh.slice(0, 2).map((r) => (r.kind === 'model' ? [r.model, r.picked] : r.kind === 'separator' ? r.label : r.kind)), ['Default', ['gpt2-medium', true]]);
  assert.ok(!fresh.some((r) => r.kind === 'separator' && r.label === 'Recent'));
});

test('hook rows for a catalog model: the default first, per-position hooks with their widths', () => {
  const config = hookConfigFor('gpt2-medium');
  assert.ok(config);
  assert.equal(config.nLayer, 24);
  const rows = buildHookPickRows(config, contrastDefaults.hook);
  assert.equal(rows[0].hook, 'blocks.5.mlp.hook_pre');
  assert.ok(rows[0].picked);
  assert.match(rows[0].description, /^4096/);
  assert.ok(rows.some((r) => r.hook === 'blocks.23.hook_resid_post'));
  assert.ok(!rows.some((r) => r.hook.endsWith('hook_pattern') || r.hook.endsWith('hook_attn_scores') || r.hook === 'logits'));
});

test('hooks are validated against the model: layer range, unknown names, Hugging Face aliases', () => {
  const config = hookConfigFor('gpt2');
  assert.equal(validateHook('blocks.5.mlp.hook_pre', config), undefined);
  assert.equal(validateHook('transformer.h.5.mlp.c_fc', config), undefined);
  assert.match(validateHook('blocks.12.mlp.hook_pre', config) ?? '', /12 layers/);
  assert.ok(validateHook('blocks.5.mlp.hook_nope', config));
  assert.ok(validateHook('', config));
  assert.ok(validateHook('blocks.5 mlp', config));
  // A model whose config cannot be read yet (a hub id not in the catalog) only gets a syntax check.
  assert.equal(validateHook('blocks.30.mlp.hook_pre', null), undefined);
  assert.ok(validateHook('blocks.5.mlp/hook', null));
});

test('a local checkpoint folder gives its own hook shapes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mechlens-'));
  try {
    writeRandomGpt2Checkpoint(dir, { nLayer: 2, nEmbd: 32, nHead: 2, vocabSize: 300 });
    const config = hookConfigFor(dir);
    assert.ok(config);
    assert.equal(config.nLayer, 2);
    assert.match(validateHook('blocks.5.mlp.hook_pre', config) ?? '', /2 layers/);
    assert.equal(buildHookPickRows(config, 'blocks.1.mlp.hook_pre')[0].description.split(' ')[0], '128');
    assert.equal(hookConfigFor(path.join(dir, 'missing')), null);
    assert.match(contrastTitle('/x/him-her.sentences', dir, 'blocks.1.mlp.hook_pre'), new RegExp(`^him-her\\.sentences at blocks\\.1\\.mlp\\.hook_pre of ${path.basename(dir)}$`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function inspectFrom(values: Record<string, InspectedSetting<unknown>>): Inspect {
  return (<T>(key: string) => values[key] as InspectedSetting<T> | undefined) as Inspect;
}

test('settings: defaults, user values, and workspace paths ignored when untrusted', () => {
  assert.deepEqual(readContrastSettings(inspectFrom({}), true), {
    defaultModel: 'gpt2-medium', defaultHook: 'blocks.5.mlp.hook_pre', alpha: undefined, seed: undefined, cacheDir: undefined, offline: false, ignored: [],
  });
  const values = {
    'contrast.defaultModel': { defaultValue: 'gpt2-medium', globalValue: 'gpt2', workspaceValue: './evil-model' },
    'contrast.defaultHook': { workspaceValue: 'blocks.2.mlp.hook_post' },
    'contrast.alpha': { globalValue: 0.01 },
    seed: { globalValue: 7 },
  };
  const trusted = readContrastSettings(inspectFrom(values), true);
  assert.equal(trusted.defaultModel, './evil-model');
  assert.equal(trusted.defaultHook, 'blocks.2.mlp.hook_post');
  assert.equal(trusted.alpha, 0.01);
  assert.equal(trusted.seed, 7);
  const untrusted = readContrastSettings(inspectFrom(values), false);
  assert.equal(untrusted.defaultModel, 'gpt2');
  assert.deepEqual(untrusted.ignored, ['mechlens.contrast.defaultModel']);
  // A hook name is not a path: the workspace value still applies.
  assert.equal(untrusted.defaultHook, 'blocks.2.mlp.hook_post');
  assert.equal(readContrastSettings(inspectFrom({ 'contrast.alpha': { globalValue: 1.5 } }), true).alpha, undefined);
});

test('the hook offered first exists in the model at hand: the configured one if it does, else the middle layer\'s MLP input', () => {
  const small = { nLayer: 3, nHead: 2, nEmbd: 8, nInner: 32, vocabSize: 10 };
  assert.deepEqual(defaultHookFor(small, contrastDefaults.hook), { hook: 'blocks.1.mlp.hook_pre', why: 'the middle layer\'s MLP input, of 3 layers' });
  assert.deepEqual(defaultHookFor(small, 'blocks.2.attn.hook_q'), { hook: 'blocks.2.attn.hook_q', why: 'mechlens.contrast.defaultHook' });
  const medium = hookConfigFor('gpt2-medium');
  assert.deepEqual(defaultHookFor(medium, contrastDefaults.hook), { hook: 'blocks.5.mlp.hook_pre', why: 'the default' });
  assert.equal(buildHookPickRows(small as never, 'blocks.1.mlp.hook_pre')[0].hook, 'blocks.1.mlp.hook_pre', 'the default is not the first row');
});
