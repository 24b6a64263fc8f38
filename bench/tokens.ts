// Job 2 at full scale: `runTokens` over every token of a GPT-2-small-shaped random checkpoint
// (50,257 × 768; PCA map, sampled-eps DBSCAN) against scikit-learn's PCA(2) + DBSCAN on the same
// rows, in one run. Run: node --import tsx bench/tokens.ts [--dir CHECKPOINT_DIR]
// Needs /usr/bin/python3 with scikit-learn.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTokens } from '../src/core/analyses/tokens';
import { formatNpy } from '../src/core/io/matrix-files';
import { loadModel, tokenEmbeddings } from '../src/core/models/capture-model';
import { writeRandomGpt2Checkpoint } from '../src/core/models/random-checkpoint';

const args = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), 'mechlens-bench-tokens-'));
const dir = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : join(work, 'gpt2-random');
if (!existsSync(join(dir, 'config.json'))) writeRandomGpt2Checkpoint(dir, { nLayer: 1, nEmbd: 768, nHead: 12, seed: 1 });

(async () => {
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = await runTokens({ model: dir, first: 1_000_000 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
  const json = JSON.stringify(r).length;

  const rows = await tokenEmbeddings(await loadModel(dir));
  const npy = join(work, 'wte.npy');
  writeFileSync(npy, formatNpy({ rows: rows.dims[0], cols: rows.dims[1], data: rows.data }, 'f4'));
  const script = `
import json, sys, time, numpy as np
from sklearn.decomposition import PCA
from sklearn.cluster import DBSCAN
E = np.load(sys.argv[1]); t = time.perf_counter(); c = time.process_time()
Y = PCA(n_components=2).fit_transform(E)
labels = DBSCAN(eps=float(sys.argv[2]), min_samples=3).fit_predict(Y)
print(json.dumps({'wall': time.perf_counter() - t, 'cpu': time.process_time() - c, 'evr': PCA(n_components=2).fit(E).explained_variance_ratio_.tolist(), 'clusters': int(labels.max() + 1)}))
`;
  const py = spawnSync('/usr/bin/python3', ['-c', script, npy, String(r.map.eps)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (py.status !== 0) throw new Error(py.stderr);
  const ref = JSON.parse(py.stdout);
  console.log(`machine: ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);
  console.log(`MechLens runTokens, ${r.tokens.length} × ${r.dims}: wall ${wall.toFixed(1)} s, cpu ${cpu.toFixed(1)} s, JSON ${(json / 1e6).toFixed(1)} MB, ${r.clusters.length} groups, EVR ${r.map.explainedVarianceRatio!.map((v) => v.toFixed(5)).join(', ')}`);
  console.log(`scikit-learn PCA(2) + DBSCAN (1 BLAS thread): wall ${ref.wall.toFixed(1)} s, cpu ${ref.cpu.toFixed(1)} s, ${ref.clusters} groups, EVR ${ref.evr.map((v: number) => v.toFixed(5)).join(', ')}`);
})();
