// t-SNE benchmark: MechLens's t-SNE against scikit-learn 1.2's Barnes-Hut t-SNE (and tsne-js's exact
// t-SNE at N = 300) on the same generated data, in one run, with trustworthiness@10 of every map.
// Run: node --import tsx bench/tsne.ts [--sizes 300,1000,2000,10000] [--readme]
// Needs /usr/bin/python3 with scikit-learn. --readme rewrites the "t-SNE and clustering" section.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createRandom } from '../src/core/random';
import type { Matrix } from '../src/core/matrix';
import { tsne } from '../src/core/layout/tsne';
import { trustworthiness } from '../src/core/layout/trustworthiness';
import { formatNpy, parseNpy } from '../src/core/io/matrix-files';

const args = process.argv.slice(2);
const sizes = (args[args.indexOf('--sizes') + 1] && args.includes('--sizes') ? args[args.indexOf('--sizes') + 1] : '300,1000,2000,10000').split(',').map(Number);
const perplexity = 30, iterations = 1000, dims = 108, clusters = 5;

/** Five Gaussian clusters in 108 dimensions: unit noise around centres drawn from N(0, 1). */
function gaussianClusters(n: number, seed: number): Matrix<Float32Array> {
  const random = createRandom(seed);
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: dims }, () => random.gaussian()));
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) data[i * dims + c] = centres[i % clusters][c] + random.gaussian();
  return { rows: n, cols: dims, data };
}

interface Row { n: number; ours: { wall: number; cpu: number; kl: number; trust: number }; sklearn: { wall: number; cpu: number; kl: number; trust: number }; tsneJs?: { wall: number; trust: number } }
const dir = mkdtempSync(join(tmpdir(), 'mechlens-bench-'));
const rows: Row[] = [];
let sklearnVersion = '';

for (const n of sizes) {
  const x = gaussianClusters(n, n);
  const input = join(dir, `x${n}.npy`), output = join(dir, `y${n}.npy`);
  writeFileSync(input, formatNpy(x, 'f4'));
  const py = spawnSync('/usr/bin/python3', [join(__dirname, 'tsne_reference.py'), input, output, String(perplexity), String(iterations)], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`sklearn failed: ${py.stderr}`);
  const sk = JSON.parse(py.stdout.trim().split('\n').pop()!);
  sklearnVersion = sk.sklearn;
  const skCoords = parseNpy(readFileSync(output), output);

  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const ours = tsne(x, { perplexity, iterations, seed: 0 });
  const wall = (performance.now() - t0) / 1000, cpu = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;

  const row: Row = {
    n,
    ours: { wall, cpu, kl: ours.kl, trust: trustworthiness(x, ours.coords, 10) },
    sklearn: { wall: sk.wall, cpu: sk.cpu, kl: sk.kl, trust: trustworthiness(x, skCoords, 10) },
  };
  if (n <= 300) {
    const TSNE = createRequire(__filename)('tsne-js');
    const nested = Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * dims, (i + 1) * dims)));
    const t1 = performance.now();
    const model = new TSNE({ dim: 2, perplexity, earlyExaggeration: 4, learningRate: 100, nIter: iterations, metric: 'euclidean' });
    model.init({ data: nested, type: 'dense' });
    model.run();
    const jsWall = (performance.now() - t1) / 1000;
    const out = model.getOutput() as number[][];
    row.tsneJs = { wall: jsWall, trust: trustworthiness(x, { rows: n, cols: 2, data: Float64Array.from(out.flat()) }, 10) };
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}

const f = (v: number, d = 2) => v.toFixed(d);
const table = [
  '| N | MechLens wall (CPU) | scikit-learn wall (CPU) | speed-up, wall | trustworthiness@10 MechLens / sklearn | KL MechLens / sklearn | tsne-js (exact) wall, trust. |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${f(r.ours.wall)} s (${f(r.ours.cpu)} s) | ${f(r.sklearn.wall)} s (${f(r.sklearn.cpu)} s) | ${f(r.sklearn.wall / r.ours.wall, 1)}× | ${f(r.ours.trust, 3)} / ${f(r.sklearn.trust, 3)} | ${f(r.ours.kl, 3)} / ${f(r.sklearn.kl, 3)} | ${r.tsneJs ? `${f(r.tsneJs.wall)} s, ${f(r.tsneJs.trust, 3)}` : '—'} |`),
].join('\n');
const method = (n: number) => (n < 500 ? 'exact' : 'Barnes-Hut');
const section = `## t-SNE and clustering

\`node --import tsx bench/tsne.ts\` (data: ${clusters} Gaussian clusters in ${dims} dimensions, unit noise around N(0, 1) centres, generated with a seed; the same .npy goes to scikit-learn ${sklearnVersion} via /usr/bin/python3 bench/tsne_reference.py, timed inside Python). Perplexity ${perplexity}, ${iterations} iterations, PCA init, learning rate 'auto', θ = 0.5, sklearn's default threads (OpenMP, ${cpus().length} CPUs). MechLens runs single-threaded, method 'auto' (${sizes.map((n) => `${n.toLocaleString('en')}: ${method(n)}`).join(', ')}). Trustworthiness@10 for both maps by MechLens's trustworthiness() (equal to sklearn's on the test fixtures). Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average at the end ${loadavg().map((v) => v.toFixed(1)).join(' / ')} (other jobs share the 2 CPUs, so CPU seconds are given too).

${table}
`;
console.log(section);
if (args.includes('--readme')) {
  const readme = join(__dirname, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf('## t-SNE and clustering');
  if (start < 0) writeFileSync(readme, `${text.trimEnd()}\n\n${section}`);
  else {
    const next = text.indexOf('\n## ', start + 5);
    writeFileSync(readme, `${text.slice(0, start)}${section}${next < 0 ? '' : `\n${text.slice(next + 1)}`}`);
  }
}
