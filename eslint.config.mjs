// Layer boundaries from shared/design.md, enforced: protocol <- core <- extension, cli; webview sees only
// protocol; core never sees vscode, d3 or the CLI; only core/models/runtime.ts (or a small
// core/models/runtime/ folder) loads onnxruntime-node. test/lint/layer-rules.test.ts plants one
// violation of each rule in a copy of the tree and expects eslint to report it.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'https', 'zlib', 'stream']
  .flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

const runtimeFiles = ['src/core/models/runtime.ts', 'src/core/models/runtime/**'];
const onnxruntime = { name: 'onnxruntime-node', message: 'Only core/models/runtime.ts (or core/models/runtime/) loads onnxruntime-node; pass plain { data, dims } tensors instead.' };
const d3 = { name: 'd3', message: 'd3 is for webview/ charts; core/ does the math and returns plain data.' };
const vscode = { name: 'vscode', message: 'Only extension/ may use the vscode API.' };

/** A restricted-import rule set: bare module names, other layers' folders, extra module globs and specifier regexes. */
function layer({ modules = [], folders = [], modulePatterns = [], specifiers = [] }) {
  const names = modules.map((m) => (typeof m === 'string' ? m : m.name));
  const folderPatterns = folders.flatMap((f) => [`**/${f}`, `**/${f}/**`]);
  // no-restricted-imports sees only static imports; a dynamic import() or require() of the same module
  // would slip past, so those are matched by syntax. esquery regexes cannot hold '/', hence \x2F.
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('/', '\\x2F');
  const alternatives = [
    ...names.map((n) => `^${escape(n)}(\\x2F.*)?$`),
    ...modulePatterns.map((p) => `^${escape(p).replaceAll('\\*', '[^\\x2F]*')}$`),
    ...folders.map((f) => `(^|\\x2F)${escape(f)}(\\x2F|$)`),
    ...specifiers.map((r) => r.regex.replaceAll('/', '\\x2F')),
  ];
  const source = `/${alternatives.join('|')}/`;
  const message = `This layer may not load this module (see the layer rules in eslint.config.mjs).`;
  return {
    'no-restricted-imports': ['error', { paths: modules, patterns: [{ group: [...folderPatterns, ...modulePatterns] }, ...specifiers] }],
    'no-restricted-syntax': alternatives.length === 0 ? 'off' : ['error',
      { selector: `ImportExpression[source.value=${source}]`, message },
      { selector: `CallExpression[callee.name='require'][arguments.0.value=${source}]`, message },
    ],
  };
}

// A chart is a function of (container, data, options): it gets what it needs from the panel that
// calls it, and never reaches up into the panel shell (webview/*.ts, panels/).
const chartsOnly = { regex: '^\\.\\./(?!\\.\\./protocol(/|$))', message: 'Charts see only charts/ and protocol/: the panel passes what a chart needs.' };
const webviewLayer = { modules: [vscode, ...nodeBuiltins], folders: ['core', 'extension', 'cli'] };
const coreLayer = { modules: [vscode, d3, onnxruntime], modulePatterns: ['d3-*'], folders: ['extension', 'webview', 'cli'] };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/protocol/**'], rules: layer({ modules: [vscode, ...nodeBuiltins], folders: ['core', 'extension', 'webview', 'cli'] }) },
  { files: ['src/core/**'], ignores: runtimeFiles, rules: layer(coreLayer) },
  { files: runtimeFiles, rules: layer({ ...coreLayer, modules: [vscode, d3] }) },
  { files: ['src/cli/**'], rules: layer({ modules: [vscode], folders: ['extension', 'webview'] }) },
  { files: ['src/extension/**'], rules: layer({ folders: ['webview', 'cli'] }) },
  { files: ['src/webview/**'], ignores: ['src/webview/charts/**'], rules: layer(webviewLayer) },
  { files: ['src/webview/charts/**'], rules: layer({ ...webviewLayer, specifiers: [chartsOnly] }) },
);
