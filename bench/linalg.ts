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
  const py = spawnSync('/usr/bin/python3', [join(__dirname, 'linalg_reference.py'), ...pyArgs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (py.status !== 0) throw new Error(`reference ${pyArgs.join(' ')} failed: ${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').pop()!);
}

function seconds(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

/** Interleaved runs of ours and theirs, the best of each; the order alternates each repetition. */
function pair(what: string, ours: () => number, theirs: () => number, note = '', digits = 3): void {
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < reps; r++) {
    if (r % 2) { b.push(theirs()); a.push(ours()); } else { a.push(ours()); b.push(theirs()); }
  }
  const row = [what, f(best(a), digits), f(best(b), digits), f(best(b) / best(a), 2), note, f(loadavg()[0], 1)];
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
      pair(`GEMM ${m}×${k}·(${n}×${k})ᵀ f32: MLAS vs numpy (s)`, onnx, () => python('matmul', String(m), String(n), String(k)).wall, `MLAS ${f(gflops(onnx()), 1)} GFLOP/s`);
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
    pair('cosine matrix 2,000 × 768 float32 vs numpy float32 (s)', () => seconds(() => cosineSimilarityMatrix(x)), () => python('cosine', file).wall);
    const x64: Matrix<Float64Array> = { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data) };
    const file64 = saveNpy('cos64.npy', x64);
    pair('cosine matrix 2,000 × 768 float64 vs numpy float64 (s)', () => seconds(() => cosineSimilarityMatrix(x64)), () => python('cosine', file64).wall);
  }

  if (only.has('pca')) {
    const x = clustered(50257, 768, 4);
    const file = saveNpy('vocab.npy', x);
    const out = join(dir, 'pca.json');
    const cli = () => seconds(() => {
      const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'embed2d', '--matrix', file, '--method', 'pca', '--json', out], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    });
    pair('PCA 50,257 × 768 → 2, whole CLI run (mechlens embed2d) vs sklearn PCA(2).fit_transform alone (s)', cli, () => python('pca', file, '2').wall);
  }

  if (only.has('knn')) {
    const x = clustered(20000, 768, 5);
    const file = saveNpy('knn.npy', x);
    pair('exact 30-NN 20,000 × 768 vs sklearn NearestNeighbors(brute) (s)', () => seconds(() => nearestNeighbours(x, 30, 'euclidean')), () => python('knn', file, '30').wall);
  }

  if (only.has('knn-scaling')) {
    // Where the exact search (t-SNE's 91 neighbours) gets slow: sets KNN_BUDGET in layout/tsne.ts.
    for (const n of option("--knn-sizes", "5000,10000,20000,30000").split(",").map(Number)) {
      const x = clustered(n, 768, 6);
      const t = seconds(() => nearestNeighbours(x, 91, 'euclidean'));
      console.log(`exact 91-NN ${n} × 768: ${f(t, 2)} s, ${f((n * n * 768) / 2 / t / 1e9, 2)} G multiply-adds/s`);
    }
  }

  if (only.has('widen')) {
    const n = Number(option('--values', String(124_000_000)));
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) bits[i] = Math.imul(i, 2654435761) >>> 16;
    bf16ToF32(bits.subarray(0, 1 << 20)); f16ToF32(bits.subarray(0, 1 << 20));
    let reference: Record<string, number> = {};
    const py = () => { reference = python('widen', String(n)); return reference.torchBf16; };
    pair(`BF16 → float32, ${n.toExponential(2)} values vs torch .float() (s)`, () => seconds(() => bf16ToF32(bits)), py);
    pair(`F16 → float32, ${n.toExponential(2)} values vs numpy astype (s)`, () => seconds(() => f16ToF32(bits)), () => python('widen', String(n)).numpyF16);
  }

  if (only.has('startup')) {
    const tiny = saveNpy('tiny.npy', clustered(50, 8, 7));
    const out = join(dir, 'tiny.json');
    const run = (cli: string) => () => seconds(() => {
      const r = spawnSync(process.execPath, [cli, 'cluster', '--points', tiny, '--method', 'kmeans', '--k', '3', '--json', out], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    });
    pair('CLI start-up: mechlens cluster on 50 × 8 vs node -e 0 (s)', run(join(root, 'dist/cli.js')), () => seconds(() => spawnSync(process.execPath, ['-e', '0'])));
    const base = option('--base-dist', '');
    if (base) pair('CLI start-up: mechlens cluster on 50 × 8, this build vs the build before (s)', run(join(root, 'dist/cli.js')), run(join(base, 'cli.js')));
  }

  forceGemmBackend(undefined);
  rmSync(dir, { recursive: true, force: true });
  console.log('\n| work | MechLens (s) | reference (s) | reference / MechLens | note | load |\n|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

void (async () => {
  const relaunched = relaunchWithHugePages();
  if (relaunched) { rmSync(dir, { recursive: true, force: true }); process.exitCode = await relaunched; return; }
  main();
})();
