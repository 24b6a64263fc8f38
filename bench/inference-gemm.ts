// One GEMM, onnxruntime (MatMul + Add on a constant, prepacked weight, as in the GPT-2 graph; and the
// same as one 2-D Gemm node with the bias as C) against
// torch.addmm (bench/inference_gemm.py) at gpt2-medium's c_fc shape on a 1,728-token batch:
// whether the MatMul kernels, rather than the graph, set the pace of a forward. Alternates
// ours/torch for --rounds rounds and prints each pair with the load average.
//
// Run: node --import tsx bench/inference-gemm.ts [--rounds 3] [--threads 1]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/core/models/onnx-graph';

const M = 1728;
const K = 1024;
const N = 4096;

async function ortGemm(threads: number, op: 'MatMul+Add' | 'Gemm'): Promise<number> {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [M, K]);
  const w = new Float32Array(K * N).map((_, i) => Math.sin(i) * 0.02);
  g.weight('w', { dims: [K, N], source: { kind: 'inline', data: w } });
  g.weight('b', { dims: [N], source: { kind: 'inline', data: new Float32Array(N).fill(0.1) } });
  if (op === 'Gemm') g.op1('Gemm', [x, 'w', 'b'], {}, 'y');
  else g.op1('Add', [g.op1('MatMul', [x, 'w']), 'b'], {}, 'y');
  g.output('y', 'float32', [M, N]);
  const session = await ort.InferenceSession.create(g.encode('gemm'), {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
    extra: { session: { 'intra_op.allow_spinning': '0' } },
  });
  const feeds = { x: new ort.Tensor('float32', new Float32Array(M * K).map((_, i) => Math.cos(i)), [M, K]) };
  let best = Infinity;
  for (let r = 0; r < 10; r++) {
    const t = performance.now();
    await session.run(feeds);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  await session.release();
  return best;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, fallback: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : fallback; };
  const rounds = Number(opt('rounds', '3'));
  const threads = Number(opt('threads', '1'));
  const gflops = (s: number) => (2 * M * K * N) / s / 1e9;
  for (let r = 0; r < rounds; r++) {
    const load = os.loadavg()[0].toFixed(1);
    const ours = await ortGemm(threads, 'MatMul+Add');
    const gemm = await ortGemm(threads, 'Gemm');
    const torch = JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'inference_gemm.py')], {
      encoding: 'utf8', env: { ...process.env, TH: String(threads), OMP_WAIT_POLICY: 'PASSIVE' },
    })) as { seconds: number };
    console.log(`round ${r + 1} (load ${load}, ${threads} thread(s)): onnxruntime MatMul+Add ${(ours * 1000).toFixed(1)} ms = ${gflops(ours).toFixed(1)} GFLOP/s, Gemm ${(gemm * 1000).toFixed(1)} ms = ${gflops(gemm).toFixed(1)} GFLOP/s; torch ${(torch.seconds * 1000).toFixed(1)} ms = ${gflops(torch.seconds).toFixed(1)} GFLOP/s`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
