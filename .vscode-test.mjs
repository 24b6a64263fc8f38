// @vscode/test-cli configuration for `npm run test:vscode` (needs internet: it downloads VS Code).
// scripts/run-vscode-tests.mjs bundles test/vscode/*.vscode.ts into out/vscode-test/ first.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/vscode-test/**/*.vscode.js',
  version: '1.100.3',
  workspaceFolder: './samples',
  mocha: { ui: 'tdd', timeout: 60_000 },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
});
