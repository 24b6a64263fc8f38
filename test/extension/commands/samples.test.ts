// The samples the walkthrough's buttons name: `{ sample: NAME }` from a command link becomes the
// file in the extension's samples/ folder, and nothing else does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FakeUri } from '../fake-vscode';
import { commandHarness } from './command-harness';

const h = commandHarness(() => import('../../../src/extension/commands/samples'));
const extension = FakeUri.file(path.join(import.meta.dirname, '..', '..', '..'));

test('a command link\'s { sample } names a file of the extension\'s samples/ folder', () => {
  assert.equal(h.command.sampleArgument(extension as never, { sample: 'him-her.sentences' })?.fsPath, path.join(extension.fsPath, 'samples', 'him-her.sentences'));
});

test('anything else is no sample: another argument, a missing sample, a path out of the folder', () => {
  for (const arg of [undefined, null, 'him-her.sentences', { sample: 3 }, { sample: 'missing.words' }, { sample: '../package.json' }, { sample: '..' }, { sample: '/etc/passwd' }]) {
    assert.equal(h.command.sampleArgument(extension as never, arg), undefined, JSON.stringify(arg));
  }
});
