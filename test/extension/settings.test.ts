import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveSetting, readCompareSettings, type InspectedSetting, type Inspect } from '../../src/extension/settings';

test('a trusted workspace uses folder, then workspace, then user, then default values', () => {
  const all: InspectedSetting<string> = { defaultValue: 'd', globalValue: 'g', workspaceValue: 'w', workspaceFolderValue: 'f' };
  assert.deepEqual(effectiveSetting(all, true), { value: 'f', ignoredWorkspaceValue: false });
  assert.deepEqual(effectiveSetting({ ...all, workspaceFolderValue: undefined }, true), { value: 'w', ignoredWorkspaceValue: false });
  assert.deepEqual(effectiveSetting({ defaultValue: 'd', globalValue: 'g' }, true), { value: 'g', ignoredWorkspaceValue: false });
  assert.deepEqual(effectiveSetting({ defaultValue: 'd' }, true), { value: 'd', ignoredWorkspaceValue: false });
  assert.deepEqual(effectiveSetting(undefined, false), { value: undefined, ignoredWorkspaceValue: false });
});

test('an untrusted workspace never takes a value from workspace settings', () => {
  assert.deepEqual(effectiveSetting({ defaultValue: 'd', globalValue: 'g', workspaceValue: 'w', workspaceFolderValue: 'f' }, false), { value: 'g', ignoredWorkspaceValue: true });
  assert.deepEqual(effectiveSetting({ defaultValue: 'd', workspaceValue: 'vectors:/repo/evil.bin' }, false), { value: 'd', ignoredWorkspaceValue: true });
  assert.deepEqual(effectiveSetting({ defaultValue: 'd', globalValue: 'g' }, false), { value: 'g', ignoredWorkspaceValue: false });
});

function inspector(values: Record<string, InspectedSetting<unknown>>): Inspect {
  return <T>(key: string) => values[key] as InspectedSetting<T> | undefined;
}

test('compare settings: path settings follow trust, plain ones do not, bad numbers fall back to the job defaults', () => {
  const values = {
    'defaultSources.a': { defaultValue: 'glove-wiki-gigaword-50', workspaceValue: 'vectors:./vectors/evil.bin' },
    'defaultSources.b': { defaultValue: 'glove-wiki-gigaword-300', globalValue: 'model:gpt2#embed' },
    cacheDirectory: { defaultValue: '', workspaceFolderValue: '/repo/.cache' },
    offline: { defaultValue: false, workspaceValue: true },
    permutations: { defaultValue: 1000, workspaceValue: 250 },
    seed: { defaultValue: 0, globalValue: -3 },
    'tsne.perplexity': { defaultValue: null, workspaceValue: 12 },
    'dbscan.eps': { defaultValue: null },
    'dbscan.minSamples': { defaultValue: 3, globalValue: 0 },
  };
  const untrusted = readCompareSettings(inspector(values), false);
  assert.deepEqual(untrusted, {
    defaultA: 'glove-wiki-gigaword-50',
    defaultB: 'model:gpt2#embed',
    cacheDir: undefined,
    offline: true,
    permutations: 250,
    seed: undefined,
    map: { perplexity: 12 },
    ignored: ['mechlens.defaultSources.a', 'mechlens.cacheDirectory'],
  });
  const trusted = readCompareSettings(inspector(values), true);
  assert.equal(trusted.defaultA, 'vectors:./vectors/evil.bin');
  assert.equal(trusted.cacheDir, '/repo/.cache');
  assert.deepEqual(trusted.ignored, []);
  assert.equal(readCompareSettings(inspector({ permutations: { workspaceValue: 2.5 } }), true).permutations, undefined);
});
