// embed2d's output phase (issue 18): from the layout's coordinates to the result JSON on disk
// (cluster summary, the JSON's making, streamJson, the atomic write), in a fresh process each run.
// That code runs once per CLI process, so it runs cold (interpreted, then baseline JIT): a warm loop
// would measure something the CLI never does. The code is bundled once with esbuild, as dist/cli.js
// is, and each child runs under glibc's huge-page tunable, as the CLI does on a large input; the
// timer covers writeEmbed2dJson only (wall and CPU), not the child's start or the input's making.
//
//   node --import tsx bench/embed2d-output.ts [--reps 7] [--rows 50257] [--base REV]
//
// --base REV times the same phase as REV's source has it (REV must have embed2d's
// writeEmbed2dJson), interleaved with this tree's, and checks that both write the same bytes
// (durationMs aside). Scenarios: one cluster of everything (embed2d without --eps) and 8 clusters
// plus noise (as DBSCAN on the map gives). The real CLI run's phase is larger (its heap holds the
// PCA's leftovers, so GC costs more): bench/README.md, linalg, has both.
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const CHILD = '--child';

if (process.argv.includes(CHILD)) runChild();
else void runParent();

function option(args: string[], name: string, fallback: string): string {
  return args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
}

function runChild(): void {
  const args = process.argv.slice(process.argv.indexOf(CHILD) + 1);
  const [file, rowsText, clustersText] = args;
  const rows = Number(rowsText), clusterCount = Number(clustersText);
  // Imported here, after the parent's check, so that only this process loads them (bundled: no tsx).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { writeEmbed2dJson } = require('../src/cli/commands/embed2d') as typeof import('../src/cli/commands/embed2d');
  const { createRandom } = require('../src/core/random') as typeof import('../src/core/random');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const random = createRandom(7);
  // A PCA map's coordinates: full-precision doubles of a few units (17 significant digits, as PCA gives).
  const data = new Float64Array(rows * 2);
  for (let i = 0; i < data.length; i++) data[i] = 4 * random.gaussian();
  const labels = new Int32Array(rows);
  if (clusterCount > 1) for (let i = 0; i < rows; i++) labels[i] = i % 50 === 0 ? -1 : i % clusterCount;
  const items = Array.from({ length: rows }, (_, i) => String(i));
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  writeEmbed2dJson(file, {
    input: 'vocab.npy', items, method: 'pca', coords: { rows, cols: 2, data }, labels, pcaSolver: 'randomized',
    options: { method: 'pca', perplexity: 30, seed: 0, metric: 'euclidean', eps: null, minSamples: 5 }, warnings: [], started,
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const text = readFileSync(file, 'utf8').replace(/"durationMs":\d+/, '"durationMs":0');
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: Buffer.byteLength(text), digest: createHash('sha256').update(text).digest('hex').slice(0, 16) }));
}

async function runParent(): Promise<void> {
  const args = process.argv.slice(2);
  const reps = Number(option(args, '--reps', '7'));
  const rows = Number(option(args, '--rows', '50257'));
  const base = option(args, '--base', '');
  const root = join(__dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'mechlens-output-'));
  const { build } = await import('esbuild');
  const bundle = async (tree: string, name: string) => {
    const outfile = join(dir, `${name}.js`);
    await build({ entryPoints: [join(tree, 'bench/embed2d-output.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'onnxruntime-node', 'sharp', '@huggingface/transformers', 'esbuild'], logLevel: 'warning', define: { __MECHLENS_VERSION__: '"bench"' }, nodePaths: [join(root, 'node_modules')] });
    return outfile;
  };
  const builds: { name: string; js: string }[] = [{ name: 'this tree', js: await bundle(root, 'current') }];
  if (base) {
    const tree = join(dir, 'base');
    mkdirSync(tree);
    execFileSync('sh', ['-c', `git -C "${root}" archive "${base}" src | tar -x -C "${tree}"`]);
    mkdirSync(join(tree, 'bench'));
    cpSync(join(root, 'bench/embed2d-output.ts'), join(tree, 'bench/embed2d-output.ts'));
    builds.unshift({ name: `base ${base}`, js: await bundle(tree, 'base') });
  }
  // As the CLI runs on a large input: relaunched with glibc's huge-page tunable (src/cli/huge-pages.ts).
  const childEnv = { ...process.env, NODE_OPTIONS: '', GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1'].filter(Boolean).join(':') };
  console.log(`embed2d output phase, ${rows} rows, cold (a fresh process per run), ${reps} runs each, interleaved; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const clusters of [1, 8]) {
    const times = builds.map(() => [] as number[]);
    const cpuTimes = builds.map(() => [] as number[]);
    const digests = new Set<string>();
    let bytes = 0;
    for (let r = 0; r < reps; r++) {
      builds.forEach((b, k) => {
        const child = spawnSync(process.execPath, [b.js, CHILD, join(dir, `out-${k}.json`), String(rows), String(clusters)], { encoding: 'utf8', env: childEnv });
        if (child.status !== 0) throw new Error(`${b.name}: ${child.stderr}`);
        const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; cpuMs: number; bytes: number; digest: string };
        times[k].push(result.ms);
        cpuTimes[k].push(result.cpuMs);
        digests.add(result.digest);
        bytes = result.bytes;
      });
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const line = builds.map((b, k) => `${b.name}: wall median ${median(times[k]).toFixed(1)} ms, best ${Math.min(...times[k]).toFixed(1)} ms, CPU median ${median(cpuTimes[k]).toFixed(1)} ms`).join('; ');
    console.log(`${clusters === 1 ? 'one cluster' : `${clusters} clusters + noise`} (${(bytes / 1e6).toFixed(2)} MB): ${line}; ${digests.size === 1 ? 'same bytes' : `DIFFERENT BYTES (${[...digests].join(', ')})`}`);
  }
  console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
}
