// Layer boundaries from shared/design.md, enforced: core never sees vscode, webview sees only protocol.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'https', 'zlib', 'stream']
  .flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**', 'src/cli/**', 'src/protocol/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'], patterns: ['**/extension/**', '**/webview/**'] }] },
  },
  {
    files: ['src/protocol/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', ...nodeBuiltins], patterns: ['**/core/**', '**/extension/**', '**/webview/**', '**/cli/**'] }] },
  },
  {
    files: ['src/webview/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode', ...nodeBuiltins], patterns: ['**/core/**', '**/extension/**', '**/cli/**'] }] },
  },
);
