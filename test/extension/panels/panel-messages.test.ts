import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFromWebview } from '../../../src/protocol/messages';
import { isOpenableLink, planExport, safeFileName, type ExportMessage } from '../../../src/extension/panels/panel-messages';
import { MechLensError } from '../../../src/core/errors';

const pngBytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const npyBytes = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0])]);

function exportMessage(over: Partial<ExportMessage>): ExportMessage {
  return { type: 'export', format: 'svg', name: 'heatmap A', content: '<svg/>', encoding: 'utf8', ...over };
}

test('exports decode to the bytes the webview sent, with a matching file filter', () => {
  const svg = planExport(exportMessage({}));
  assert.equal(svg.fileName, 'heatmap A.svg');
  assert.deepEqual(svg.filters, { 'SVG image': ['svg'] });
  assert.equal(new TextDecoder().decode(svg.bytes), '<svg/>');

  const png = planExport(exportMessage({ format: 'png', name: 'rsa.png', content: pngBytes.toString('base64'), encoding: 'base64' }));
  assert.equal(png.fileName, 'rsa.png');
  assert.deepEqual(Buffer.from(png.bytes), pngBytes);

  const npy = planExport(exportMessage({ format: 'npy', name: 'a-similarity', content: npyBytes.toString('base64'), encoding: 'base64' }));
  assert.deepEqual(Buffer.from(npy.bytes), npyBytes);
  assert.equal(npy.fileName, 'a-similarity.npy');

  const csv = planExport(exportMessage({ format: 'csv', name: 'ünïcode', content: 'a,b\n1,2\n' }));
  assert.equal(csv.fileName, 'ünïcode.csv');
  assert.equal(planExport(exportMessage({ format: 'python', name: 'plot', content: 'import numpy' })).fileName, 'plot.py');
});

test('exports with an unknown format, the wrong encoding or corrupt content are refused', () => {
  const refuses = (m: ExportMessage, pattern: RegExp) => assert.throws(() => planExport(m), (e: unknown) => e instanceof MechLensError && pattern.test(e.message));
  refuses(exportMessage({ format: 'exe' as never }), /unknown format/);
  refuses(exportMessage({ format: '__proto__' as never }), /unknown format/);
  refuses(exportMessage({ format: 'png', content: pngBytes.toString('base64'), encoding: 'utf8' }), /base64-encoded/);
  refuses(exportMessage({ format: 'png', content: 'not base64 !!', encoding: 'base64' }), /not valid base64/);
  refuses(exportMessage({ format: 'png', content: Buffer.from('GIF89a').toString('base64'), encoding: 'base64' }), /PNG signature/);
  refuses(exportMessage({ format: 'npy', content: Buffer.from('PK\u0003\u0004').toString('base64'), encoding: 'base64' }), /NumPy magic/);
});

test('suggested file names cannot leave the chosen folder', () => {
  assert.equal(safeFileName('../../etc/passwd', 'svg'), 'etc-passwd.svg');
  assert.equal(safeFileName('C:\\Windows\\system32\\x', 'csv'), 'C-Windows-system32-x.csv');
  assert.equal(safeFileName('..', 'png'), 'mechlens-export.png');
  assert.equal(safeFileName('', 'npy'), 'mechlens-export.npy');
  assert.equal(safeFileName('a\u0000b\nc', 'svg'), 'a-b-c.svg');
  assert.ok(safeFileName('x'.repeat(1000), 'svg').length <= 124);
});

test('messages the panel does not know are rejected before any handler sees them', () => {
  assert.equal(isFromWebview({ type: 'export', format: 'svg', name: 'x', content: '<svg/>', encoding: 'utf16' }), false);
  assert.equal(isFromWebview({ type: 'request', id: '1', method: 'settings' }), false);
  assert.equal(isFromWebview({ type: 'save' }), true);
  assert.equal(isFromWebview({ type: 'openLog' }), true);
  assert.equal(isFromWebview({ type: 'executeCommand', command: 'workbench.action.terminal.new' }), false);
  assert.equal(isFromWebview([{ type: 'ready' }]), false);
});

test('only Neuroscope neuron pages may be opened from a panel', () => {
  assert.equal(isOpenableLink('https://neuroscope.io/gpt2-small/5/1234.html'), true);
  for (const url of ['http://neuroscope.io/gpt2-small/5/1234.html', 'https://neuroscope.io.evil.com/a/1/2.html', 'https://neuroscope.io/gpt2/5/1234.html?x=<script>',
    'https://neuroscope.io/../../etc/1/2.html', 'file:///etc/passwd', 'command:workbench.action.terminal.new', 42, undefined]) {
    assert.equal(isOpenableLink(url), false, String(url));
  }
});
