// core/linalg benchmark (issue 18): every row against numpy / scikit-learn / torch measured in the
// same run, interleaved (ours, theirs, ours, theirs …) so both see the same machine load; the best
// of --reps runs of each side (the least disturbed by other processes on a shared machine).
// Runs itself again under glibc's huge-page tunable, as the CLI does (src/cli/huge-pages.ts);
// MECHLENS_HUGE_PAGES=0 measures without (for the bench and the CLI runs it starts).
//
//   node --import tsx bench/linalg.ts [--only gemm,crossover,cosine,pca,knn,knn-scaling,widen,startup] [--reps 3]
//        [--base-dist DIR]   start-up of another build's dist/cli.js (the code before this change) beside ours
//
// Needs `node scripts/build.mjs` first (pca and startup run the built CLI) and Debian's python3 with
// numpy, scikit-learn and torch (bench/linalg_reference.py).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../src/core/random';
import type { Matrix } from '../src/core/matrix';
import { formatNpy } from '../src/core/io/matrix-files';
import { gemm, forceGemmBackend } from '../src/core/linalg';
import { cosineSimilarityMatrix } from '../src/core/stats/similarity';
import { nearestNeighbours } from '../src/core/layout/knn';
import { bf16ToF32, f16ToF32 } from '../src/core/models/safetensors';
import { f16ToF32ByTable } from '../src/core/io/half-float';
import { createWasmSimdGemm } from './wasm-simd-gemm';
import { hugePagesSkipReason, relaunchWithHugePages } from '../src/cli/huge-pages';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const only = new Set(option('--only', 'gemm,crossover,cosine,pca,knn,widen,startup').split(','));
const reps = Number(option('--reps', '3'));
const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'mechlens-linalg-'));
const best = (v: number[]) => Math.min(...v);
const f = (v: number, d = 3) => v.toFixed(d);
const rows: string[][] = [];

function clustered(n: number, dims: number, seed: number): Matrix<Float32Array> {
  const random = createRandom(seed);
  const centres = Float64Array.from({ length: 64 * dims }, () => 3 * random.gaussian());
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) data[i * dims + j] = centres[(i % 64) * dims + j] + random.gaussian();
  return { rows: n, cols: dims, data };
}

function saveNpy(name: string, m: Matrix): string {
  const file = join(dir, name);
  writeFileSync(file, formatNpy(m));
  return file;
}

function python(...pyArgs: string[]): Record<string, number> {
  // The references run as their users run them: without the tunable this process was relaunched
  // with (numpy asks for huge pages itself; torch's allocator does not, unless told).
  const tunables = (process.env.GLIBC_TUNABLES ?? '').split(':').filter((t) => t && t !== 'glibc.malloc.hugetlb=1').join(':');
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (tunables) env.GLIBC_TUNABLES = tunables;
  else env.GLIBC_TUNABLES = undefined;
  const py = spawnSync('/usr/bin/python3', [join(__dirname, 'linalg_reference.py'), ...pyArgs], { encoding: 'utf8', maxBuffer: 1 << 26, env });
  if (py.status !== 0) throw new Error(`reference ${pyArgs.join(' ')} failed: ${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').pop()!);
}

/** Wall and CPU seconds (CPU: every thread of this process, or of a child and its children). */
interface Sample { wall: number; cpu?: number }
type Timed = () => number | Sample;

function seconds(fn: () => unknown): number {
  return timed(fn).wall;
}

function timed(fn: () => unknown): Sample {
  const c = process.cpuUsage(), t = performance.now();
  fn();
  const u = process.cpuUsage(c);
  return { wall: (performance.now() - t) / 1000, cpu: (u.user + u.system) / 1e6 };
}

/** A child process through /usr/bin/time, which counts the CPU of every process it waits for (the CLI's relaunch too). */
function timedChild(file: string, args: string[]): Sample {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', file, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const [wall, user, system] = /TIME (\S+) (\S+) (\S+)\s*$/.exec(r.stderr)!.slice(1).map(Number);
  return { wall, cpu: user + system };
}

const fromPython = (r: Record<string, number>, wall = 'wall', cpu = 'cpu'): Sample => ({ wall: r[wall], cpu: r[cpu] });

/** Interleaved runs of ours and theirs, the best of each (wall, and CPU where both have it); the order alternates each repetition. */
function pair(what: string, ours: Timed, theirs: Timed, note = '', digits = 3): void {
  const a: Sample[] = [], b: Sample[] = [];
  const sample = (fn: Timed): Sample => { const v = fn(); return typeof v === 'number' ? { wall: v } : v; };
  for (let r = 0; r < reps; r++) {
    if (r % 2) { b.push(sample(theirs)); a.push(sample(ours)); } else { a.push(sample(ours)); b.push(sample(theirs)); }
  }
  const wallA = best(a.map((s) => s.wall)), wallB = best(b.map((s) => s.wall));
  const hasCpu = a.every((s) => s.cpu !== undefined) && b.every((s) => s.cpu !== undefined);
  const cpuA = hasCpu ? best(a.map((s) => s.cpu!)) : NaN, cpuB = hasCpu ? best(b.map((s) => s.cpu!)) : NaN;
  const row = [what, f(wallA, digits), f(wallB, digits), f(wallB / wallA, 2), hasCpu ? `${f(cpuA, digits)} / ${f(cpuB, digits)} (${f(cpuB / cpuA, 2)})` : '—', note, f(loadavg()[0], 1)];
  rows.push(row);
  console.log(row.join(' | '));
}

function main(): void {
  const hugePages = (process.env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.hugetlb=1') ? 'on (glibc.malloc.hugetlb=1)' : `off (${hugePagesSkipReason()})`;
  console.log(`huge pages: ${hugePages}; load ${f(loadavg()[0], 1)}`);
  if (only.has('gemm')) {
    // MLAS (onnxruntime) vs the WASM SIMD kernel vs plain JS, float32 A·Bᵀ; numpy (OpenBLAS) beside.
    const wasm = createWasmSimdGemm();
    for (const [m, n, k] of [[512, 512, 768], [2000, 2000, 768]]) {
      const a = clustered(m, k, 1), b = clustered(n, k, 2);
      const gflops = (s: number) => (2 * m * n * k) / s / 1e9;
      gemm(a, b, { transposeB: true, backend: 'onnx' });
      const onnx = () => seconds(() => gemm(a, b, { transposeB: true, backend: 'onnx' }));
      pair(`GEMM ${m}×${k}·(${n}×${k})ᵀ f32: MLAS vs WASM SIMD (s)`, onnx, () => seconds(() => wasm(a.data, m, b.data, n, k)));
      if (m <= 512) pair(`GEMM ${m}×${k}·(${n}×${k})ᵀ f32: MLAS vs JS (s)`, onnx, () => seconds(() => gemm(a, b, { transposeB: true, backend: 'js' })));
      pair(`GEMM ${m}×${k}·(${n}×${k})ᵀ f32: MLAS vs numpy (s)`, () => timed(() => gemm(a, b, { transposeB: true, backend: 'onnx' })), () => fromPython(python('matmul', String(m), String(n), String(k))), `MLAS ${f(gflops(onnx()), 1)} GFLOP/s`);
    }
  }

  if (only.has('crossover')) {
    // Where JS stops beating an onnxruntime run: square float64 products of growing size.
    for (const s of [16, 32, 48, 64, 96]) {
      const a = { rows: s, cols: s, data: Float64Array.from({ length: s * s }, (_, i) => Math.sin(i)) };
      const times = (backend: 'js' | 'onnx') => () => { const t = performance.now(); for (let r = 0; r < 50; r++) gemm(a, a, { transposeB: true, backend }); return (performance.now() - t) / 50e3; };
      times('js')(); times('onnx')();
      pair(`crossover ${s}³ = ${s ** 3} multiply-adds f64: JS vs MLAS (s per product)`, times('js'), times('onnx'), '', 6);
    }
  }

  if (only.has('cosine')) {
    const x = clustered(2000, 768, 3);
    const file = saveNpy('cos32.npy', x);
    cosineSimilarityMatrix(x);
    pair('cosine matrix 2,000 × 768 float32 vs numpy float32 (s)', () => timed(() => cosineSimilarityMatrix(x)), () => fromPython(python('cosine', file)));
    const x64: Matrix<Float64Array> = { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) };
    const file64 = saveNpy('cos64.npy', x64);
    pair('cosine matrix 2,000 × 768 float64 vs numpy float64 (s)', () => timed(() => cosineSimilarityMatrix(x64)), () => fromPython(python('cosine', file64)));
  }

  if (only.has('pca')) {
    const x = clustered(50257, 768, 4);
    const file = saveNpy('vocab.npy', x);
    const out = join(dir, 'pca.json');
    const cli = () => timedChild(process.execPath, [join(root, 'dist/cli.js'), 'embed2d', '--matrix', file, '--method', 'pca', '--json', out]);
    pair('PCA 50,257 × 768 → 2, whole CLI run (mechlens embed2d) vs sklearn PCA(2).fit_transform alone (s)', cli, () => fromPython(python('pca', file, '2')));
  }

  if (only.has('knn')) {
    const x = clustered(20000, 768, 5);
    const file = saveNpy('knn.npy', x);
    pair('exact 30-NN 20,000 × 768 vs sklearn NearestNeighbors(brute) (s)', () => timed(() => nearestNeighbours(x, 30, 'euclidean')), () => fromPython(python('knn', file, '30')));
  }

  if (only.has('knn-scaling')) {
    // Where the exact search (t-SNE's 91 neighbours, on two threads as t-SNE runs it) gets slow: sets KNN_BUDGET and EXACT_KNN_RATE in layout/tsne.ts.
    for (const n of option("--knn-sizes", "5000,10000,20000,30000").split(",").map(Number)) {
      const x = clustered(n, 768, 6);
      const t = seconds(() => nearestNeighbours(x, 91, 'euclidean', {}, 2));
      console.log(`exact 91-NN ${n} × 768: ${f(t, 2)} s, ${f((n * n * 768) / 2 / t / 1e9, 2)} G multiply-adds/s`);
    }
  }

  if (only.has('widen')) {
    const n = Number(option('--values', String(124_000_000)));
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) bits[i] = Math.imul(i, 2654435761) >>> 16;
    bf16ToF32(bits.subarray(0, 1 << 20)); f16ToF32(bits.subarray(0, 1 << 20));
    pair(`BF16 → float32, ${n.toExponential(2)} values vs torch .float() (s)`, () => timed(() => bf16ToF32(bits)), () => fromPython(python('widen', String(n)), 'torchBf16', 'torchBf16Cpu'));
    pair(`F16 → float32, ${n.toExponential(2)} values vs numpy astype (s)`, () => timed(() => f16ToF32(bits)), () => fromPython(python('widen', String(n)), 'numpyF16', 'numpyF16Cpu'));
    // Why the WebAssembly kernel: the table it replaced (still the fallback without WebAssembly), same run.
    f16ToF32ByTable(bits.subarray(0, 1 << 20));
    pair(`F16 → float32, ${n.toExponential(2)} values: WASM SIMD kernel vs the JS table (s)`, () => timed(() => f16ToF32(bits)), () => timed(() => f16ToF32ByTable(bits)));
  }

  if (only.has('startup')) {
    const tiny = saveNpy('tiny.npy', clustered(50, 8, 7));
    const out = join(dir, 'tiny.json');
    const run = (cli: string) => () => timedChild(process.execPath, [cli, 'cluster', '--points', tiny, '--method', 'kmeans', '--k', '3', '--json', out]);
    pair('CLI start-up: mechlens cluster on 50 × 8 vs node -e 0 (s)', run(join(root, 'dist/cli.js')), () => timedChild(process.execPath, ['-e', '0']));
    pair('CLI start-up: mechlens cluster --help vs node -e 0 (s)', () => timedChild(process.execPath, [join(root, 'dist/cli.js'), 'cluster', '--help']), () => timedChild(process.execPath, ['-e', '0']));
    const help = (cli: string) => () => timedChild(process.execPath, [cli, '--help']);
    pair('CLI start-up: mechlens --help (the command list) vs node -e 0 (s)', help(join(root, 'dist/cli.js')), () => timedChild(process.execPath, ['-e', '0']));
    const base = option('--base-dist', '');
    if (base) {
      pair('CLI start-up: mechlens cluster on 50 × 8, this build vs the build before (s)', run(join(root, 'dist/cli.js')), run(join(base, 'cli.js')));
      pair('CLI start-up: mechlens --help, this build vs the build before (s)', help(join(root, 'dist/cli.js')), help(join(base, 'cli.js')));
    }
  }

  forceGemmBackend(undefined);
  rmSync(dir, { recursive: true, force: true });
  console.log('\n| work | MechLens (s) | reference (s) | reference / MechLens | CPU s, ours / reference (ratio) | note | load |\n|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

void (async () => {
  const relaunched = relaunchWithHugePages();
  if (relaunched) { rmSync(dir, { recursive: true, force: true }); process.exitCode = await relaunched; return; }
  main();
})();
