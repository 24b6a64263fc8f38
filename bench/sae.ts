// SAE encode (issue 17): 1,400 tokens × d_in 768 × d_sae 24,576 (GPT-2 small's res-jb width; 26 GFLOP),
// MechLens's encodeSae (onnxruntime's MLAS GEMM plus the bias and ReLU pass) against numpy doing the same
// float32 encode in the same run, alternating; medians. Also only 64 requested features (W_enc's columns).
//
// Runs on transparent huge pages as the CLI does (src/cli/huge-pages.ts: the bench starts itself again
// with glibc.malloc.hugetlb=1); MECHLENS_HUGE_PAGES=0 measures without.
//
//   node --import tsx bench/sae.ts [--reps 3] [--tokens 1400]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNpy } from '../src/core/io/matrix-files';
import { encodeSae, type SaeEncoder } from '../src/core/linalg/sae-encode';
import { createRandom } from '../src/core/random';
import { hugePagesSkipReason, relaunchWithHugePages } from '../src/cli/huge-pages';

const relaunched = relaunchWithHugePages();
if (relaunched) relaunched.then((code) => process.exit(code));
else main();

function main(): void {
console.log(`huge pages: ${(process.env.GLIBC_TUNABLES ?? '').includes('hugetlb=1') ? 'on (glibc.malloc.hugetlb=1)' : `off (${hugePagesSkipReason() ?? 'not asked'})`}`);

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const reps = Number(option('--reps', '3'));
const tokens = Number(option('--tokens', '1400'));
const dIn = 768, dSae = 24576;
const dir = mkdtempSync(join(tmpdir(), 'mechlens-sae-bench-'));
const random = createRandom(7);
const gaussian = (n: number, scale: number, shift = 0) => Float32Array.from({ length: n }, () => shift + scale * random.gaussian());

const sae: SaeEncoder = {
  dIn, dSae, architecture: 'standard', applyBDecToInput: true, normalize: 'none',
  wEnc: gaussian(dIn * dSae, 1 / Math.sqrt(dIn)), bEnc: gaussian(dSae, 0.3, -0.9),
  wDec: new Float32Array(0), bDec: gaussian(dIn, 0.1),
};
const x = { rows: tokens, cols: dIn, data: gaussian(tokens * dIn, 1) };
const save = (name: string, rows: number, cols: number, data: Float32Array) => writeFileSync(join(dir, name), formatNpy({ rows, cols, data }));
save('x.npy', tokens, dIn, x.data);
save('W_enc.npy', dIn, dSae, sae.wEnc);
save('b_enc.npy', dSae, 1, sae.bEnc);
save('b_dec.npy', dIn, 1, sae.bDec);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const ours: number[] = [], theirs: number[] = [], picked: number[] = [];
let numpy: { seconds: number; l0: number; sum: number } | undefined;
let l0 = 0, sum = 0;
const features = Array.from({ length: 64 }, (_, i) => i * 383);
encodeSae({ rows: 8, cols: dIn, data: x.data.subarray(0, 8 * dIn) }, sae); // onnxruntime's session start, once
for (let r = 0; r < reps; r++) {
  const t = performance.now();
  const { acts } = encodeSae(x, sae);
  ours.push((performance.now() - t) / 1000);
  l0 = 0; sum = 0;
  for (const v of acts.data) if (v !== 0) { l0++; sum += v; }
  const py = spawnSync('/usr/bin/python3', [join(__dirname, 'sae_reference.py'), dir, '1'], { encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`numpy reference failed: ${py.stderr}`);
  numpy = JSON.parse(py.stdout.trim().split('\n').pop()!);
  theirs.push(numpy!.seconds);
  const t2 = performance.now();
  encodeSae(x, sae, features);
  picked.push((performance.now() - t2) / 1000);
}
rmSync(dir, { recursive: true, force: true });
const gflop = (2 * tokens * dIn * dSae) / 1e9;
const [a, b, c] = [median(ours), median(theirs), median(picked)];
console.log(`SAE encode ${tokens} × ${dIn} × ${dSae} (${(gflop / 2).toFixed(1)} G multiply-adds), medians of ${reps}, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`| encode | MechLens (MLAS GEMM) | numpy (float32 matmul) | ratio |`);
console.log(`|---|---|---|---|`);
console.log(`| all ${dSae} features | ${a.toFixed(3)} s (${(gflop / a).toFixed(1)} GFLOP/s) | ${b.toFixed(3)} s (${(gflop / b).toFixed(1)} GFLOP/s) | ${(b / a).toFixed(2)}× |`);
console.log(`| 64 requested features | ${c.toFixed(4)} s | — | ${(a / c).toFixed(0)}× faster than all |`);
console.log(`same result: L0 total ${l0} vs numpy ${numpy!.l0}; Σf ${sum.toFixed(2)} vs ${numpy!.sum.toFixed(2)} (relative ${(Math.abs(sum - numpy!.sum) / numpy!.sum).toExponential(1)})`);
}
