// `npm run test:vscode`: builds the extension, bundles test/vscode/*.vscode.ts for the extension
// host (mocha and vscode stay external), then runs them in a downloaded VS Code via @vscode/test-cli.
// Needs internet for the VS Code download; CI uses test/e2e (code-server) instead.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
};
run(process.execPath, ['scripts/build.mjs']);
const entries = readdirSync(join(root, 'test/vscode')).filter((f) => f.endsWith('.vscode.ts')).map((f) => join('test/vscode', f));
await build({
  absWorkingDir: root, entryPoints: entries, outdir: 'out/vscode-test', bundle: true, platform: 'node', format: 'cjs',
  target: 'node20', external: ['vscode', 'mocha'], sourcemap: true, logLevel: 'warning',
});
run('npx', ['vscode-test', ...process.argv.slice(2)]);
