import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MechLensError } from '../../src/core/errors';
import { userFacingMessage } from '../../src/extension/error-message';

test('notifications say "line N" where the CLI says file:N:', () => {
  const withLine = new MechLensError('format', 'Row has 2 values, expected 3 for "moon"', { input: '/ws/vectors/broken.txt', line: 3, fix: 'Fix or remove the row.' });
  assert.equal(withLine.message, '/ws/vectors/broken.txt:3: Row has 2 values, expected 3 for "moon". Fix or remove the row.');
  assert.equal(userFacingMessage(withLine), '/ws/vectors/broken.txt, line 3: Row has 2 values, expected 3 for "moon". Fix or remove the row.');
  const noLine = new MechLensError('not-found', 'File not found', { input: '/ws/a.words' });
  assert.equal(userFacingMessage(noLine), '/ws/a.words: File not found.');
  assert.equal(userFacingMessage(new MechLensError('cancelled', 'Cancelled')), 'Cancelled.');
});
