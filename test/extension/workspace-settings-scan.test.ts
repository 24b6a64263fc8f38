import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settingsNamedIn, settingsNamedInFiles, stripJsonComments } from '../../src/extension/workspace-settings-scan';

const keys = ['mechlens.cacheDirectory', 'mechlens.defaultSources.a', 'mechlens.defaultSources.b'];

test('settings files are read as JSONC: commented-out keys do not count, keys inside strings do not count', () => {
  const text = `{
    // "mechlens.cacheDirectory": "/tmp/x",
    /* "mechlens.defaultSources.b": "glove" */
    "editor.tabSize": 2,
    "note": "\\"mechlens.defaultSources.b\\": is only text // not a comment",
    "mechlens.defaultSources.a" : "vectors:./evil.bin",
  }`;
  assert.deepEqual(settingsNamedIn(text, keys), ['mechlens.defaultSources.a']);
  assert.equal(stripJsonComments('{"a": "http://x" // c\n}'), '{"a": "http://x" \n}');
  assert.deepEqual(settingsNamedIn('{"mechlens.defaultSources.ab": 1}', keys), []);
});

test('several files: missing ones name nothing, keys come back in declaration order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechlens-'));
  try {
    const one = path.join(dir, 'one.json');
    const two = path.join(dir, 'two.code-workspace');
    fs.writeFileSync(one, '{ "mechlens.defaultSources.b": "x" }');
    fs.writeFileSync(two, '{ "folders": [], "settings": { "mechlens.cacheDirectory": "/c" } }');
    assert.deepEqual(settingsNamedInFiles([path.join(dir, 'missing.json'), two, one], keys), ['mechlens.cacheDirectory', 'mechlens.defaultSources.b']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
