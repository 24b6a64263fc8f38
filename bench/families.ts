// Families benchmark (issue 15): MechLens's decoder graph (onnxruntime-node, CPU) against a plain
// batched PyTorch forward with Hugging Face semantics (bench/families_torch.py), on the same random
// weights and token ids, in one run, at SmolLM2-135M shape (llama: 30 layers, d=576, GQA 9/3,
// SwiGLU 1536, tied; vocabulary 50304 instead of 49152, because the random checkpoints carry GPT-2's
// tokenizer, whose ids and pad reach 50256) and pythia-160m shape (gpt_neox: 12 layers, d=768, parallel
// residual, partial rotary, vocab 50304, untied embed_out). Workloads: the 108 him/her sentences
// (bench/inference-workloads.ts) read at the last token and the 34 notebook prompts, hooking
// blocks.5.mlp.hook_pre; ours also hooks the last block's resid_post at the same rows so that every
// layer runs (equal work to torch's full forward). Ours runs in a child process so its peak RSS is
// its own. Prints markdown rows for bench/README.md.
//
// Ours also runs once as users run it, `mechlens activations` from the built CLI (node scripts/build.mjs
// first) over the same texts at the last block's hook_resid_post, under /usr/bin/time for the peak RSS
// of the whole CLI run (the huge-page relaunch included): the tsx child's peak carries ~0.2 GB of
// TypeScript tooling that no user process has.
//
// Run: node --import tsx bench/families.ts [--repeats 3] [--threads 2]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRandomCheckpoint, type RandomFamilyCheckpointOptions } from '../src/core/models/random-checkpoint';
import { WORKLOADS } from './inference-workloads';

const root = path.join(__dirname, '..');
const dataDir = path.join(root, 'bench', '.data');
const SHAPES: Record<string, RandomFamilyCheckpointOptions> = {
  'SmolLM2-135M': { family: 'llama', nLayer: 30, nEmbd: 576, nHead: 9, nKvHead: 3, nInner: 1536, vocabSize: 50304, nPositions: 2048, bos: false, seed: 1 },
  'pythia-160m': { family: 'gpt_neox', nLayer: 12, nEmbd: 768, nHead: 12, nInner: 3072, vocabSize: 50304, nPositions: 2048, seed: 1 },
};

interface ChildRequest { dir: string; texts: string[]; hooks: string[]; repeats: number; threads: number; out: string }
interface ChildResult { coldSeconds: number; warmSeconds: number; warmCpuSeconds: number; peakRssBytes: number; tokenIds: number[][]; positions: number[]; computedTokens: number; rows: number[][] }

async function child(req: ChildRequest): Promise<void> {
  const { captureActivations } = await import('../src/core/models/capture');
  const options = { provider: 'cpu', threads: req.threads, batchSize: 256, maxBatchTokens: 8192 };
  let t = performance.now();
  const first = await captureActivations(req.dir, req.texts, req.hooks, 'last', options);
  const coldSeconds = (performance.now() - t) / 1000;
  let warmSeconds = Infinity;
  let warmCpuSeconds = Infinity;
  for (let i = 0; i < req.repeats; i++) {
    t = performance.now();
    const cpu = process.cpuUsage();
    await captureActivations(req.dir, req.texts, req.hooks, 'last', options);
    const used = process.cpuUsage(cpu);
    warmSeconds = Math.min(warmSeconds, (performance.now() - t) / 1000);
    warmCpuSeconds = Math.min(warmCpuSeconds, (used.user + used.system) / 1e6);
  }
  const a = first.activations[req.hooks[0]];
  const rows = Array.from({ length: a.dims[0] }, (_, r) => Array.from(a.data.subarray(r * a.dims[1], (r + 1) * a.dims[1])));
  const result: ChildResult = { coldSeconds, warmSeconds, warmCpuSeconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, tokenIds: first.tokenIds, positions: first.positions, computedTokens: first.computedTokens, rows };
  fs.writeFileSync(req.out, JSON.stringify(result));
}

/** Peak RSS in bytes of one `mechlens activations` run over the texts (null without GNU time). */
function cliPeakRss(dir: string, texts: readonly string[], hook: string): number | null {
  if (!fs.existsSync('/usr/bin/time')) return null;
  const out = path.join(dataDir, `families-cli-${process.pid}.json`);
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb %M', process.execPath, path.join(root, 'dist', 'cli.js'), 'activations', '--model', dir, '--hook', hook, ...texts.flatMap((t) => ['--text', t]), '--json', out], { cwd: root, encoding: 'utf8' });
  fs.rmSync(out, { force: true });
  const kb = /maxrss_kb (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !kb) throw new Error(`mechlens activations failed (${r.status}): ${r.stderr}`);
  return Number(kb[1]) * 1024;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const repeats = arg('repeats', 3);
  const threads = arg('threads', 2);
  fs.mkdirSync(dataDir, { recursive: true });
  const lines: string[] = [];
  for (const [shapeName, shape] of Object.entries(SHAPES)) {
    const dir = path.join(dataDir, `family-${shapeName}`);
    if (!fs.existsSync(path.join(dir, 'tokenizer.json'))) writeRandomCheckpoint(dir, shape);
    const weightBytes = fs.statSync(path.join(dir, 'model.safetensors')).size;
    for (const name of ['prompts', 'sentences'] as const) {
      const workload = WORKLOADS[name];
      const hooks = ['blocks.5.mlp.hook_pre', `blocks.${shape.nLayer! - 1}.hook_resid_post`];
      const out = path.join(dataDir, `families-ours-${process.pid}.json`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', JSON.stringify({ dir, texts: workload.texts, hooks, repeats, threads, out })], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) throw new Error(`ours child failed (${r.status})`);
      const ours = JSON.parse(fs.readFileSync(out, 'utf8')) as ChildResult;
      fs.rmSync(out);
      const work = path.join(dataDir, `families-work-${process.pid}.json`);
      const torchOut = path.join(dataDir, `families-torch-${process.pid}.json`);
      fs.writeFileSync(work, JSON.stringify({ ids: ours.tokenIds, rows: ours.positions, hookLayer: 5, threads, repeats }));
      execFileSync('/usr/bin/python3', [path.join(root, 'bench', 'families_torch.py'), dir, work, torchOut], {
        stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' },
      });
      const torch = JSON.parse(fs.readFileSync(torchOut, 'utf8')) as { seconds: number; cpu_seconds: number; peak_rss_bytes: number; torch: string; mlp_pre: number[][] };
      fs.rmSync(work);
      fs.rmSync(torchOut);
      let maxDiff = 0;
      torch.mlp_pre.forEach((row, i) => row.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - ours.rows[i][j])); }));
      const cliPeak = cliPeakRss(dir, workload.texts, hooks[1]);
      const textTokens = ours.tokenIds.reduce((n, ids) => n + ids.length, 0);
      const mb = (b: number) => `${Math.round(b / 1e6)} MB (${(b / weightBytes).toFixed(2)}×)`;
      lines.push(`| ${shapeName} | ${workload.label} | ${textTokens} / ${ours.computedTokens} | ${ours.warmSeconds.toFixed(2)} s | ${torch.seconds.toFixed(2)} s | **${(torch.seconds / ours.warmSeconds).toFixed(2)}×** (CPU ${(torch.cpu_seconds / ours.warmCpuSeconds).toFixed(2)}×) | ${ours.coldSeconds.toFixed(2)} s | ${mb(ours.peakRssBytes)} / ${mb(torch.peak_rss_bytes)} | ${cliPeak === null ? 'n/a (no /usr/bin/time)' : mb(cliPeak)} | ${maxDiff.toExponential(1)} |`);
      console.error(`${lines[lines.length - 1]} load ${os.loadavg()[0].toFixed(1)}`);
    }
  }
  console.log(`weights F32 safetensors; torch CPU ${threads} threads; onnxruntime-node CPU ${threads} threads; best of ${repeats} warm runs; load average at the end ${os.loadavg()[0].toFixed(1)}`);
  console.log('| shape | workload | text tokens / computed | ours full | torch full | equal work | ours cold | peak RSS ours (tsx) / torch (× weights) | peak RSS, whole \`mechlens activations\` run | max abs diff |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const line of lines) console.log(line);
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) void child(JSON.parse(process.argv[childAt + 1]) as ChildRequest);
else void main();
