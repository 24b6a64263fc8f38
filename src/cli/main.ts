#!/usr/bin/env node
// The headless runner. Each command lives in commands/<name>.ts and is loaded only when run.
import { parseArgs, helpText } from './args';
import type { CliCommand } from './command';
import { MechLensError } from '../core/errors';
import { shutdownWorkers } from '../core/worker/client';

const commands: Record<string, () => Promise<CliCommand>> = {
  // Names and options follow the CLI contract in shared/design.md.
  compare: async () => (await import('./commands/compare')).default,
  demo: async () => (await import('./commands/demo')).default,
  contrast: async () => (await import('./commands/contrast')).default,
  attention: async () => (await import('./commands/attention')).default,
  activations: async () => (await import('./commands/activations')).default,
  hooks: async () => (await import('./commands/hooks')).default,
  embed2d: async () => (await import('./commands/embed2d')).default,
  cluster: async () => (await import('./commands/cluster')).default,
  tokens: async () => (await import('./commands/tokens')).default,
  match: async () => (await import('./commands/match')).default,
  lens: async () => (await import('./commands/lens')).default,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`mechlens <command> [options]\n\nCommands:\n${(await listCommands()).join('\n')}\n`);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`mechlens: unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}.\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpText(name, command.summary, command.options));
    return 0;
  }
  const controller = new AbortController();
  process.on('SIGINT', () => interrupt(controller));
  const args = parseArgs(name, rest, command.options);
  await command.run(args, { log: (line) => process.stderr.write(`${line}\n`), signal: controller.signal });
  return 0;
}

/** Ctrl-C waits this long for the run to stop by itself (it runs in a worker thread that is ended after a short grace) before the process exits anyway. */
const INTERRUPT_GRACE_MS = 1500;
const CANCELLED_LINE = 'mechlens: cancelled (Ctrl-C); no result was written.\n';

/**
 * Ends a cancelled run at once. A worker thread may still be inside onnxruntime's native code (a model
 * run, or a linalg GEMM): Node's normal exit then tears that thread's environment down under it, and
 * onnxruntime's binding aborts the process ("terminate called after throwing Napi::Error", exit 134).
 * process.reallyExit skips that teardown; stderr is a pipe or TTY here, written synchronously on Linux.
 */
function exitCancelled(): never {
  process.stderr.write(CANCELLED_LINE);
  (process as unknown as { reallyExit(code: number): void }).reallyExit(130);
  throw new Error('unreachable: process.reallyExit returned');
}

/**
 * Ctrl-C: cancel the run through its signal (worker tasks stop at their next check, or their thread is
 * ended), and exit 130 with one line if it has not ended within INTERRUPT_GRACE_MS; a second Ctrl-C
 * exits at once. The heavy work runs in worker threads, so this handler runs even while they compute.
 */
function interrupt(controller: AbortController): void {
  if (controller.signal.aborted) exitCancelled();
  controller.abort();
  setTimeout(exitCancelled, INTERRUPT_GRACE_MS).unref();
}

async function listCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const [name, load] of Object.entries(commands)) out.push(`  ${name.padEnd(12)} ${(await load()).summary}`);
  return out;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Before the workers are shut down: one may still be inside onnxruntime (see exitCancelled).
  if (err instanceof MechLensError && err.code === 'cancelled') exitCancelled();
  throw err;
}).finally(
  // Idle job threads are unref'd and would not hold the process, but a clean exit ends them explicitly.
  () => shutdownWorkers(),
).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof MechLensError) {
      process.stderr.write(`mechlens: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`mechlens: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\nPlease report this with the command you ran.\n`);
      process.exitCode = 70;
    }
  },
);

export { commands };
