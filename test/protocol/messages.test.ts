import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFromWebview } from '../../src/protocol/messages';

test('isFromWebview accepts the known messages and rejects malformed ones', () => {
  assert.equal(isFromWebview({ type: 'ready' }), true);
  assert.equal(isFromWebview({ type: 'selection', items: ['a', 'b'] }), true);
  assert.equal(isFromWebview({ type: 'selection', items: ['a', 2] }), false);
  assert.equal(isFromWebview({ type: 'export', format: 'svg', name: 'x', content: '<svg/>', encoding: 'utf8' }), true);
  assert.equal(isFromWebview({ type: 'export', format: 'svg', name: 'x', content: 1, encoding: 'utf8' }), false);
  assert.equal(isFromWebview({ type: 'runCommand', command: 'rm -rf /' }), false);
  assert.equal(isFromWebview(null), false);
  assert.equal(isFromWebview('ready'), false);
});
