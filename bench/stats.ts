// Statistics benchmark: MechLens's src/core/stats against numpy/scipy on the same inputs, in one run.
// Run: npx tsx bench/stats.ts   (needs /usr/bin/python3 with numpy and scipy)
import { spawnSync } from 'node:child_process';
import { createRandom } from '../src/core/random';
import type { Matrix } from '../src/core/matrix';
import { cosineSimilarityMatrix, representationalSimilarity, twoSampleTTest } from '../src/core/stats';

function gaussianMatrix(rows: number, cols: number, seed: number): Matrix<Float64Array> {
  const random = createRandom(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = random.gaussian();
  return { rows, cols, data };
}

function best(runs: number, f: () => void): number {
  let fastest = Infinity;
  for (let r = 0; r < runs; r++) { const t = performance.now(); f(); fastest = Math.min(fastest, performance.now() - t); }
  return fastest;
}

const x = gaussianMatrix(2000, 768, 1);
const cosineMs = best(3, () => cosineSimilarityMatrix(x));

const a = cosineSimilarityMatrix(gaussianMatrix(500, 50, 2)).similarity;
const b = cosineSimilarityMatrix(gaussianMatrix(500, 300, 3)).similarity;
const rsaMs = best(3, () => representationalSimilarity(a, b, { permutations: 1000, seed: 0 }));

const groupA = gaussianMatrix(54, 4096, 4), groupB = gaussianMatrix(54, 4096, 5);
const tMs = best(5, () => twoSampleTTest(groupA, groupB, { equalVariance: false }));

// The same work in numpy/scipy. The RSA reference is the permutation loop written the usual way,
// indexing the permuted matrix's upper triangle with np.ix_ each time (as notebooks do).
const python = String.raw`
import time, numpy as np, scipy.stats
rng = np.random.default_rng(0)
def best(runs, f):
    t = []
    for _ in range(runs):
        s = time.perf_counter(); f(); t.append((time.perf_counter() - s) * 1000)
    return min(t)
x = rng.normal(size=(2000, 768))
def cos():
    u = x / np.linalg.norm(x, axis=1, keepdims=True); return u @ u.T
def sim(m):
    u = m / np.linalg.norm(m, axis=1, keepdims=True); return u @ u.T
a, b = sim(rng.normal(size=(500, 50))), sim(rng.normal(size=(500, 300)))
iu = np.triu_indices(500, 1)
def rsa():
    r = np.corrcoef(a[iu], b[iu])[0, 1]; count = 0
    for _ in range(1000):
        p = rng.permutation(500)
        count += abs(np.corrcoef(a[iu], b[np.ix_(p, p)][iu])[0, 1]) >= abs(r)
    return (count + 1) / 1001
ga, gb = rng.normal(size=(54, 4096)), rng.normal(size=(54, 4096))
from threadpoolctl import threadpool_limits
with threadpool_limits(limits=1):
    cos_one_thread = best(3, cos)
print(best(3, cos), cos_one_thread, best(1, rsa), best(5, lambda: scipy.stats.ttest_ind(ga, gb, equal_var=False)))
`;
const run = spawnSync('/usr/bin/python3', ['-c', python], { encoding: 'utf8' });
if (run.status !== 0) throw new Error(run.stderr);
const [npCosine, npCosineOneThread, npRsa, npT] = run.stdout.trim().split(/\s+/).map(Number);

const row = (what: string, ours: number, reference: number, name: string) =>
  console.log(`| ${what} | ${ours.toFixed(1)} ms | ${reference.toFixed(1)} ms (${name}) | ${(reference / ours).toFixed(2)}× |`);
console.log('| task | MechLens | reference | reference / MechLens |');
console.log('|---|---|---|---|');
row('cosine matrix 2,000 × 768', cosineMs, npCosine, 'numpy + OpenBLAS, 2 threads');
row('cosine matrix 2,000 × 768', cosineMs, npCosineOneThread, 'numpy + OpenBLAS, 1 thread');
row('RSA 500 items, 1,000 permutations', rsaMs, npRsa, 'numpy loop');
row('Welch t-test 54 vs 54 × 4,096', tMs, npT, 'scipy.stats.ttest_ind');
