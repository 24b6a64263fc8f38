// t-SNE and PCA benchmark: MechLens against scikit-learn 1.2 (Debian python3-sklearn) on the same
// generated data, interleaved in one run (ours, sklearn, ours, sklearn … alternating which goes
// first), so both see the same machine load. Prints a ratio table; wall and CPU seconds of both
// (CPU counts every thread of the process: sklearn's OpenMP threads, our helper thread).
//
//   npx tsx bench/tsne.ts [--sizes 1000,10000] [--dims 108] [--reps 2]
//     5 Gaussian clusters in 108 (or --dims) dimensions; trustworthiness@10 of both maps, ours and
//     sklearn.manifold.trustworthiness's (the latter for N ≤ 10,000: it argsorts an N × N matrix, which
//     at 20,000 points outlasted a session; ours equals it to 1e-12, test/layout/layout.test.ts), and KL.
//     Up to 5,000 points also the whole CLI run (`mechlens embed2d`, after `node scripts/build.mjs`).
//   Runs itself again under glibc's huge-page tunable, as the CLI does (src/cli/huge-pages.ts).
//   npx tsx bench/tsne.ts --vocab [--iterations 1000] [--with-sklearn-tsne]
//     a GPT-2-vocabulary-sized matrix (50,257 × 768, 64 clusters): our full t-SNE (PCA, neighbours,
//     affinities, iterations, each timed) and PCA to 2 and 50 components, beside sklearn's PCA
//     (and sklearn's t-SNE with --with-sklearn-tsne: slow).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createRandom } from '../src/core/random';
import type { Matrix } from '../src/core/matrix';
import { tsne, type TsneResult } from '../src/core/layout/tsne';
import { pca } from '../src/core/layout/pca';
import { trustworthiness } from '../src/core/layout/trustworthiness';
import { formatNpy, parseNpy } from '../src/core/io/matrix-files';
import { relaunchWithHugePages } from '../src/cli/huge-pages';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) && args[args.indexOf(name) + 1] ? args[args.indexOf(name) + 1] : fallback);
const perplexity = 30;
const iterations = Number(option('--iterations', '1000'));
const dir = mkdtempSync(join(tmpdir(), 'mechlens-bench-'));
const f = (v: number, d = 2) => v.toFixed(d);
const load = () => loadavg()[0];
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

/** Clustered rows: unit noise around `clusters` centres drawn from N(0, spread²), row i in cluster i mod clusters. */
function gaussianClusters(n: number, dims: number, clusters: number, spread: number, seed: number): Matrix<Float32Array> {
  const random = createRandom(seed);
  const centres = Float64Array.from({ length: clusters * dims }, () => spread * random.gaussian());
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const c = (i % clusters) * dims;
    for (let j = 0; j < dims; j++) data[i * dims + j] = centres[c + j] + random.gaussian();
  }
  return { rows: n, cols: dims, data };
}

function python(...pyArgs: string[]): { wall: number; cpu: number; [key: string]: unknown } {
  const py = spawnSync('/usr/bin/python3', [join(__dirname, 'tsne_reference.py'), ...pyArgs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (py.status !== 0) throw new Error(`scikit-learn reference failed (${pyArgs[0]} on ${pyArgs[1]}): ${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').pop()!);
}

/** Sizes up to which the bench also times the whole CLI run (needs `node scripts/build.mjs`). */
const CLI_UP_TO = 5000;

/** A child process through /usr/bin/time: wall, and CPU of every thread of it and its children. */
function timedChild(file: string, childArgs: string[]): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', file, ...childArgs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${childArgs.join(' ')} failed: ${r.stderr}`);
  const [wall, user, system] = /TIME (\S+) (\S+) (\S+)\s*$/.exec(r.stderr)!.slice(1).map(Number);
  return { wall, cpu: user + system };
}

function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

interface Timing { wall: number; cpu: number; load: number }

function sizesBench(): void {
  const sizes = option('--sizes', '1000,10000').split(',').map(Number);
  const reps = Number(option('--reps', '2'));
  const dims = Number(option('--dims', '108')), clusters = 5;
  const lines: string[] = [], cliLines: string[] = [];
  let version = '';
  for (const n of sizes) {
    const x = gaussianClusters(n, dims, clusters, 1, n);
    const input = join(dir, `x${n}.npy`), output = join(dir, `y${n}.npy`);
    writeFileSync(input, formatNpy(x, 'f4'));
    const ours: Timing[] = [], theirs: Timing[] = [], wholeCli: Timing[] = [];
    let ourResult: TsneResult | null = null, skKl = NaN;
    const runOurs = () => {
      const l = load();
      const r = timed(() => tsne(x, { perplexity, iterations, seed: 0 }));
      ours.push({ wall: r.wall, cpu: r.cpu, load: l });
      ourResult = r.value;
      console.log(`N=${n} MechLens: ${f(r.wall)} s wall, ${f(r.cpu)} s CPU, ${r.value.threads} thread(s), load ${f(l, 1)}; phases ${JSON.stringify(r.value.phases, (_, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}`);
    };
    const runSklearn = () => {
      const l = load();
      const sk = python('tsne', input, output, String(perplexity), String(iterations));
      theirs.push({ wall: sk.wall, cpu: sk.cpu, load: l });
      skKl = sk.kl as number; version = sk.sklearn as string;
      console.log(`N=${n} scikit-learn: ${f(sk.wall)} s wall, ${f(sk.cpu)} s CPU, load ${f(l, 1)}`);
    };
    // Small jobs: the whole CLI run too (start-up, reading the file, the worker, writing the JSON),
    // where start-up is a large part of the time (issue 18: ≥ 2× sklearn's fit_transform at 1,000 × 108).
    const cli = join(__dirname, '..', 'dist', 'cli.js');
    const runCli = () => {
      if (n > CLI_UP_TO || !existsSync(cli)) return;
      const l = load();
      const r = timedChild(process.execPath, [cli, 'embed2d', '--matrix', input, '--method', 'tsne', '--perplexity', String(perplexity), '--seed', '0', '--json', join(dir, `cli${n}.json`)]);
      wholeCli.push({ ...r, load: l });
      console.log(`N=${n} MechLens whole CLI run (mechlens embed2d): ${f(r.wall)} s wall, ${f(r.cpu)} s CPU, load ${f(l, 1)}`);
    };
    for (let rep = 0; rep < reps; rep++) {
      if (rep % 2 === 0) { runOurs(); runSklearn(); runCli(); } else { runCli(); runSklearn(); runOurs(); }
    }
    const result = ourResult as unknown as TsneResult;
    const skCoords = parseNpy(readFileSync(output), output);
    const trustOurs = trustworthiness(x, result.coords, 10), trustSk = trustworthiness(x, skCoords, 10);
    if (n <= 10000) {
      const ourOutput = join(dir, `ours${n}.npy`);
      writeFileSync(ourOutput, formatNpy(result.coords, 'f8'));
      const byScikit = python('trust', input, ourOutput, output, '10');
      console.log(`N=${n} sklearn.manifold.trustworthiness@10: MechLens ${f(byScikit.first as number, 4)}, scikit-learn ${f(byScikit.second as number, 4)} (ours computed: ${f(trustOurs, 4)} / ${f(trustSk, 4)})`);
    }
    const ow = median(ours.map((t) => t.wall)), oc = median(ours.map((t) => t.cpu));
    const sw = median(theirs.map((t) => t.wall)), sc = median(theirs.map((t) => t.cpu));
    const loads = [...ours, ...theirs].map((t) => t.load);
    lines.push(`| ${n.toLocaleString('en')} | ${f(ow)} s (${f(oc)} s) | ${f(sw)} s (${f(sc)} s) | **${f(sw / ow, 1)}×** | ${f(sc / oc, 1)}× | ${f(trustOurs, 4)} / ${f(trustSk, 4)} (${trustOurs - trustSk >= 0 ? '+' : ''}${f(trustOurs - trustSk, 4)}) | ${f(result.kl, 3)} / ${f(skKl, 3)} | ${f(Math.min(...loads), 1)}–${f(Math.max(...loads), 1)} |`);
    if (wholeCli.length) {
      const cw = median(wholeCli.map((t) => t.wall)), cc = median(wholeCli.map((t) => t.cpu)), cl = wholeCli.map((t) => t.load);
      cliLines.push(`| ${n.toLocaleString('en')} | ${f(cw)} s (${f(cc)} s) | ${f(sw)} s (${f(sc)} s) | **${f(sw / cw, 1)}×** | ${f(sc / cc, 1)}× | ${f(Math.min(...cl), 1)}–${f(Math.max(...cl), 1)} |`);
    }
    if (n <= 300) tsneJs(x, trustOurs);
  }
  console.log(`\nt-SNE, ${clusters} Gaussian clusters in ${dims} dimensions, perplexity ${perplexity}, ${iterations} iterations, PCA init, θ = 0.5; medians of ${reps} interleaved runs each; scikit-learn ${version}; ${cpus().length} CPUs; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
  console.log('| N | MechLens wall (CPU) | scikit-learn wall (CPU) | speed-up, wall | speed-up, CPU | trustworthiness@10 MechLens / sklearn | KL MechLens / sklearn | load avg (1 min) during runs |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
  if (cliLines.length) {
    console.log(`\nThe whole CLI run, \`mechlens embed2d --method tsne\` (dist/cli.js: start-up, reading the .npy, the worker, writing the JSON), against scikit-learn's fit_transform alone; medians\n`);
    console.log('| N | MechLens CLI wall (CPU) | scikit-learn wall (CPU) | speed-up, wall | speed-up, CPU | load avg (1 min) |\n|---|---|---|---|---|---|');
    for (const line of cliLines) console.log(line);
  }
}

/** tsne-js (exact t-SNE, pure JS) for small N, for scale. */
function tsneJs(x: Matrix, trustOurs: number): void {
  const TSNE = createRequire(__filename)('tsne-js');
  const n = x.rows, dims = x.cols;
  const nested = Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * dims, (i + 1) * dims)));
  const r = timed(() => {
    const model = new TSNE({ dim: 2, perplexity, earlyExaggeration: 4, learningRate: 100, nIter: iterations, metric: 'euclidean' });
    model.init({ data: nested, type: 'dense' });
    model.run();
    return model.getOutput() as number[][];
  });
  const trust = trustworthiness(x, { rows: n, cols: 2, data: Float64Array.from(r.value.flat()) }, 10);
  console.log(`N=${n} tsne-js (exact): ${f(r.wall)} s wall, trustworthiness ${f(trust, 3)} (MechLens ${f(trustOurs, 3)})`);
}

function vocabBench(): void {
  const n = 50257, dims = 768;
  const gen = timed(() => gaussianClusters(n, dims, 64, 0.6, 1));
  const x = gen.value;
  console.log(`generated ${n} × ${dims} (64 clusters) in ${f(gen.wall)} s; load ${f(load(), 1)}`);
  const input = join(dir, 'vocab.npy');
  writeFileSync(input, formatNpy(x, 'f4'));
  const rows: string[] = [];
  for (const k of [2, 50]) {
    const l = load();
    const ours = timed(() => pca(x, { components: k }));
    const sk = python('pca', input, String(k));
    const ev = (v: ArrayLike<number>) => Array.from(v).slice(0, 2).map((e) => f(e, 4)).join(', ');
    rows.push(`| PCA to ${k} (ours: ${ours.value.solver}; sklearn: ${sk.solver}) | ${f(ours.wall)} s (${f(ours.cpu)} s) | ${f(sk.wall)} s (${f(sk.cpu)} s) | ${f(sk.wall / ours.wall, 2)}× | top variances ${ev(ours.value.explainedVariance)} / ${ev(sk.explained as number[])} | ${f(l, 1)} |`);
    console.log(rows[rows.length - 1]);
  }
  const l = load();
  const run = timed(() => tsne(x, { perplexity, iterations, seed: 0 }, { onProgress: (p) => { if (/iteration \d*[05]00$/.test(p.message)) console.log(`  ${p.message} (load ${f(load(), 1)})`); } }));
  const ph = run.value.phases;
  console.log(`MechLens t-SNE: ${f(run.wall)} s wall, ${f(run.cpu)} s CPU, ${run.value.threads} thread(s), KL ${f(run.value.kl, 3)}; ${run.value.warnings.join('; ')}`);
  let skTsne = '';
  if (args.includes('--with-sklearn-tsne')) {
    const sk = python('tsne', input, join(dir, 'vocab-y.npy'), String(perplexity), String(iterations));
    skTsne = ` | ${f(sk.wall)} s (${f(sk.cpu)} s), KL ${f(sk.kl as number, 3)}`;
  }
  console.log(`\nGPT-2-vocabulary-sized t-SNE and PCA (${n} × ${dims}, float32), ${cpus().length} CPUs, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
  console.log(`| t-SNE phase | MechLens wall |\n|---|---|`);
  console.log(`| PCA to 50 (neighbour space) + PCA init | ${f(ph.pca)} s |\n| exact neighbours (${3 * perplexity + 1} per point, 2 threads) | ${f(ph.neighbours)} s |\n| affinities (perplexity search, symmetrise) | ${f(ph.affinities)} s |\n| ${run.value.iterations} iterations (Barnes-Hut, θ = 0.5, ${run.value.threads} threads) | ${f(ph.optimize)} s |`);
  console.log(`| **total** | **${f(run.wall)} s** (CPU ${f(run.cpu)} s; target < 300 s; load ${f(l, 1)} at start, ${f(load(), 1)} at end)${skTsne} |`);
  console.log(`\n| PCA | MechLens wall (CPU) | scikit-learn wall (CPU) | speed-up, wall | explained variance MechLens / sklearn | load |\n|---|---|---|---|---|---|`);
  for (const row of rows) console.log(row);
}

void (async () => {
  const relaunched = relaunchWithHugePages();
  if (relaunched) { rmSync(dir, { recursive: true, force: true }); process.exitCode = await relaunched; return; }
  try {
    if (args.includes('--vocab')) vocabBench();
    else sizesBench();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
