// Resumable, verified downloads for the vector and model caches.
// Bytes go to `dest.part` and are renamed onto `dest` only after the size and hash of the file on
// disk check out, so the cache never holds a half-written or wrong file under its real name. A
// cancelled or dropped transfer keeps `.part`, and the next call resumes it with a Range request.
// One process at a time works on a destination: the others wait on `dest.lock` (file-lock.ts) and
// then take the finished file, so two runs never append to one `.part`.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { CancelledError, MechLensError } from '../errors';
import { acquireLock, cancellableSleep, type LockOwner } from './file-lock';

export interface DownloadOptions {
  /** Total size in bytes, when the publisher states it. Checked before the rename. */
  expectedSize?: number;
  /** Lower-case hex sha256 of the whole file, when known. Checked before the rename. */
  sha256?: string;
  /** Hex md5 of the whole file, for publishers that only state md5 (gensim-data). Checked before the rename. */
  md5?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | undefined) => void;
  /** Human-readable waits: for the server to answer, for a retry, for another process's download. */
  onStatus?: (message: string) => void;
  /** Attempts after the first on 5xx, 429 or a dropped connection (default 4). */
  retries?: number;
  /** First backoff delay; doubles per failed attempt (default 500 ms). */
  retryDelayMs?: number;
  /** Give up on an attempt whose connection sends nothing for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Give up once attempts that timed out with no data have waited this long in all (default 90 s). */
  maxStalledMs?: number;
  /** How often a wait is reported through `onStatus` (default 5 s). */
  statusEveryMs?: number;
  /** Lock timing (tests shorten it): a lock untouched this long is stale (default 2 min). */
  lockStaleMs?: number;
  lockPollMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** True when bytes already in `dest.part` were kept rather than fetched again. */
  resumed: boolean;
  /** True when another process (or an earlier run) had already put the verified file in place. */
  reused?: boolean;
  sha256: string;
  /** Present when `md5` was asked for. */
  md5?: string;
}

const MAX_REDIRECTS = 10;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_STALLED_MS = 90_000;

/** A failure worth another attempt (server hiccup, dropped connection), as opposed to a final one. */
class RetryableError extends Error {
  /** Bytes arrived before the failure: the retry budget starts over, since the transfer is moving. */
  constructor(
    message: string,
    readonly progressed = false,
    /** The attempt ended because nothing arrived for the idle timeout. */
    readonly stalledMs = 0,
  ) {
    super(message);
  }
}

export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  if (opts.signal?.aborted) throw new CancelledError(`Download of ${url} cancelled`);
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const lock = await acquireLock(`${dest}.lock`, {
    signal: opts.signal,
    staleMs: opts.lockStaleMs,
    pollMs: opts.lockPollMs,
    waitReportMs: opts.statusEveryMs,
    onWait: (owner, waitedMs) => opts.onStatus?.(waitingForOwner(path.basename(dest), owner, waitedMs)),
  });
  try {
    const existing = await acceptExisting(dest, lock.waited, opts);
    if (existing) return existing;
    return await downloadLocked(url, dest, opts);
  } finally {
    lock.release();
  }
}

function waitingForOwner(name: string, owner: LockOwner | undefined, waitedMs: number): string {
  const who = owner ? `another MechLens process (pid ${owner.pid})` : 'another MechLens process';
  return `Waiting for ${who} that is downloading ${name}${waitedMs >= 1000 ? ` (${Math.round(waitedMs / 1000)} s so far)` : ''}`;
}

/**
 * A file already at `dest` once the lock is ours: another process finished it while we waited, or
 * it was put there by hand. It is taken only when its size and hashes on disk match what is known;
 * with no hash known it is taken only from a process we waited for (which checked what it could,
 * on disk, before its rename); otherwise it is downloaded again.
 */
async function acceptExisting(dest: string, waited: boolean, opts: DownloadOptions): Promise<DownloadResult | undefined> {
  const stat = await fs.promises.stat(dest).catch(() => undefined);
  if (!stat?.isFile()) return undefined;
  if (opts.expectedSize !== undefined && stat.size !== opts.expectedSize) return undefined;
  const hashKnown = opts.sha256 !== undefined || opts.md5 !== undefined;
  // Size alone never vouches for a file of unknown origin (a folder copied in by hand).
  if (!hashKnown && !waited) return undefined;
  const hashes = new FileHashes(opts.md5 !== undefined);
  await hashFile(dest, hashes, opts.signal);
  const got = hashes.digest();
  if (opts.sha256 && got.sha256 !== opts.sha256.toLowerCase()) return undefined;
  if (opts.md5 && got.md5 !== opts.md5.toLowerCase()) return undefined;
  return { path: dest, bytes: stat.size, resumed: false, reused: true, sha256: got.sha256, ...(got.md5 ? { md5: got.md5 } : {}) };
}

async function downloadLocked(url: string, dest: string, opts: DownloadOptions): Promise<DownloadResult> {
  const partPath = dest + '.part';
  const retries = opts.retries ?? 4;
  const baseDelay = opts.retryDelayMs ?? 500;
  const maxStalledMs = opts.maxStalledMs ?? DEFAULT_MAX_STALLED_MS;

  let resumed = false;
  let failures = 0;
  let stalledMs = 0;
  for (let attemptNo = 1; ; attemptNo++) {
    if (opts.signal?.aborted) throw new CancelledError(`Download of ${url} cancelled`);
    let attempt: AttemptOutcome;
    try {
      attempt = await downloadAttempt(url, partPath, opts);
    } catch (err) {
      if (err instanceof RetryableError) {
        failures = err.progressed ? 0 : failures + 1;
        stalledMs += err.stalledMs;
        const kept = fs.existsSync(partPath) ? 'the partial file is kept and ' : '';
        if (failures > retries || (err.stalledMs > 0 && stalledMs >= maxStalledMs)) {
          const why = failures > retries ? `after ${attemptNo} attempts` : `after ${attemptNo} attempts (${seconds(stalledMs)} in all without data)`;
          throw new MechLensError('download', `Downloading ${url} failed ${why}: ${err.message}`, {
            input: url,
            fix: `Check the network (or the mirror in HF_ENDPOINT) and run again; ${kept}the download resumes.`,
          });
        }
        const wait = baseDelay * 2 ** Math.max(0, failures - 1);
        opts.onStatus?.(`${err.message}; trying again in ${(wait / 1000).toFixed(wait < 1000 ? 1 : 0)} s (attempt ${attemptNo + 1})`);
        await sleep(wait, opts.signal);
        continue;
      }
      throw err;
    }
    resumed ||= attempt.keptBytes > 0;
    return finish(url, dest, partPath, attempt, resumed, opts);
  }
}

interface AttemptOutcome {
  /** Bytes of `.part` kept from an earlier attempt. */
  keptBytes: number;
  /** Size the server announced for the whole file, if it did. */
  announcedSize: number | undefined;
}

/** Checks the `.part` as it lies on disk (size, sha256, md5), then renames it onto `dest`. */
async function finish(url: string, dest: string, partPath: string, got: AttemptOutcome, resumed: boolean, opts: DownloadOptions): Promise<DownloadResult> {
  const bytes = (await fs.promises.stat(partPath)).size;
  const wantSize = opts.expectedSize ?? got.announcedSize;
  const reject = async (what: string) => {
    await removeQuietly(partPath);
    throw new MechLensError('download', `${what}; the file was removed`, {
      input: url,
      fix: 'Run again to download it afresh; if it keeps happening the source has changed or is corrupt.',
    });
  };
  if (wantSize !== undefined && bytes !== wantSize) await reject(`Downloaded ${bytes} bytes from ${url} but expected ${wantSize}`);
  const hashes = new FileHashes(opts.md5 !== undefined);
  await hashFile(partPath, hashes, opts.signal);
  const { sha256, md5 } = hashes.digest();
  if (opts.sha256 && sha256 !== opts.sha256.toLowerCase()) await reject(`sha256 of ${url} is ${sha256}, expected ${opts.sha256}`);
  if (opts.md5 && md5 !== opts.md5.toLowerCase()) await reject(`md5 of ${url} is ${md5}, expected ${opts.md5}`);
  await fs.promises.rename(partPath, dest);
  return { path: dest, bytes, resumed, sha256, ...(md5 ? { md5 } : {}) };
}

async function downloadAttempt(url: string, partPath: string, opts: DownloadOptions): Promise<AttemptOutcome> {
  let kept = await fileSize(partPath);
  if (opts.expectedSize !== undefined && kept > opts.expectedSize) {
    await removeQuietly(partPath);
    kept = 0;
  }
  if (kept > 0 && kept === opts.expectedSize) return { keptBytes: kept, announcedSize: kept };

  const headers: Record<string, string> = { 'user-agent': 'mechlens', ...opts.headers };
  if (kept > 0) headers.range = `bytes=${kept}-`;
  const res = await request(url, headers, opts);
  const status = res.statusCode ?? 0;

  if (status === 416 && kept > 0) {
    res.resume();
    const total = parseTotalFromContentRange(res.headers['content-range']);
    if (total === kept) return { keptBytes: kept, announcedSize: total };
    await removeQuietly(partPath);
    throw new RetryableError(`server refused to resume at byte ${kept}; starting over`);
  }
  if (status >= 500 || status === 429 || status === 408) {
    res.resume();
    throw new RetryableError(`HTTP ${status}`);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new MechLensError('download', `HTTP ${status} ${res.statusMessage ?? ''} from ${url}`.trim(), {
      input: url,
      fix: status === 401 || status === 403 ? 'The file needs access rights: check the URL, or the token (HF_TOKEN for the Hugging Face hub).' : 'Check the URL or name.',
    });
  }

  let start = 0;
  if (status === 206) {
    start = parseStartFromContentRange(res.headers['content-range']) ?? -1;
    if (start !== kept) {
      // A range we did not ask for: safer to throw the part away than to splice wrong bytes in.
      res.resume();
      await removeQuietly(partPath);
      throw new RetryableError(`server answered the Range request with bytes from ${start}, not ${kept}`);
    }
  }
  // 200 to a Range request means the server does not support Range: the whole file comes again.
  const restart = status === 200;
  const keptBytes = restart ? 0 : kept;
  const contentLength = numberHeader(res.headers['content-length']);
  const announcedSize = status === 206 ? parseTotalFromContentRange(res.headers['content-range']) : contentLength;
  const total = opts.expectedSize ?? announcedSize;

  const fh = await openForWrite(partPath, restart ? 'w' : 'a', url);
  let received = keptBytes;
  let fresh = 0;
  try {
    opts.onProgress?.(received, total);
    for await (const chunk of res as AsyncIterable<Buffer>) {
      await writeAll(fh, chunk, partPath);
      received += chunk.length;
      fresh += chunk.length;
      opts.onProgress?.(received, total);
    }
  } catch (err) {
    res.destroy();
    await fh.close().catch(() => undefined);
    if (opts.signal?.aborted) throw new CancelledError(`Download of ${url} cancelled; the partial file is kept and resumes next time`);
    if (err instanceof MechLensError) throw err;
    const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (idleResponses.has(res)) throw new RetryableError(`no data for ${seconds(idleMs)} after ${received} bytes`, fresh > 0, fresh > 0 ? 0 : idleMs);
    throw new RetryableError(`connection dropped after ${received} bytes (${describe(err)})`, fresh > 0);
  }
  await fh.close();
  if (contentLength !== undefined && fresh < contentLength) {
    throw new RetryableError(`connection closed after ${received} bytes`, fresh > 0);
  }
  return { keptBytes, announcedSize };
}

/** The idle timer fired: nothing arrived on the connection for `ms`. */
class IdleTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no data for ${seconds(ms)}`);
  }
}

class FileHashes {
  private readonly sha = createHash('sha256');
  private readonly md5: Hash | undefined;
  constructor(withMd5: boolean) {
    this.md5 = withMd5 ? createHash('md5') : undefined;
  }
  update(chunk: Buffer): void {
    this.sha.update(chunk);
    this.md5?.update(chunk);
  }
  digest(): { sha256: string; md5: string | undefined } {
    return { sha256: this.sha.digest('hex'), md5: this.md5?.digest('hex') };
  }
}

/** Responses whose connection was ended by the idle timeout (the stream then only says "aborted"). */
const idleResponses = new WeakSet<http.IncomingMessage>();

/** GET with redirects followed. Authorization headers are not carried to another host. */
function request(url: string, headers: Record<string, string>, opts: DownloadOptions, redirects = 0, first = url): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new MechLensError('bad-argument', `"${url}" is not a URL`, { input: url }));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new MechLensError('bad-argument', `Unsupported URL scheme in ${url}`, { input: url, fix: 'Use an https:// URL.' }));
      return;
    }
    // Plain http only to this machine (local mirrors, tests): anything else could be tampered with on the way.
    if (client === http && !isLoopback(parsed.hostname)) {
      reject(new MechLensError('download', `Refusing to download over plain http from ${parsed.host}${redirects ? ' (after a redirect)' : ''}`, { input: url, fix: 'Use an https:// URL.' }));
      return;
    }
    const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const sentAt = Date.now();
    let response: http.IncomingMessage | undefined;
    // Until the server answers, say that we wait for it, so a silent server is not a silent hang.
    const waiting = opts.onStatus
      ? setInterval(() => opts.onStatus?.(`Waiting for ${parsed.host} to answer (${seconds(Date.now() - sentAt)} so far; an attempt gives up after ${seconds(idleMs)} without data)`), opts.statusEveryMs ?? 5000)
      : undefined;
    const stopWaiting = () => clearInterval(waiting);
    // A connection of its own per attempt (no keep-alive pool): a pooled socket that the server
    // closed meanwhile would fail the attempt with ECONNRESET before a byte arrives.
    const req = client.get(parsed, { headers, signal: opts.signal, agent: false }, (res) => {
      stopWaiting();
      response = res;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new MechLensError('download', `Too many redirects (${MAX_REDIRECTS}) from ${first}, the last to ${new URL(location, parsed).toString()}`, {
            input: first,
            fix: 'The server redirects in a loop: check the URL (or HF_ENDPOINT for a hub mirror), or download the file yourself and open it from disk.',
          }));
          return;
        }
        const next = new URL(location, parsed);
        const nextHeaders = { ...headers };
        if (next.host !== parsed.host) {
          for (const k of Object.keys(nextHeaders)) if (k.toLowerCase() === 'authorization') delete nextHeaders[k];
        }
        request(next.toString(), nextHeaders, opts, redirects + 1, first).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(idleMs, () => {
      if (response) idleResponses.add(response);
      req.destroy(new IdleTimeout(idleMs));
    });
    req.on('error', (err) => {
      stopWaiting();
      if (opts.signal?.aborted) reject(new CancelledError(`Download of ${url} cancelled; the partial file is kept and resumes next time`));
      else if (err instanceof IdleTimeout) reject(new RetryableError(`no answer from ${parsed.host} for ${seconds(idleMs)}`, false, idleMs));
      else reject(new RetryableError(`cannot connect (${describe(err)})`));
    });
  });
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

async function openForWrite(partPath: string, flags: 'a' | 'w', url: string): Promise<fs.promises.FileHandle> {
  try {
    return await fs.promises.open(partPath, flags);
  } catch (err) {
    throw fileError(err, partPath, url);
  }
}

async function writeAll(fh: fs.promises.FileHandle, chunk: Buffer, partPath: string): Promise<void> {
  try {
    await fh.write(chunk);
  } catch (err) {
    throw fileError(err, partPath, undefined);
  }
}

function fileError(err: unknown, partPath: string, url: string | undefined): MechLensError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new MechLensError('download', `No space left on the disk while writing ${partPath}`, {
      input: partPath,
      fix: 'Free some disk space (or set MECHLENS_CACHE to a folder on a larger disk) and run again; the download resumes from what was written.',
      cause: err,
    });
  }
  return new MechLensError('download', `Cannot write ${partPath}${url ? ` for ${url}` : ''}: ${describe(err)}`, {
    input: partPath,
    fix: 'Check that the cache folder is writable, or set MECHLENS_CACHE to another folder.',
    cause: err,
  });
}

/** sha256 and md5 of a file as it lies on disk, read as a stream. */
export async function hashFileOnDisk(file: string, signal?: AbortSignal): Promise<{ sha256: string; md5: string }> {
  const hashes = new FileHashes(true);
  await hashFile(file, hashes, signal);
  const { sha256, md5 } = hashes.digest();
  return { sha256, md5: md5! };
}

async function hashFile(file: string, hash: FileHashes, signal: AbortSignal | undefined): Promise<void> {
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20, signal }) as AsyncIterable<Buffer>) hash.update(chunk);
  } catch (err) {
    if (signal?.aborted) throw new CancelledError('Download cancelled; the partial file is kept and resumes next time');
    throw err;
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch {
    return 0;
  }
}

async function removeQuietly(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
}

function numberHeader(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

function parseStartFromContentRange(value: string | undefined): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(value?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

function parseTotalFromContentRange(value: string | undefined): number | undefined {
  const m = /\/(\d+)$/.exec(value?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

/** "30 s", or "0.2 s" below ten seconds. */
export function seconds(ms: number): string {
  return `${ms < 10_000 ? Number((ms / 1000).toFixed(1)) : Math.round(ms / 1000)} s`;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message ? `: ${e.message}` : ''}` : String(e?.message ?? err);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  const message = signal?.aborted ? 'Download cancelled' : 'Download cancelled; the partial file is kept and resumes next time';
  return cancellableSleep(ms, signal, message);
}
