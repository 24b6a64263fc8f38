// pca() alone on the GPT-2-shaped bench matrix (bench/linalg.ts's `pca` row: 50,257 × 768 float32,
// 64 Gaussian clusters, seed 4), in this process: the first run is cold (as the CLI's single run),
// the rest warm. Wall and CPU per run, and the largest difference from a saved earlier result
// (--save FILE, then --compare FILE on other code), relative to the largest |value|. The matrix is
// written once to the temp folder (154 MB, mechlens-pca-alone-vocab.npy) and reused by later runs.
//
//   GLIBC_TUNABLES=glibc.malloc.hugetlb=1 node --import tsx bench/pca-alone.ts [--runs 5] [--save F | --compare F]
//
// The tunable is set by hand (the CLI relaunches itself with it) so that the run is one process.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../src/core/random';
import { formatNpy, readMatrixFile } from '../src/core/io/matrix-files';
import { pca, warmUpPca } from '../src/core/layout/pca';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs') ?? '5');
const file = join(tmpdir(), 'mechlens-pca-alone-vocab.npy');

function writeBenchMatrix(): void {
  // As bench/linalg.ts's clustered(50257, 768, 4).
  const n = 50257, dims = 768, random = createRandom(4);
  const centres = Float64Array.from({ length: 64 * dims }, () => 3 * random.gaussian());
  const data = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) data[i * dims + j] = centres[(i % 64) * dims + j] + random.gaussian();
  writeFileSync(file, formatNpy({ rows: n, cols: dims, data }));
}

/** CPU time of this (the main) thread, from the scheduler's statistics: the JavaScript and the main thread's share of the GEMMs. */
function mainThreadMs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

async function main(): Promise<void> {
  if (!existsSync(file)) writeBenchMatrix();
  warmUpPca();
  const { matrix, statistics } = await readMatrixFile(file, { statistics: true });
  let values: Float64Array | undefined;
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage(), t = performance.now(), m = mainThreadMs();
    const result = pca(matrix, { components: 2, statistics });
    const wall = performance.now() - t, u = process.cpuUsage(c), main = mainThreadMs() - m;
    console.log(`run ${r + 1}${r === 0 ? ' (cold)' : ''}: ${wall.toFixed(0)} ms wall, ${((u.user + u.system) / 1000).toFixed(0)} ms CPU (main thread ${main.toFixed(0)}); load ${loadavg()[0].toFixed(1)}`);
    values = Float64Array.from([...result.coords.data, ...result.components.data, ...result.explainedVariance]);
  }
  const save = option('--save'), compare = option('--compare');
  if (save) writeFileSync(save, Buffer.from(values!.buffer));
  if (compare) {
    const before = new Float64Array(new Uint8Array(readFileSync(compare)).buffer);
    const sections: [string, number, number][] = [['coords', 0, matrix.rows * 2], ['components', matrix.rows * 2, matrix.rows * 2 + 2 * matrix.cols], ['variance', matrix.rows * 2 + 2 * matrix.cols, before.length]];
    for (const [what, from, to] of sections) {
      let worst = 0, largest = 0;
      for (let i = from; i < to; i++) { worst = Math.max(worst, Math.abs(values![i] - before[i])); largest = Math.max(largest, Math.abs(before[i])); }
      console.log(`${what}: largest |Δ| against ${compare} ${worst.toExponential(2)}, ${(worst / largest).toExponential(2)} of the largest |value|`);
    }
  }
}

void main();
