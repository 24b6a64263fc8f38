// A lock file shared by processes: two `mechlens` runs, or the extension and a CLI run, that want
// the same cache entry take turns instead of writing one `.part` at once. The lock holds its
// owner's pid, host and start time; the owner touches it every `staleMs / 4` while it works. A lock
// whose owner is gone (its pid is dead on this host, or it has not been touched for `staleMs`) is
// stale and is broken, so a killed download never blocks the cache for good.
import fs from 'node:fs';
import os from 'node:os';
import { CancelledError } from '../errors';
import { atomicTempPath } from './atomic-write';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface LockOptions {
  /** A lock not touched for this long is stale (default 2 minutes; the owner touches it 4 times as often). */
  staleMs?: number;
  /** How often a waiting process looks again (default 250 ms). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called when this process starts to wait, then about every `waitReportMs`, with the owner when readable. */
  onWait?: (owner: LockOwner | undefined, waitedMs: number) => void;
  /** Default 5 s. */
  waitReportMs?: number;
  /** Whether a pid is alive on this host (tests inject it). */
  isAlive?: (pid: number) => boolean;
}

export interface HeldLock {
  readonly path: string;
  /** True when another process held the lock first and this one waited for it. */
  readonly waited: boolean;
  release(): void;
}

const DEFAULT_STALE_MS = 120_000;

/** Takes the lock at `lockPath`, waiting while a live owner holds it. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<HeldLock> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const pollMs = options.pollMs ?? 250;
  const reportMs = options.waitReportMs ?? 5000;
  const started = Date.now();
  let lastReport = -Infinity;
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError(`Cancelled while waiting for ${lockPath}`);
    if (tryCreate(lockPath)) return hold(lockPath, staleMs, waited);
    const seen = inspect(lockPath);
    if (seen && isStale(seen, staleMs, options.isAlive ?? pidAlive)) {
      breakStale(lockPath, seen.stat);
      continue;
    }
    const waitedMs = Date.now() - started;
    if (options.onWait && waitedMs - lastReport >= reportMs) {
      lastReport = waitedMs;
      options.onWait(seen?.owner, waitedMs);
    }
    waited = true;
    await cancellableSleep(pollMs, options.signal);
  }
}

/** Runs `work` while holding the lock; the lock is released however `work` ends. */
export async function withLock<T>(lockPath: string, options: LockOptions, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(lockPath, options);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}

/** The owner recorded in a lock file, if it can be read. */
export function readLockOwner(lockPath: string): LockOwner | undefined {
  return inspect(lockPath)?.owner;
}

function ownerRecord(): LockOwner {
  return { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
}

/**
 * Creates the lock with its contents in one step: the record is written to a temporary file and
 * hard-linked to the lock name, which fails if the lock exists. So a reader never sees an empty lock.
 * Where hard links are not supported, an exclusive create is used instead.
 */
function tryCreate(lockPath: string): boolean {
  const temp = atomicTempPath(lockPath);
  fs.writeFileSync(temp, JSON.stringify(ownerRecord()));
  try {
    fs.linkSync(temp, lockPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    try {
      fs.writeFileSync(lockPath, JSON.stringify(ownerRecord()), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

interface SeenLock {
  owner: LockOwner | undefined;
  stat: fs.Stats;
}

function inspect(lockPath: string): SeenLock | undefined {
  try {
    const stat = fs.statSync(lockPath);
    let owner: LockOwner | undefined;
    try {
      const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
      if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') owner = parsed as LockOwner;
    } catch {
      owner = undefined;
    }
    return { owner, stat };
  } catch {
    return undefined; // released between the attempt and the look
  }
}

function isStale(seen: SeenLock, staleMs: number, isAlive: (pid: number) => boolean): boolean {
  if (Date.now() - seen.stat.mtimeMs > staleMs) return true;
  const owner = seen.owner;
  return owner !== undefined && owner.host === os.hostname() && owner.pid !== process.pid && !isAlive(owner.pid);
}

/**
 * Removes a stale lock, but only the one that was judged stale: breakers take turns through a
 * guard folder, and the lock is removed only if it is still the same file (inode and mtime), so a
 * fresh lock that another process took meanwhile survives.
 */
function breakStale(lockPath: string, judged: fs.Stats): void {
  const guard = `${lockPath}.breaking`;
  try {
    fs.mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A breaker that died inside its few statements leaves the guard behind: clear it when old.
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > 10_000) fs.rmdirSync(guard);
    } catch {
      /* gone already */
    }
    return;
  }
  try {
    const now = fs.statSync(lockPath, { throwIfNoEntry: false });
    if (now && now.ino === judged.ino && now.mtimeMs === judged.mtimeMs) fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmdirSync(guard);
  }
}

function hold(lockPath: string, staleMs: number, waited: boolean): HeldLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(lockPath, now, now);
    } catch {
      /* removed by hand: the work goes on, the release below is then a no-op */
    }
  }, Math.max(10, Math.floor(staleMs / 4)));
  heartbeat.unref();
  let held = true;
  return {
    path: lockPath,
    waited,
    release() {
      if (!held) return;
      held = false;
      clearInterval(heartbeat);
      // Only our own lock: if it was broken as stale and taken by another process, leave theirs.
      if (readLockOwner(lockPath)?.pid === process.pid) fs.rmSync(lockPath, { force: true });
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits ms, or rejects with CancelledError(message) as soon as the signal aborts. */
export function cancellableSleep(ms: number, signal: AbortSignal | undefined, message = 'Cancelled while waiting for another MechLens process'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError(message));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError(message));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
