// The layer rules of eslint.config.mjs must actually fire: each case plants one import that breaks a
// rule into a temporary copy of the tree (the real config, a file at a real layer path) and expects
// eslint to report it; the allowed cases expect silence, so a rule that bans too much fails too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.join(import.meta.dirname, '..', '..');
const layerRules = new Set(['no-restricted-imports', 'no-restricted-syntax']);

interface Case { name: string; file: string; code: string; fires: boolean }

const cases: Case[] = [
  // The five rules issue 14 found missing.
  { name: 'core -> cli', file: 'src/core/stats/planted.ts', code: `import { parseArgs } from '../../cli/args';\nexport const a = parseArgs;`, fires: true },
  { name: 'core -> cli (dynamic import)', file: 'src/core/analyses/planted.ts', code: `export const load = () => import('../../cli/commands/compare');`, fires: true },
  { name: 'core -> onnxruntime-node outside runtime', file: 'src/core/models/planted.ts', code: `import * as ort from 'onnxruntime-node';\nexport const t = ort.Tensor;`, fires: true },
  { name: 'core -> onnxruntime-node type import', file: 'src/core/models/capture-planted.ts', code: `import type { InferenceSession } from 'onnxruntime-node';\nexport type S = InferenceSession;`, fires: true },
  { name: 'core -> onnxruntime-node (dynamic import)', file: 'src/core/analyses/planted-ort.ts', code: `export const load = () => import('onnxruntime-node');`, fires: true },
  { name: 'core -> onnxruntime-node (require)', file: 'src/core/vectors/planted.ts', code: `export const ort = require('onnxruntime-node');`, fires: true },
  { name: 'core -> d3', file: 'src/core/layout/planted.ts', code: `import * as d3 from 'd3';\nexport const s = d3.scaleLinear;`, fires: true },
  { name: 'core -> d3-scale', file: 'src/core/cluster/planted.ts', code: `import { scaleLinear } from 'd3-scale';\nexport const s = scaleLinear;`, fires: true },
  { name: 'extension -> webview', file: 'src/extension/planted.ts', code: `import { renderCharts } from '../webview/charts';\nexport const r = renderCharts;`, fires: true },
  { name: 'extension -> webview from a feature folder', file: 'src/extension/panels/planted.ts', code: `import { heatmap } from '../../webview/charts/heatmap';\nexport const h = heatmap;`, fires: true },
  { name: 'extension -> cli', file: 'src/extension/commands/planted.ts', code: `import { main } from '../../cli/main';\nexport const m = main;`, fires: true },
  { name: 'extension -> cli (root)', file: 'src/extension/planted-cli.ts', code: `export { main } from '../cli/main';`, fires: true },
  // A chart never reaches up into the panel shell (issue 14: heatmap.ts imported ../settings).
  { name: 'webview/charts -> the panel shell', file: 'src/webview/charts/planted-shell.ts', code: `import { readHeatmapSettings } from '../settings';\nexport const r = readHeatmapSettings;`, fires: true },
  { name: 'webview/charts -> a panel', file: 'src/webview/charts/planted-panel.ts', code: `import { renderCompare } from '../panels/compare';\nexport const r = renderCompare;`, fires: true },
  { name: 'webview/charts -> the panel shell (dynamic import)', file: 'src/webview/charts/planted-lazy.ts', code: `export const load = () => import('../export');`, fires: true },
  // The rules that were already there keep firing.
  { name: 'core -> vscode', file: 'src/core/planted-vscode.ts', code: `import * as vscode from 'vscode';\nexport const w = vscode.window;`, fires: true },
  { name: 'core -> extension', file: 'src/core/text/planted.ts', code: `import { activate } from '../../extension/extension';\nexport const a = activate;`, fires: true },
  { name: 'core -> webview', file: 'src/core/io/planted.ts', code: `import { heatmap } from '../../webview/charts/heatmap';\nexport const h = heatmap;`, fires: true },
  { name: 'cli -> vscode', file: 'src/cli/planted.ts', code: `import * as vscode from 'vscode';\nexport const w = vscode.window;`, fires: true },
  { name: 'cli -> extension', file: 'src/cli/commands/planted.ts', code: `import { activate } from '../../extension/extension';\nexport const a = activate;`, fires: true },
  { name: 'cli -> webview', file: 'src/cli/planted-webview.ts', code: `import { heatmap } from '../webview/charts/heatmap';\nexport const h = heatmap;`, fires: true },
  { name: 'protocol -> core', file: 'src/protocol/planted.ts', code: `import { cosine } from '../core/stats/similarity';\nexport const c = cosine;`, fires: true },
  { name: 'protocol -> node:fs', file: 'src/protocol/planted-fs.ts', code: `import fs from 'node:fs';\nexport const r = fs.readFileSync;`, fires: true },
  { name: 'webview -> core', file: 'src/webview/charts/planted.ts', code: `import { cosine } from '../../core/stats/similarity';\nexport const c = cosine;`, fires: true },
  { name: 'webview -> extension', file: 'src/webview/planted.ts', code: `import { activate } from '../extension/extension';\nexport const a = activate;`, fires: true },
  { name: 'webview -> vscode', file: 'src/webview/panels/planted.ts', code: `import * as vscode from 'vscode';\nexport const w = vscode.window;`, fires: true },
  { name: 'webview -> fs', file: 'src/webview/planted-fs.ts', code: `import fs from 'fs';\nexport const r = fs.readFileSync;`, fires: true },
  // What the layers may do stays allowed.
  { name: 'core/models/runtime.ts -> onnxruntime-node', file: 'src/core/models/runtime.ts', code: `import * as ort from 'onnxruntime-node';\nexport const t = ort.Tensor;`, fires: false },
  { name: 'core/models/runtime/ folder -> onnxruntime-node', file: 'src/core/models/runtime/session.ts', code: `import * as ort from 'onnxruntime-node';\nexport const load = () => import('onnxruntime-node');\nexport const t = ort.Tensor;`, fires: false },
  { name: 'core -> resolving onnxruntime-node\'s package.json', file: 'src/core/models/planted-resolve.ts', code: `export const where = require.resolve('onnxruntime-node/package.json');`, fires: false },
  { name: 'core -> its own lazy modules', file: 'src/core/planted-lazy.ts', code: `export const load = () => import('./models/tokenizer');`, fires: false },
  { name: 'extension -> core, protocol and vscode', file: 'src/extension/planted-ok.ts', code: `import * as vscode from 'vscode';\nimport { runInWorker } from '../core/worker/client';\nimport type { Result } from '../protocol/result';\nimport { buildWebviewHtml } from './webview-html';\nexport const x: [unknown, unknown, Result | undefined, unknown] = [vscode, runInWorker, undefined, buildWebviewHtml];`, fires: false },
  { name: 'cli -> core', file: 'src/cli/planted-ok.ts', code: `import { cosine } from '../core/stats/similarity';\nexport const c = cosine;`, fires: false },
  { name: 'webview/charts -> charts, protocol, d3 and vscode-elements', file: 'src/webview/charts/planted-ok.ts', code: `import * as d3 from 'd3';\nimport '@vscode-elements/elements/dist/vscode-option/index.js';\nimport type { Result } from '../../protocol/result';\nimport { fmt } from './common';\nexport const x: [unknown, Result | undefined, unknown] = [d3, undefined, fmt];`, fires: false },
  { name: 'webview panels -> charts', file: 'src/webview/panels/planted-ok.ts', code: `import { heatmap } from '../charts/heatmap';\nimport { savePng } from '../export';\nexport const x = [heatmap, savePng];`, fires: false },
  { name: 'webview -> protocol and d3', file: 'src/webview/planted-ok.ts', code: `import * as d3 from 'd3';\nimport type { Result } from '../protocol/result';\nexport const x: [unknown, Result | undefined] = [d3, undefined];`, fires: false },
];

let dir = '';
const reported = new Map<string, string[]>();

before(async () => {
  // Inside the repository (ignored by git) so the copied config resolves typescript-eslint from node_modules.
  fs.mkdirSync(path.join(root, 'test', '.tmp'), { recursive: true });
  dir = fs.mkdtempSync(path.join(root, 'test', '.tmp', 'layer-rules-'));
  fs.copyFileSync(path.join(root, 'eslint.config.mjs'), path.join(dir, 'eslint.config.mjs'));
  for (const c of cases) {
    fs.mkdirSync(path.dirname(path.join(dir, c.file)), { recursive: true });
    fs.writeFileSync(path.join(dir, c.file), c.code + '\n');
  }
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: path.join(dir, 'eslint.config.mjs') });
  for (const r of await eslint.lintFiles(cases.map((c) => c.file))) {
    const file = path.relative(dir, r.filePath).split(path.sep).join('/');
    reported.set(file, r.messages.filter((m) => m.ruleId !== null && layerRules.has(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`));
  }
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const c of cases) {
  test(`${c.name}: ${c.fires ? 'eslint reports it' : 'allowed'}`, () => {
    const messages = reported.get(c.file);
    assert.ok(messages, `${c.file} was linted`);
    if (c.fires) assert.ok(messages.length > 0, `${c.file} should break a layer rule:\n${c.code}`);
    else assert.deepEqual(messages, [], `${c.file} should be allowed`);
  });
}

test('the onnxruntime message names the one module that may load it', () => {
  const messages = reported.get('src/core/models/planted.ts') ?? [];
  assert.ok(messages.some((m) => m.includes('core/models/runtime.ts')), messages.join('\n'));
});
