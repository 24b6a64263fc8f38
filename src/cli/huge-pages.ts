// Large typed arrays on transparent huge pages. On Linux with THP in "madvise" mode (Debian's and
// most distributions' default) memory is faulted in 4 KiB at a time unless the allocator asks for
// huge pages, and numpy does ask (madvise(MADV_HUGEPAGE) on every array of 4 MiB and up). Node's
// ArrayBuffers come from glibc's malloc, which asks only when told by the glibc.malloc.hugetlb
// tunable, read from the environment at process start. Measured on the bench machine (a VM, where
// a fresh 4 KiB page costs ~12 µs): filling a new 128 MB array 370 ms without, 20–50 ms with;
// BF16 widening of 3.2·10⁷ values 470 → 55 ms; the PCA of the GPT-2 vocabulary 3.0 → 1.4 s
// (bench/README.md, "linalg"). So the CLI starts itself again once, with the tunable set.
import { readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { isListedCommand } from './command-names';

const TUNABLE = 'glibc.malloc.hugetlb=1';
/** Set in the relaunched child's environment: a parent waits for it and passes its end on as an exit code (main.ts reads it). */
export const RELAUNCHED_ENV = 'MECHLENS_RELAUNCHED';

/**
 * Commands that load model weights (and the demo, which runs a model): always worth huge pages.
 * test/cli/huge-pages.test.ts checks that every command with a --model option is here (hooks, which
 * only reads a config, is the one left out on purpose).
 */
export const MODEL_COMMANDS: ReadonlySet<string> = new Set(['demo', 'contrast', 'attention', 'activations', 'tokens', 'match', 'lens', 'heads', 'attribution', 'sae']);
/** Other commands relaunch only for an input file this large: below it the relaunch's ~40 ms of start-up costs more than it saves. */
const LARGE_INPUT_BYTES = 16 * 2 ** 20;

/** Whether a command line gains from huge pages: a model command, a model source (compare's model:ID#HOOK), or a large input file. */
export function worthHugePages(argv: string[]): boolean {
  const [name, ...rest] = argv;
  if (!name || !isListedCommand(name) || rest.includes('--help') || rest.includes('-h')) return false;
  if (MODEL_COMMANDS.has(name) || rest.some((arg) => arg.startsWith('model:'))) return true;
  return rest.some((arg) => {
    try { return statSync(arg).size >= LARGE_INPUT_BYTES; } catch { return false; }
  });
}

/** Why no relaunch is needed or possible here, or null when one would give huge pages. */
export function hugePagesSkipReason(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (env.MECHLENS_HUGE_PAGES === '0') return 'MECHLENS_HUGE_PAGES=0';
  if ((env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.hugetlb=')) return 'GLIBC_TUNABLES already sets glibc.malloc.hugetlb';
  let mode: string;
  try {
    mode = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
  } catch {
    return 'no transparent huge pages';
  }
  // "[always]": every large mapping gets them already; "[never]": none can.
  return mode.includes('[madvise]') ? null : `transparent huge pages are ${mode.trim()}`;
}

/** The environment for a process whose malloc asks for huge pages. */
export function hugePagesEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLE}` : TUNABLE };
}

/**
 * Runs this same script again with the tunable set and resolves with its exit code; null when there
 * is nothing to gain (see hugePagesSkipReason), and the caller goes on in this process; -1 when the
 * child could not start (the caller runs here instead). The child runs in a process group of its
 * own, so a terminal's Ctrl-C reaches this process only and is passed on exactly once (the CLI
 * treats a second Ctrl-C as "exit now"), as is a SIGINT or SIGTERM sent to this process's id.
 */
export function relaunchWithHugePages(): Promise<number> | null {
  if (hugePagesSkipReason() !== null) return null;
  // child_process (with net and dgram) is loaded only to relaunch: most small commands never do.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    const env = { ...hugePagesEnv(), [RELAUNCHED_ENV]: '1' };
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env, detached: true });
    const forward = (signal: NodeJS.Signals) => () => { child.kill(signal); };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = (code: number) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(code);
    };
    child.on('error', () => done(-1));
    // A child ended by a signal (a Ctrl-C that could not wait for a native call ends by SIGINT: see
    // cli/main.ts) exits here with the shell's code for it: 128 + the signal's number, 130 for SIGINT.
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 15)));
  });
}
