// The headless runner, loaded by the launcher (launcher.ts, dist/cli.js) once it has decided against
// a relaunch, or in the relaunched child. Each command lives in commands/<name>.ts and is loaded only
// when run (command-table.ts).
import { parseArgs, helpText } from './args';
import { commandNames, commandSummary, isCommandName, loadCommand } from './command-table';
import { MechLensError } from '../core/errors';
import { shutdownWorkers } from '../core/worker/client';
import { removeOpenTempFilesSync } from '../core/io/atomic-write';
import { writeSync } from 'node:fs';
import { RELAUNCHED_ENV } from './huge-pages';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`mechlens <command> [options]\n\nCommands:\n${commandNames.map((command) => `  ${command.padEnd(12)} ${commandSummary(command)}`).join('\n')}\n`);
    return name ? 0 : 2;
  }
  if (!isCommandName(name)) {
    process.stderr.write(`mechlens: unknown command "${name}". Commands: ${commandNames.join(', ')}.\n`);
    return 2;
  }
  const command = await loadCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpText(name, commandSummary(name), command.options));
    return 0;
  }
  const controller = new AbortController();
  process.on('SIGINT', () => interrupt(controller));
  const args = parseArgs(name, rest, command.options);
  await command.run(args, { log: (line) => process.stderr.write(`${line}\n`), signal: controller.signal });
  return 0;
}

/**
 * How long after Ctrl-C a run may take to end on its own (worker loops see the flag within a few
 * tens of milliseconds; the pool gives a task 200 ms) before the process exits anyway: a worker
 * thread inside one long onnxruntime call (a large model batch) cannot be stopped or waited for
 * within the second the CLI promises.
 */
const FORCED_EXIT_MS = 500;
const CANCELLED = 130;
const CANCELLED_LINE = 'mechlens: cancelled (Ctrl-C); no result was written.\n';

let cancelledLineWritten = false;
function writeCancelledLine(): void {
  if (cancelledLineWritten) return;
  cancelledLineWritten = true;
  writeSync(2, CANCELLED_LINE);
}

/**
 * Exits at once, for a second Ctrl-C or a run still alive FORCED_EXIT_MS after the first: deletes
 * the temporary files of writes in progress (results are only ever renamed into place, so the
 * previous result stays whole), writes the one line, and ends the process by SIGINT with the
 * default action, which a shell reports as exit status 130 (and the huge-pages parent passes on as
 * code 130). Not process.exit or process.reallyExit: both stop the worker threads first, and
 * stopping one inside onnxruntime's native code waits for that call and then aborts the process
 * ("terminate called after throwing an instance of 'Napi::Error'", 134). Windows has no signals to
 * re-raise; there it exits the old way.
 */
function exitNow(): never {
  removeOpenTempFilesSync();
  writeCancelledLine();
  if (process.platform !== 'win32') {
    process.removeAllListeners('SIGINT'); // back to the default action: terminate
    process.kill(process.pid, 'SIGINT');
  }
  (process as unknown as { reallyExit(code: number): void }).reallyExit(CANCELLED);
  throw new Error('unreachable: process.reallyExit returned');
}

/**
 * Ctrl-C: cancel the run through its signal. Worker tasks stop at their next check; one that does not
 * answer within the pool's short grace is abandoned, so the command ends with CancelledError, and the
 * process exits 130 with one line once shutdownWorkers has seen every thread's task return. A thread
 * still inside a native call FORCED_EXIT_MS after Ctrl-C is not waited for (exitNow); nor is anything
 * after a second Ctrl-C. The heavy work runs in worker threads, so this handler runs even while they
 * compute.
 */
function interrupt(controller: AbortController): void {
  if (controller.signal.aborted) exitNow();
  controller.abort();
  setTimeout(exitNow, FORCED_EXIT_MS).unref();
}

/**
 * Whether this process is the relaunched child of a launcher that waits for it (and turns its end by
 * a signal into an exit code). Read once, and taken out of the environment so that no process this
 * one starts believes the same.
 */
const isRelaunchedChild: boolean = (() => {
  const relaunched = process.env[RELAUNCHED_ENV] === '1';
  delete process.env[RELAUNCHED_ENV];
  return relaunched;
})();

const isCancelled = (err: unknown) => err instanceof MechLensError && err.code === 'cancelled';

/**
 * After a cancel, how long to wait for the worker threads to end before exiting without them (idle
 * ones end in a few milliseconds; a thread abandoned inside a native call only when that call
 * returns). A relaunched child exits early: its parent turns the end by SIGINT into exit code 130.
 * A process on its own gives the threads until the forced exit, so that a loop that answers a
 * little late still ends with a real exit code 130 rather than by the signal.
 */
const CANCELLED_SHUTDOWN_MS = isRelaunchedChild ? 100 : FORCED_EXIT_MS;

main(process.argv.slice(2)).then(
  // Idle job threads are unref'd and would not hold the process, but a clean exit ends them explicitly.
  async (code) => { await shutdownWorkers(); process.exitCode = code; },
  async (err: unknown) => {
    if (isCancelled(err)) {
      const ended = await Promise.race([shutdownWorkers().then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, CANCELLED_SHUTDOWN_MS, false))]);
      if (!ended) exitNow(); // an abandoned thread is still inside a native call
      writeCancelledLine();
      process.exitCode = CANCELLED;
      return;
    }
    await shutdownWorkers();
    if (err instanceof MechLensError) {
      process.stderr.write(`mechlens: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`mechlens: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\nPlease report this with the command you ran.\n`);
      process.exitCode = 70;
    }
  },
);
