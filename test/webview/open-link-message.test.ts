// The panel may ask the host to open a link; the host accepts only Neuroscope neuron pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFromWebview } from '../../src/protocol/messages';

test('openLink accepts Neuroscope neuron pages only', () => {
  assert.equal(isFromWebview({ type: 'openLink', url: 'https://neuroscope.io/gpt2-small/5/123.html' }), true);
  assert.equal(isFromWebview({ type: 'openLink', url: 'https://neuroscope.io/gpt2-medium/23/4095.html' }), true);
  for (const url of ['http://neuroscope.io/gpt2-small/5/1.html', 'https://neuroscope.io.evil.com/gpt2/5/1.html', 'https://evil.com/?https://neuroscope.io/gpt2/5/1.html',
    'https://neuroscope.io/gpt2/5/1.html#x', 'https://neuroscope.io/../5/1.html', 'command:workbench.action.terminal.new', 'file:///etc/passwd', 'javascript:alert(1)']) {
    assert.equal(isFromWebview({ type: 'openLink', url }), false, url);
  }
  assert.equal(isFromWebview({ type: 'openLink' }), false);
  assert.equal(isFromWebview({ type: 'openLink', url: 42 }), false);
});
