// `mechlens --help` and the usage line list every command from the command table alone: no command
// module runs, so nothing is loaded from node_modules (before, --help loaded all fourteen commands and
// with them onnxruntime and 95 other package files). `mechlens <command> --help` loads that command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli, repoRoot } from '../helpers/cli';
import { commandNames, commandSummary } from '../../src/cli/command-table';

const dir = mkdtempSync(join(tmpdir(), 'mechlens-help-'));
// Preloaded into the CLI: on exit, the package files it loaded (the bundle's externals come from node_modules).
const probe = join(dir, 'probe.js');
writeFileSync(probe, "process.on('exit', () => { process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('node_modules'))) + '\\n'); });\n");

function mechlens(...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', probe, builtCli(), ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: join(repoRoot, 'node_modules') } });
  const loaded = JSON.parse(/LOADED (.*)/.exec(r.stderr)?.[1] ?? 'null') as string[] | null;
  return { ...r, loaded };
}

test('mechlens --help lists every command with its summary and loads no package', () => {
  for (const args of [['--help'], []]) {
    const r = mechlens(...args);
    assert.equal(r.status, args.length ? 0 : 2, r.stderr);
    for (const name of commandNames) {
      assert.ok(commandSummary(name).length > 10, `${name} has a summary`);
      assert.ok(r.stdout.includes(`  ${name.padEnd(12)} ${commandSummary(name)}\n`), `${name} listed`);
    }
    assert.deepEqual(r.loaded, [], `mechlens ${args.join(' ')} loaded ${r.loaded?.length} package files`);
  }
});

test("mechlens <command> --help starts with the table's summary, then the command's options", () => {
  const r = mechlens('embed2d', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`mechlens embed2d: ${commandSummary('embed2d')}\n`), r.stdout);
  assert.match(r.stdout, /--matrix/);
});
