// Model inference, interleaved: MechLens and the PyTorch reference each stay loaded in their own
// process, and single forwards alternate between them (ours full, torch full, ours layers 0–5,
// torch layers 0–5, ours baseline), round after round. On a machine that other jobs share, load
// changes by the minute; neighbouring runs see about the same load, so the per-round ratios are
// what to compare, and their median is reported with the load average.
//
// Variants (on the random checkpoint that bench/inference.ts writes for --shape, default gpt2-medium):
//   ours         captureActivations, the product path: tokenize, pack the texts with common
//                prefixes computed once (packing.ts), hooks at 'last'; onnxruntime contrib ops
//   ours-padded  (--baseline padded, default) the same with packing: 'none', one right-padded
//                text per row as torch runs them: what packing gains
//   ours-plain   (--baseline plain) the graph with standard ONNX ops only (contribOps: false),
//                session.run on the same padded ids: what the contrib ops gain
//   torch        bench/inference_torch.py --serve: plain PyTorch forward, HF GPT2Model semantics,
//                one padded batch
// "full" adds blocks.23.hook_resid_post so every layer runs (equal work: every layer, the same
// hooks at the same positions as torch's full forward); "0–5" builds only what the hooks need.
//
// Run: node --import tsx bench/inference-interleaved.ts [--shape gpt2-medium|gpt2] [--rounds 5] [--workloads prompts,sentences] [--threads 2] [--baseline padded|plain]
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const root = path.join(__dirname, '..');
const dataDir = path.join(root, 'bench', '.data');

import { WORKLOADS, type WorkloadName } from './inference-workloads';

interface ServeRequest { mode: 'capture' | 'plain'; dir: string; texts: string[]; hooks: string[]; threads: number; ids?: number[][]; packing?: 'prefixes' | 'rows' | 'none'; positions: 'last' | 'target'; targets?: string[] }
interface Timing { seconds: number; cpu: number; peak_rss_bytes: number; computedTokens?: number; positions?: number[]; tokenIds?: number[][]; rows?: Record<string, number[][]>; activations?: Record<string, number[][]> }

/** Our side of the protocol: load (and run once, cold), then one forward per stdin line. */
async function serve(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin });
  const it = lines[Symbol.asyncIterator]();
  const req = JSON.parse((await it.next()).value as string) as ServeRequest;
  let runOnce: (withRows: boolean) => Promise<Omit<Timing, 'seconds' | 'cpu' | 'peak_rss_bytes'>>;
  if (req.mode === 'capture') {
    const { captureActivations } = await import('../src/core/models/capture');
    const options = { provider: 'cpu', threads: req.threads, weights: 'external' as const, batchSize: 256, maxBatchTokens: 8192, packing: req.packing, targets: req.targets };
    runOnce = async (withRows) => {
      const r = await captureActivations(req.dir, req.texts, req.hooks, req.positions, options);
      if (!withRows) return { computedTokens: r.computedTokens };
      const rows: Record<string, number[][]> = {};
      for (const [name, a] of Object.entries(r.activations)) {
        rows[name] = Array.from({ length: a.dims[0] }, (_, i) => Array.from(a.data.subarray(i * a.dims[1], (i + 1) * a.dims[1])));
      }
      return { tokenIds: r.tokenIds, positions: r.positions, rows, computedTokens: r.computedTokens };
    };
  } else {
    const { openCheckpoint } = await import('../src/core/models/checkpoint');
    const { planWeights } = await import('../src/core/models/graph-weights');
    const { buildGpt2Graph } = await import('../src/core/models/graph-gpt2');
    const { paddedFeeds } = await import('../src/core/models/packing');
    const { resolveHookName } = await import('../src/core/models/hooks');
    const { createInferenceSession } = await import('../src/core/models/runtime');
    const ckpt = openCheckpoint(req.dir);
    const plan = planWeights(ckpt, 'external');
    const built = buildGpt2Graph({ config: ckpt.config, hooks: req.hooks.map((h) => resolveHookName(h, ckpt.config)), weight: plan.weight, contribOps: false });
    const session = await createInferenceSession({ bytes: built.bytes, label: req.dir, ...plan.finish() }, { provider: 'cpu', threads: req.threads });
    const seqs = req.ids!;
    const { feeds } = paddedFeeds(seqs, 50256);
    runOnce = async () => { await session.run(feeds); return {}; };
  }
  const first = await runOnce(true); // cold: graph build, session creation, first run
  process.stdout.write(`${JSON.stringify({ ready: true, ...first })}\n`);
  for (let line = await it.next(); !line.done; line = await it.next()) {
    const wantRows = (JSON.parse(line.value as string) as { rows?: boolean }).rows === true;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const extra = await runOnce(wantRows);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(`${JSON.stringify({ seconds, cpu: (cpu.user + cpu.system) / 1e6, peak_rss_bytes: process.resourceUsage().maxRSS * 1024, ...extra })}\n`);
  }
}

/** A long-lived child answering one JSON line per request line. */
class Server {
  private readonly replies: AsyncIterator<string>;
  constructor(private readonly child: ChildProcessWithoutNullStreams, readonly name: string) {
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
    this.replies = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }
  async next(): Promise<Timing & { ready?: boolean }> {
    const line = await this.replies.next();
    if (line.done) throw new Error(`${this.name} exited (${this.child.exitCode})`);
    return JSON.parse(line.value) as Timing;
  }
  async ask(request: object): Promise<Timing> {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    return this.next();
  }
  close(): void {
    this.child.stdin.end();
  }
}

async function startOurs(name: string, req: ServeRequest): Promise<{ server: Server; ready: Timing }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve'], { cwd: root });
  const server = new Server(child, name);
  child.stdin.write(`${JSON.stringify(req)}\n`);
  return { server, ready: await server.next() };
}

async function startTorch(checkpointDir: string, ids: number[][], positions: number[], torchHooks: readonly string[], threads: number): Promise<Server> {
  // OpenMP threads sleep instead of spin-waiting, as onnxruntime's do (no spinning; see runtime.ts).
  const child = spawn('/usr/bin/python3', [path.join(root, 'bench', 'inference_torch.py'), '--serve', checkpointDir], {
    cwd: root, env: { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' },
  });
  const server = new Server(child, 'torch');
  child.stdin.write(`${JSON.stringify({ ids, positions, hookLayer: 5, hooks: torchHooks, threads })}\n`);
  await server.next();
  return server;
}

const loadAverage = () => os.loadavg().map((x) => x.toFixed(1)).join(' / ');
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--serve') return serve();
  const opt = (name: string, fallback: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : fallback; };
  const rounds = Number(opt('rounds', '5'));
  const threads = Number(opt('threads', String(os.availableParallelism?.() ?? os.cpus().length)));
  const names = opt('workloads', 'prompts,sentences').split(',') as WorkloadName[];
  const baseline = opt('baseline', 'padded') as 'padded' | 'plain';
  const shape = opt('shape', 'gpt2-medium');
  const checkpointDir = path.join(dataDir, `${shape}-random`);
  if (!fs.existsSync(path.join(checkpointDir, 'tokenizer.json'))) throw new Error(`no checkpoint at ${checkpointDir}: run bench/inference.ts --shapes ${shape} once to write it`);
  const { n_layer: nLayer, n_embd: d } = JSON.parse(fs.readFileSync(path.join(checkpointDir, 'config.json'), 'utf8')) as { n_layer: number; n_embd: number };
  // A block's MatMuls: 24·d² FLOPs per token (attention's share, ~4·d per key, left out).
  const gflop = (tokens: number, layers: number) => (tokens * 24 * d * d * layers) / 1e9;
  const report: Record<string, unknown>[] = [];
  for (const name of names) {
    const w = WORKLOADS[name];
    const fullHooks = [...w.hooks, `blocks.${nLayer - 1}.hook_resid_post`];
    const base = { dir: checkpointDir, texts: [...w.texts], threads, positions: w.positions ?? 'last', targets: w.targets };
    console.error(`${name}: starting (load ${loadAverage()})`);
    // One process at a time while loading, so that the loads do not overlap the timed runs.
    const full = await startOurs('ours full', { ...base, mode: 'capture', hooks: fullHooks });
    const first6 = await startOurs('ours 0-5', { ...base, mode: 'capture', hooks: [...w.hooks] });
    const tokenIds = full.ready.tokenIds!;
    const plain = baseline === 'plain'
      ? await startOurs('ours-plain full', { ...base, mode: 'plain', hooks: fullHooks, ids: tokenIds })
      : await startOurs('ours-padded full', { ...base, mode: 'capture', hooks: fullHooks, packing: 'none' });
    // Torch runs every text whole, as the notebook does, and reads the same positions.
    const torch = await startTorch(checkpointDir, tokenIds, full.ready.positions!, w.torchHooks, threads);
    const check = await torch.ask({ layers: 'all', activations: true });
    let maxDiff = 0;
    w.hooks.forEach((h, i) => full.ready.rows![h].forEach((row, r) => row.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - check.activations![w.torchHooks[i]][r][j])); })));
    const rows: { load: string; ours: Timing; torch: Timing; ours6: Timing; torch6: Timing; plain: Timing }[] = [];
    for (let r = 0; r < rounds; r++) {
      const load = loadAverage();
      const ours = await full.server.ask({});
      const t = await torch.ask({ layers: 'all' });
      const ours6 = await first6.server.ask({});
      const torch6 = await torch.ask({ layers: 6 });
      const p = await plain.server.ask({});
      rows.push({ load, ours, torch: t, ours6, torch6, plain: p });
      console.error(`${name} round ${r + 1}/${rounds} (load ${load}): ours ${ours.seconds.toFixed(2)} s, torch ${t.seconds.toFixed(2)} s, ours 0-5 ${ours6.seconds.toFixed(2)} s, torch 0-5 ${torch6.seconds.toFixed(2)} s, ours-${baseline} ${p.seconds.toFixed(2)} s`);
    }
    for (const s of [full.server, first6.server, plain.server, torch]) s.close();
    const last = rows[rows.length - 1];
    const textTokens = tokenIds.reduce((n, s) => n + s.length, 0);
    const paddedTokens = tokenIds.length * Math.max(...tokenIds.map((s) => s.length));
    const row = {
      shape, workload: w.label, baseline, tokens: textTokens, computedTokens: full.ready.computedTokens, computedTokens0to5: first6.ready.computedTokens, paddedTokens, rounds,
      loadAverages: rows.map((x) => x.load),
      medianSeconds: { oursFull: median(rows.map((x) => x.ours.seconds)), torchFull: median(rows.map((x) => x.torch.seconds)), ours0to5: median(rows.map((x) => x.ours6.seconds)), torch0to5: median(rows.map((x) => x.torch6.seconds)), oursBaselineFull: median(rows.map((x) => x.plain.seconds)) },
      medianCpuSeconds: { oursFull: median(rows.map((x) => x.ours.cpu)), torchFull: median(rows.map((x) => x.torch.cpu)), ours0to5: median(rows.map((x) => x.ours6.cpu)), oursBaselineFull: median(rows.map((x) => x.plain.cpu)) },
      // Per-round ratios (time of the reference / time of ours), then their median.
      equalWork: median(rows.map((x) => x.torch.seconds / x.ours.seconds)),
      ours0to5VsTorchFull: median(rows.map((x) => x.torch.seconds / x.ours6.seconds)),
      // plain: what the contrib ops gain; padded: what packing gains.
      baselineOverOurs: median(rows.map((x) => x.plain.seconds / x.ours.seconds)),
      equalWorkCpu: median(rows.map((x) => x.torch.cpu / x.ours.cpu)),
      perRound: rows.map((x) => ({ equalWork: x.torch.seconds / x.ours.seconds, ours0to5VsTorchFull: x.torch.seconds / x.ours6.seconds, baselineOverOurs: x.plain.seconds / x.ours.seconds })),
      tokensPerSecond: {
        oursFull: textTokens / median(rows.map((x) => x.ours.seconds)), ours0to5: textTokens / median(rows.map((x) => x.ours6.seconds)),
        torchFull: textTokens / median(rows.map((x) => x.torch.seconds)), torch0to5: textTokens / median(rows.map((x) => x.torch6.seconds)),
      },
      // Full forwards: useful work (text tokens) per second for both; ours also counted on the tokens it computed, torch on its padded batch.
      gflopsFull: {
        oursUseful: gflop(textTokens, nLayer) / median(rows.map((x) => x.ours.seconds)), oursComputed: gflop(full.ready.computedTokens ?? textTokens, nLayer) / median(rows.map((x) => x.ours.seconds)),
        torchUseful: gflop(textTokens, nLayer) / median(rows.map((x) => x.torch.seconds)), torchComputed: gflop(paddedTokens, nLayer) / median(rows.map((x) => x.torch.seconds)),
      },
      peakRssMB: { oursFull: last.ours.peak_rss_bytes / 1e6, torch: last.torch.peak_rss_bytes / 1e6 },
      maxAbsDiffVsTorch: maxDiff,
    };
    report.push(row);
    console.log(JSON.stringify(row, (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v)));
  }
  const out = path.join(dataDir, `inference-interleaved-${shape}.json`);
  fs.writeFileSync(out, JSON.stringify({ node: process.version, threads, cpus: os.cpus().length, finishedLoad: loadAverage(), results: report }, null, 2));
  console.error(`wrote ${out}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
