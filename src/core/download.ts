// Resumable, verified downloads for the vector and model caches.
// Bytes go to `dest.part` and are renamed onto `dest` only after size and sha256 check out, so the
// cache never holds a half-written file under its real name. A cancelled or dropped transfer keeps
// `.part`, and the next call resumes it with a Range request.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { CancelledError, MechLensError } from './errors';

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
  /** Attempts after the first on 5xx, 429 or a dropped connection (default 4). */
  retries?: number;
  /** First backoff delay; doubles per failed attempt (default 500 ms). */
  retryDelayMs?: number;
  /** Give up on a connection that sends nothing for this long (default 60 s). */
  idleTimeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** True when bytes already in `dest.part` were kept rather than fetched again. */
  resumed: boolean;
  sha256: string;
  /** Present when `md5` was asked for. */
  md5?: string;
}

const MAX_REDIRECTS = 10;

/** A failure worth another attempt (server hiccup, dropped connection), as opposed to a final one. */
class RetryableError extends Error {
  /** Bytes arrived before the failure: the retry budget starts over, since the transfer is moving. */
  constructor(
    message: string,
    readonly progressed = false,
  ) {
    super(message);
  }
}

export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const partPath = dest + '.part';
  const retries = opts.retries ?? 4;
  const baseDelay = opts.retryDelayMs ?? 500;
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });

  let resumed = false;
  let failures = 0;
  for (;;) {
    if (opts.signal?.aborted) throw new CancelledError(`Download of ${url} cancelled`);
    let attempt: AttemptOutcome;
    try {
      attempt = await downloadAttempt(url, partPath, opts);
    } catch (err) {
      if (err instanceof RetryableError) {
        failures = err.progressed ? 0 : failures + 1;
        if (failures > retries) {
          throw new MechLensError('download', `Downloading ${url} failed after ${retries + 1} attempts: ${err.message}`, {
            input: url,
            fix: `Check the network and run again; the ${fs.existsSync(partPath) ? 'partial file is kept and ' : ''}download resumes.`,
          });
        }
        await sleep(baseDelay * 2 ** Math.max(0, failures - 1), opts.signal);
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
  bytes: number;
  /** Size the server announced for the whole file, if it did. */
  announcedSize: number | undefined;
  sha256: string;
  md5: string | undefined;
}

async function finish(url: string, dest: string, partPath: string, got: AttemptOutcome, resumed: boolean, opts: DownloadOptions): Promise<DownloadResult> {
  const wantSize = opts.expectedSize ?? got.announcedSize;
  if (wantSize !== undefined && got.bytes !== wantSize) {
    await removeQuietly(partPath);
    throw new MechLensError('download', `Downloaded ${got.bytes} bytes from ${url} but expected ${wantSize}; the file was removed`, {
      input: url,
      fix: 'Run again to download it afresh; if it keeps happening the source has changed or is corrupt.',
    });
  }
  if (opts.sha256 && got.sha256 !== opts.sha256.toLowerCase()) {
    await removeQuietly(partPath);
    throw new MechLensError('download', `sha256 of ${url} is ${got.sha256}, expected ${opts.sha256}; the file was removed`, {
      input: url,
      fix: 'Run again to download it afresh; if it keeps happening the source has changed or is corrupt.',
    });
  }
  if (opts.md5 && got.md5 !== opts.md5.toLowerCase()) {
    await removeQuietly(partPath);
    throw new MechLensError('download', `md5 of ${url} is ${got.md5}, expected ${opts.md5}; the file was removed`, {
      input: url,
      fix: 'Run again to download it afresh; if it keeps happening the source has changed or is corrupt.',
    });
  }
  await fs.promises.rename(partPath, dest);
  return { path: dest, bytes: got.bytes, resumed, sha256: got.sha256, ...(got.md5 ? { md5: got.md5 } : {}) };
}

async function downloadAttempt(url: string, partPath: string, opts: DownloadOptions): Promise<AttemptOutcome> {
  let kept = await fileSize(partPath);
  if (opts.expectedSize !== undefined && kept > opts.expectedSize) {
    await removeQuietly(partPath);
    kept = 0;
  }
  const hash = new FileHashes(opts.md5 !== undefined);
  if (kept > 0) await hashFile(partPath, hash, opts.signal);
  if (kept > 0 && kept === opts.expectedSize) {
    return { keptBytes: kept, bytes: kept, announcedSize: kept, ...hash.digest() };
  }

  const headers: Record<string, string> = { 'user-agent': 'mechlens', ...opts.headers };
  if (kept > 0) headers.range = `bytes=${kept}-`;
  const res = await request(url, headers, opts);
  const status = res.statusCode ?? 0;

  if (status === 416 && kept > 0) {
    res.resume();
    const total = parseTotalFromContentRange(res.headers['content-range']);
    if (total === kept) return { keptBytes: kept, bytes: kept, announcedSize: total, ...hash.digest() };
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
      fix: status === 401 || status === 403 ? 'The file needs access rights: check the URL or token.' : 'Check the URL or name.',
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
  const runningHash = restart ? new FileHashes(opts.md5 !== undefined) : hash;
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
      runningHash.update(chunk);
      received += chunk.length;
      fresh += chunk.length;
      opts.onProgress?.(received, total);
    }
  } catch (err) {
    res.destroy();
    await fh.close().catch(() => undefined);
    if (opts.signal?.aborted) throw new CancelledError(`Download of ${url} cancelled; the partial file is kept and resumes next time`);
    if (err instanceof MechLensError) throw err;
    throw new RetryableError(`connection dropped after ${received} bytes (${describe(err)})`, fresh > 0);
  }
  await fh.close();
  if (contentLength !== undefined && fresh < contentLength) {
    throw new RetryableError(`connection closed after ${received} bytes`, fresh > 0);
  }
  return { keptBytes, bytes: received, announcedSize, ...runningHash.digest() };
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

/** GET with redirects followed. Authorization headers are not carried to another host. */
function request(url: string, headers: Record<string, string>, opts: DownloadOptions, redirects = 0): Promise<http.IncomingMessage> {
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
    const req = client.get(parsed, { headers, signal: opts.signal }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new MechLensError('download', `Too many redirects from ${url}`, { input: url }));
          return;
        }
        const next = new URL(location, parsed);
        const nextHeaders = { ...headers };
        if (next.host !== parsed.host) {
          for (const k of Object.keys(nextHeaders)) if (k.toLowerCase() === 'authorization') delete nextHeaders[k];
        }
        request(next.toString(), nextHeaders, opts, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(opts.idleTimeoutMs ?? 60_000, () => req.destroy(new Error('no data for too long')));
    req.on('error', (err) => {
      if (opts.signal?.aborted) reject(new CancelledError(`Download of ${url} cancelled; the partial file is kept and resumes next time`));
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

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message ? `: ${e.message}` : ''}` : String(e?.message ?? err);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError('Download cancelled'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('Download cancelled; the partial file is kept and resumes next time'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
