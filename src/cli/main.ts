#!/usr/bin/env node
// The headless runner. Each command lives in commands/<name>.ts and is loaded only when run (command-table.ts).
import { parseArgs, helpText } from './args';
import { commandNames, isCommandName, loadCommand } from './command-table';
import { MechLensError } from '../core/errors';
import { shutdownWorkers } from '../core/worker/client';
import { statSync } from 'node:fs';
import { relaunchWithHugePages } from './huge-pages';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`mechlens <command> [options]\n\nCommands:\n${(await listCommands()).join('\n')}\n`);
    return name ? 0 : 2;
  }
  if (!isCommandName(name)) {
    process.stderr.write(`mechlens: unknown command "${name}". Commands: ${commandNames.join(', ')}.\n`);
    return 2;
  }
  const command = await loadCommand(name);
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

/** A run that has not ended this long after Ctrl-C (a step that never checks the signal) is left behind: the process exits anyway. */
const FORCED_EXIT_MS = 10_000;
const CANCELLED = 130;
const CANCELLED_LINE = 'mechlens: cancelled (Ctrl-C); no result was written.\n';

/**
 * Exits at once without Node's teardown of worker threads: a thread still inside onnxruntime's native
 * code would abort the process there ("terminate called after throwing Napi::Error", exit 134). Only
 * for a second Ctrl-C or a run that ignores the first; the normal way out waits for the threads
 * (shutdownWorkers).
 */
function exitNow(): never {
  process.stderr.write(CANCELLED_LINE);
  (process as unknown as { reallyExit(code: number): void }).reallyExit(CANCELLED);
  throw new Error('unreachable: process.reallyExit returned');
}

/**
 * Ctrl-C: cancel the run through its signal. Worker tasks stop at their next check; one that does not
 * answer within the pool's short grace is abandoned, so the command ends with CancelledError at once,
 * and the process exits 130 with one line after shutdownWorkers has seen that thread's task return.
 * A second Ctrl-C exits at once. The heavy work runs in worker threads, so this handler runs even
 * while they compute.
 */
function interrupt(controller: AbortController): void {
  if (controller.signal.aborted) exitNow();
  controller.abort();
  setTimeout(exitNow, FORCED_EXIT_MS).unref();
}

async function listCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const name of commandNames) out.push(`  ${name.padEnd(12)} ${(await loadCommand(name)).summary}`);
  return out;
}

/** Commands that load model weights (and run the demo's model): always worth huge pages. */
const MODEL_COMMANDS = new Set(['demo', 'contrast', 'attention', 'activations', 'tokens', 'match']);
/** Other commands relaunch only for an input file this large: below it the relaunch's ~40 ms of start-up costs more than it saves. */
const LARGE_INPUT_BYTES = 16 * 2 ** 20;

function worthHugePages(argv: string[]): boolean {
  const [name, ...rest] = argv;
  if (!name || !isCommandName(name) || rest.includes('--help') || rest.includes('-h')) return false;
  if (MODEL_COMMANDS.has(name)) return true;
  return rest.some((arg) => {
    try { return statSync(arg).size >= LARGE_INPUT_BYTES; } catch { return false; }
  });
}

async function mainWithHugePages(argv: string[]): Promise<number> {
  const relaunched = worthHugePages(argv) ? relaunchWithHugePages() : null;
  const code = relaunched ? await relaunched : -1;
  // -1: no relaunch, or the child could not start: run here.
  return code === -1 ? main(argv) : code;
}

const isCancelled = (err: unknown) => err instanceof MechLensError && err.code === 'cancelled';

mainWithHugePages(process.argv.slice(2)).finally(
  // Idle job threads are unref'd and would not hold the process, but a clean exit ends them explicitly;
  // after a cancel this waits for an abandoned thread's task to return from native code.
  () => shutdownWorkers(),
).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (isCancelled(err)) {
      process.stderr.write(CANCELLED_LINE);
      process.exitCode = CANCELLED;
    } else if (err instanceof MechLensError) {
      process.stderr.write(`mechlens: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`mechlens: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\nPlease report this with the command you ran.\n`);
      process.exitCode = 70;
    }
  },
);
